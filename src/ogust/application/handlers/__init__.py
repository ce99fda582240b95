"""One handler per use case. Each takes its ports in its constructor and runs one unit of work."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.errors import DomainError

UowFactory = Callable[[], UnitOfWork]
T = TypeVar("T")


def checked_again(attempt: Callable[[], T], *refusals: type[DomainError]) -> T:
    """``attempt()``, and once more if the database refused what it wrote (``refusals``): another
    transaction committed the same thing first, unseen by this one's checks. Run again, the use case's
    own check sees it and answers as it would have one step later — the replay found, the existing
    client named, the intervenant's busy slot said — and the database stays the last word."""
    try:
        return attempt()
    except refusals:
        return attempt()
