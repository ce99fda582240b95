"""A database on which another transaction commits first: at the next commit of the fake unit of work,
what that transaction wrote is there, this one's writes are rolled back, and the database's refusal
is raised — as ``conflicts.py`` names the constraint's (SlotUnavailable, ClientAlreadyExists). The
rule under test is then the handler's answer, one step later."""
from __future__ import annotations

from collections.abc import Callable
from copy import copy

from ogust.domain.errors import DomainError
from tests.fakes import FakeUnitOfWork

REPOSITORIES = ("clients", "devis", "interventions", "invoices")


def committed_first(uow: FakeUnitOfWork, other: Callable[[FakeUnitOfWork], None], refusal: DomainError) -> list[int]:
    """From now, the first commit is refused with ``refusal`` after ``other(uow)`` wrote the other
    transaction's records; the list counts the commits refused (one at most)."""
    snapshot = {name: copy(getattr(uow, name).items) for name in REPOSITORIES}
    commit, refused = uow._commit, []

    def refuse_once() -> None:
        if refused:
            return commit()
        for name, items in snapshot.items():  # this transaction's writes rolled back
            getattr(uow, name).items = copy(items)
        other(uow)
        refused.append(1)
        raise refusal

    uow._commit = refuse_once  # type: ignore[method-assign]
    return refused
