"""Persistence of access: API keys, the audit log written at every commit, and Idempotency-Key answers."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, bindparam, delete, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.repositories import _Repository
from ogust.adapters.persistence.types import UtcDateTime
from ogust.domain.aggregate import Aggregate
from ogust.domain.api_key import ApiKey
from ogust.domain.company import NumberSequence

# Never written to the audit log: only "[masqué]" says that they changed.
SECRET_FIELDS = re.compile(r"secret|hash|password|token|api_key|stripe_customer|payment_method|card|iban",
                           re.IGNORECASE)
MASKED = "[masqué]"
REDACTED = "[effacé (RGPD)]"
NOT_AUDITED = (NumberSequence,)  # numbering counters: the numbered document's own entry says it


class SqlAlchemyApiKeyRepository(_Repository[ApiKey]):
    entity = ApiKey
    table = t.api_keys
    what = "clé d'API"

    def by_prefix(self, prefix: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(t.api_keys.c.prefix == prefix)).first()


# --- audit -----------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _shown(name: str, value: Any) -> Any:
    return MASKED if SECRET_FIELDS.search(name) and value is not None else _plain(value)


@functools.cache
def _audited_columns(cls: type) -> tuple[tuple[str, bool], ...]:
    """(attribute, is a secret) of each mapped column of ``cls`` but the version."""
    return tuple((attr.key, bool(SECRET_FIELDS.search(attr.key)))
                 for attr in inspect(cls).column_attrs if attr.key != "version")


_INSERT_AUDIT_ENTRIES = insert(t.audit_log)  # built once: one executemany per commit


class AuditRecorder:
    """Listens to a session's flushes and remembers, per aggregate, what changed (before/after, changed
    columns only); ``write`` appends the entries to ``audit_log`` in the same transaction."""

    def __init__(self, actor: Callable[[], str], now: Callable[[], datetime]) -> None:
        self.actor = actor
        self.now = now
        self.entries: dict[tuple[str, str], dict[str, Any]] = {}
        self.redactions: set[tuple[str, str]] = set()  # (company id, client id) erased at this commit

    def before_flush(self, session: Session, _context: object, _instances: object) -> None:
        for obj in session.new:
            self.created(obj)
        for obj in session.dirty:
            if not isinstance(obj, Aggregate) or isinstance(obj, NOT_AUDITED):
                continue
            state = inspect(obj)
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for attr in state.mapper.column_attrs:
                if attr.key == "version":
                    continue
                history = state.attrs[attr.key].history
                if not history.has_changes():
                    continue
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if old == new:
                    continue
                before[attr.key], after[attr.key] = _shown(attr.key, old), _shown(attr.key, new)
            if after:
                self._merge(obj, "updated", before, after)
        for obj in session.deleted:
            if isinstance(obj, Aggregate) and not isinstance(obj, NOT_AUDITED):
                self._merge(obj, "deleted", {}, {})

    def created(self, obj: object) -> None:
        """A new record (an aggregate, not a numbering counter): each of its columns as written."""
        if isinstance(obj, Aggregate) and not isinstance(obj, NOT_AUDITED):
            after = {key: MASKED if secret and value is not None else _plain(value)
                     for key, secret in _audited_columns(type(obj))
                     for value in (getattr(obj, key, None),)}
            self._merge(obj, "created", {}, after)

    def _merge(self, obj: Aggregate, action: str, before: dict, after: dict) -> None:
        key = (type(obj).__name__, obj.id)
        entry = self.entries.get(key)
        if entry is None:
            company_id = obj.id if type(obj).__name__ == "Company" else getattr(obj, "company_id", None)
            self.entries[key] = {"company_id": company_id, "entity_type": key[0], "entity_id": obj.id,
                                 "action": action, "before": before, "after": after}
            return
        for name, value in before.items():
            entry["before"].setdefault(name, value)
        entry["after"].update(after)
        if action == "deleted":
            entry["action"] = "deleted"

    def write(self, session: Session) -> None:
        now = self.now()
        redact = _redaction_targets(session, self.redactions)
        if self.entries:
            actor = self.actor()
            rows = []
            for entry in self.entries.values():
                changes = {"before": entry["before"], "after": entry["after"]}
                target = redact.get((entry["company_id"], entry["entity_id"]), False)
                redacted = _redacted(changes, target) if target is not False else None
                rows.append({"company_id": entry["company_id"], "at": now, "actor": actor[:200],
                             "entity_type": entry["entity_type"], "entity_id": entry["entity_id"],
                             "action": entry["action"], "changes": redacted or changes,
                             "redacted_at": now if redacted else None})
            session.execute(_INSERT_AUDIT_ENTRIES, rows)
        for (company_id, entity_id), fields in redact.items():
            _redact_past_entries(session, company_id, entity_id, fields, now)
        self.clear()

    def clear(self) -> None:
        self.entries = {}
        self.redactions = set()


# What a GDPR erasure redacts besides the client's own entries: what names or locates the client.
PERSONAL_FIELDS = re.compile(r"address|client_identity|first_name|last_name|email|phone", re.IGNORECASE)
_CLIENT_DOCUMENTS = (t.interventions, t.devis, t.invoices, t.credit_notes, t.attestations)


def _redaction_targets(session: Session, clients: set[tuple[str, str]]) -> dict[tuple[str, str], re.Pattern | None]:
    """(company, entity) -> which fields to redact (None: all) for the erased ``clients``."""
    targets: dict[tuple[str, str], re.Pattern | None] = {}
    for company_id, client_id in clients:
        for table in _CLIENT_DOCUMENTS:
            for entity_id in session.scalars(select(table.c.id).where(table.c.company_id == company_id,
                                                                      table.c.client_id == client_id)):
                targets[(company_id, entity_id)] = PERSONAL_FIELDS
        targets[(company_id, client_id)] = None
    return targets


def _redacted(changes: dict[str, Any], fields: re.Pattern | None) -> dict[str, Any] | None:
    """Which fields changed stays; the values of ``fields`` (all when None) go. None if none of them is there."""
    hit = False
    result: dict[str, Any] = {}
    for side, values in changes.items():
        result[side] = {}
        for name, value in values.items():
            if fields is None or fields.search(name):
                hit = True
                result[side][name] = REDACTED
            else:
                result[side][name] = value
    return result if hit else None


def _redact_past_entries(session: Session, company_id: str, entity_id: str, fields: re.Pattern | None,
                         at: datetime) -> None:
    c = t.audit_log.c
    rows = session.execute(select(c.id, c.changes).where(c.company_id == company_id, c.entity_id == entity_id,
                                                         c.redacted_at.is_(None))).all()
    postgresql = session.get_bind().dialect.name == "postgresql"
    for row_id, changes in rows:
        redacted = _redacted(changes, fields)
        if redacted is None:
            continue
        if postgresql:  # the application's role may not UPDATE audit_log: the owner's function does (0016)
            session.execute(_REDACT_ON_POSTGRESQL, {"id": row_id, "changes": redacted, "at": at})
        else:
            session.execute(update(t.audit_log).where(c.id == row_id).values(changes=redacted, redacted_at=at))


_REDACT_ON_POSTGRESQL = select(func.audit_log_redact(bindparam("id"), bindparam("changes", type_=JSON),
                                                     bindparam("at", type_=UtcDateTime())))


class SqlAlchemyAuditTrail:
    """What a use case may ask of the audit log: the GDPR redaction, done when the unit of work commits."""

    def __init__(self, recorder: AuditRecorder) -> None:
        self.recorder = recorder

    def redact_client(self, company_id: str, client_id: str) -> None:
        self.recorder.redactions.add((company_id, client_id))


@dataclass(frozen=True)
class AuditEntry:
    id: int
    company_id: str | None
    at: datetime
    actor: str
    entity_type: str
    entity_id: str
    action: str
    changes: dict
    redacted_at: datetime | None = None


class SqlAlchemyAuditLog:
    """Reads the audit log of a company (newest first). There is no way to change or delete it here."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self.session_factory = session_factory

    def entries(self, company_id: str, entity_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
        statement = (select(t.audit_log).where(t.audit_log.c.company_id == company_id)
                     .order_by(t.audit_log.c.id.desc()).limit(max(1, min(limit, 1000))))
        if entity_id:
            statement = statement.where(t.audit_log.c.entity_id == entity_id)
        with self.session_factory() as session:
            return [AuditEntry(r.id, r.company_id, r.at, r.actor, r.entity_type, r.entity_id, r.action, r.changes,
                               r.redacted_at) for r in session.execute(statement)]


# --- Idempotency-Key -------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status_code: int | None  # None: the first request with this key is still being answered
    content_type: str | None
    body: str | None


class SqlAlchemyIdempotencyStore:
    """One row per (company, key): reserved before the request runs, completed with its answer."""

    def __init__(self, session_factory: Callable[[], Session], now: Callable[[], datetime]) -> None:
        self.session_factory = session_factory
        self.now = now

    def reserve(self, scope: str, key: str, request_hash: str) -> StoredResponse | None:
        """None when reserved for this request; otherwise what is stored under the key."""
        table = t.idempotency_keys
        with self.session_factory() as session:
            try:
                session.execute(insert(table).values(scope=scope, key=key, request_hash=request_hash,
                                                     created_at=self.now()))
                session.commit()
                return None
            except IntegrityError:
                session.rollback()
            row = session.execute(select(table).where(table.c.scope == scope, table.c.key == key)).first()
        if row is None:  # released meanwhile: try again once
            return self.reserve(scope, key, request_hash)
        return StoredResponse(row.request_hash, row.status_code, row.content_type, row.body)

    def complete(self, scope: str, key: str, status_code: int, content_type: str, body: str) -> None:
        table = t.idempotency_keys
        with self.session_factory() as session:
            session.execute(update(table).where(table.c.scope == scope, table.c.key == key)
                            .values(status_code=status_code, content_type=content_type, body=body))
            session.commit()

    def release(self, scope: str, key: str) -> None:
        """The request failed: the key may be used again."""
        table = t.idempotency_keys
        with self.session_factory() as session:
            session.execute(delete(table).where(table.c.scope == scope, table.c.key == key))
            session.commit()
