"""What the database refuses because another transaction got there first, as a domain error — the one
place that reads the database's refusals:

- an intervenant's overlapping interventions (PostgreSQL's exclusion constraint
  ``ex_interventions_no_overlap``, SQLite's triggers ``interventions_no_overlap_*``) → SlotUnavailable;
- a second client with the same e-mail or shop client id in a company (``uq_clients_company_id_email``,
  ``uq_clients_company_id_shop_client_id``) → ClientAlreadyExists;
- any other unique constraint, a stale version (optimistic lock), a lock or serialization failure →
  ConcurrencyConflict.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ogust.domain.errors import ClientAlreadyExists, ConcurrencyConflict, DomainError, SlotUnavailable

# serialization failure, deadlock, lock not available (PostgreSQL)
_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}
NO_OVERLAP = "interventions_no_overlap"  # in the constraint's name (PostgreSQL) and the triggers' message (SQLite)
# the unique index of a client's key: its name (PostgreSQL), the columns SQLite names instead
CLIENT_KEYS = {
    "email": ("uq_clients_company_id_email", "clients.company_id, clients.email"),
    "shop_client_id": ("uq_clients_company_id_shop_client_id", "clients.company_id, clients.shop_client_id"),
}


def is_conflict(error: BaseException) -> bool:
    if isinstance(error, (IntegrityError, StaleDataError)):
        return True
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        return sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in str(error.orig)
    return False


def domain_error(error: IntegrityError | StaleDataError | DBAPIError) -> DomainError:
    """The domain's name for what the database refused."""
    said = _refusal(error)
    detail = said[:500]
    if NO_OVERLAP in said:
        return SlotUnavailable("L'intervenant a déjà une intervention sur ce créneau : une autre opération "
                               "vient de la planifier.", reason="ex_interventions_no_overlap", detail=detail)
    for key, names in CLIENT_KEYS.items():
        if any(name in said for name in names):
            what = "cette adresse email" if key == "email" else "cet identifiant client boutique"
            return ClientAlreadyExists(f"Un autre client de l'entreprise a déjà {what}.", field=key,
                                       reason=names[0], detail=detail)
    return ConcurrencyConflict("Ces données viennent d'être modifiées par une autre opération : réessayez.",
                               reason=type(error).__name__, detail=detail)


def _refusal(error: BaseException) -> str:
    """The database's words, with the name of the constraint when the driver gives it (psycopg)."""
    original = getattr(error, "orig", None)
    diag = getattr(original, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    return f"{constraint} {original if original is not None else error}".strip()


@contextmanager
def conflicts_as_domain_errors(session: Session) -> Iterator[None]:
    """Roll back and raise the domain error (above) on a constraint, optimistic-lock or lock conflict.
    Wraps commits and queries alike (a query may autoflush pending changes)."""
    try:
        yield
    except (IntegrityError, StaleDataError, DBAPIError) as error:
        if not is_conflict(error):
            raise
        session.rollback()
        raise domain_error(error) from error
