"""Which company a shop account belongs to, and the secrets its orders are signed with — read from
the database once and kept one second, so that a burst of signed orders does not cost a transaction each.

A company changed by a unit of work of this process (its secret rotated, its shop linked) is read
again at once: the cache is emptied when such a change commits. A change made by another process
(``ogust shop rotate-secret`` while the API runs) is seen within ``ttl`` seconds; a secret new to
this process is seen at once, since the API reads the company again before refusing a signature
(``fresh=True``). Only a secret withdrawn by another process without grace stays accepted here for
up to ``ttl`` seconds: one, the bound docs/security.md gives (tests/integration/security_access/
test_withdrawn_secret_processes.py checks it with two processes).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.mappers import map_tables
from ogust.domain.company import Company
from ogust.domain.errors import NotFound

DEFAULT_TTL_SECONDS = 1.0
_CHANGED = "ogust_company_changed"  # set in a session's info when a flush wrote a company


class CachedShopAccounts:
    """``company(account_id)`` returns a detached, read-only ``Company``: check signatures with it,
    never change it (a handler loads its own in its unit of work)."""

    def __init__(self, session_factory: sessionmaker, ttl: float = DEFAULT_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        map_tables()
        self.session_factory = session_factory
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, tuple[float, Company]] = {}
        self._generation = 0  # bumped by every invalidation: a read that straddles one is not kept
        self._lock = threading.Lock()
        event.listen(session_factory, "after_flush", _note_company_changes)
        event.listen(session_factory, "after_commit", self._after_commit)
        event.listen(session_factory, "after_rollback", _forget_company_changes)

    def cached(self, account_id: str) -> Company | None:
        """The company from memory, if read less than ``ttl`` seconds ago (no I/O)."""
        entry = self._entries.get(account_id)
        if entry is None or self.clock() - entry[0] >= self.ttl:
            return None
        return entry[1]

    def company(self, account_id: str, fresh: bool = False) -> Company:
        """The company linked to ``account_id`` (NotFound otherwise); ``fresh``: read from the database
        whatever the cache holds."""
        if not fresh:
            cached = self.cached(account_id)
            if cached is not None:
                return cached
        with self._lock:
            generation = self._generation
        with self.session_factory() as session:
            company = session.scalars(select(Company).where(t.companies.c.shop_account_id == account_id)
                                      .order_by(t.companies.c.id).limit(1)).first()
        if company is None:
            raise NotFound("compte boutique", account_id)
        with self._lock:
            if generation == self._generation:
                self._entries[account_id] = (self.clock(), company)
        return company

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries = {}

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(_CHANGED, False):
            self.invalidate()


def _forget_company_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _note_company_changes(session: Session, _flush_context: object) -> None:
    if any(isinstance(obj, Company) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True
