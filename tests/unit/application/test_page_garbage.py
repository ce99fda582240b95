"""A batch collects the cycles its pages left at most once per interval, not after every page."""
from __future__ import annotations

import gc

import pytest

from ogust.application.page_garbage import PageGarbage


def test_collects_after_a_page_only_once_the_interval_has_passed(monkeypatch):
    now = [100.0]
    collections: list[float] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(now[0]) or 0)
    garbage = PageGarbage(interval=1.0, clock=lambda: now[0])

    for step in (0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.9, 0.05):  # pages of various lengths
        now[0] += step
        garbage.page_done()

    assert collections == pytest.approx([101.2, 102.7])  # 1.2 s after the start, then 1.5 s later; not after each page


def test_the_cycles_of_a_page_are_freed_when_it_collects():
    class Node:
        def __init__(self) -> None:
            self.me = self  # a reference cycle, as a page's records and sessions make

    gc.collect()
    now = [0.0]
    garbage = PageGarbage(interval=1.0, clock=lambda: now[0])
    before = sum(isinstance(o, Node) for o in gc.get_objects())
    for _ in range(50):
        Node()
    now[0] += 1.0
    garbage.page_done()
    assert sum(isinstance(o, Node) for o in gc.get_objects()) == before
