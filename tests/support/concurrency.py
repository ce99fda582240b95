"""Calling the same thing from several threads released together (a barrier), as simultaneous
deliveries served by several API workers would."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(call: Callable[[], Any], times: int = 2, timeout: float = 60) -> list[Any]:
    """What each of ``times`` threads got from ``call()``: its result, or the exception it raised."""
    barrier = threading.Barrier(times)
    results: list[Any] = [None] * times

    def deliver(index: int) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the caller's assertions show it
            results[index] = error

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
