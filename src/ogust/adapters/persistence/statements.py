"""INSERT … ON CONFLICT for the two databases we run on (both speak it; SQLAlchemy spells it per dialect)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database: {dialect}")


def insert_unless_exists(session: Session, table: Table, keys: Sequence[str], values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same ``keys`` exists (even in a concurrent transaction,
    which is waited for). True when inserted."""
    statement = _insert(session, table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    return session.execute(statement).rowcount == 1


def upsert(session: Session, table: Table, keys: Sequence[str], values: dict[str, Any], update: Sequence[str]) -> None:
    """Insert the row, or update the ``update`` columns of the existing one with the same ``keys``."""
    statement = _insert(session, table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}
    )
    session.execute(statement)
