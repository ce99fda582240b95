"""Batches free what each page left behind, without paying a full collection per page.

The objects a page loads (records, units of work, sessions) are in reference cycles: Python frees
them only when its cyclic collector runs, so a batch that never collects grows with its number of
pages. A full ``gc.collect()`` after every page keeps memory flat but walks the whole heap each
time — 0.2 s and more in a process holding much (an API server, the test suite), more than a page
of work when pages are small. So: collect after a page at most once every ``interval`` seconds.
What waits for the next collection is at most ``interval`` seconds of pages — a bound that does
not grow with the batch.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable


class PageGarbage:
    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.last = clock()

    def page_done(self) -> None:
        now = self.clock()
        if now - self.last >= self.interval:
            gc.collect()
            self.last = self.clock()
