"""What the database refuses because another transaction got there first, as a domain error."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ogust.domain.errors import ConcurrencyConflict

# serialization failure, deadlock, lock not available (PostgreSQL)
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}


def is_conflict(error: BaseException) -> bool:
    if isinstance(error, (IntegrityError, StaleDataError)):
        return True
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        return sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in str(error.orig)
    return False


@contextmanager
def conflicts_as_domain_errors(session: Session) -> Iterator[None]:
    """Roll back and raise ConcurrencyConflict on a unique/optimistic-lock/lock conflict.
    Wraps commits and queries alike (a query may autoflush pending changes)."""
    try:
        yield
    except (IntegrityError, StaleDataError, DBAPIError) as error:
        if not is_conflict(error):
            raise
        session.rollback()
        raise ConcurrencyConflict(
            "Ces données viennent d'être modifiées par une autre opération : réessayez.",
            reason=type(error).__name__,
            detail=str(getattr(error, "orig", error))[:500],
        ) from error
