"""The unit of work on a SQLAlchemy session: one session (one transaction) per use case.

Provide it as a Factory (``lambda: SqlAlchemyUnitOfWork(session_factory, clock)``), never as a
singleton: a session is not to be shared between threads or requests.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from ogust.adapters.persistence import repositories as repos
from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.access import AuditRecorder, SqlAlchemyApiKeyRepository, SqlAlchemyAuditTrail
from ogust.adapters.persistence.conflicts import conflicts_as_domain_errors
from ogust.adapters.persistence.email_log import SqlAlchemyEmailLog, SqlAlchemyInbox
from ogust.adapters.persistence.mappers import map_tables
from ogust.adapters.persistence.outbox_store import SqlAlchemyOutboxStore
from ogust.application.access import current_actor
from ogust.application.ports import Clock
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.aggregate import Aggregate
from ogust.domain.client import Client
from ogust.domain.devis import Devis
from ogust.domain.intervention import Intervention

# Written by ``_insert_new``: plain aggregates (no server-side defaults) created by the thousand.
INSERTED_IN_BULK: frozenset[type] = frozenset({Client, Devis, Intervention})
# (collection, the children's column naming their parent) of the aggregates above that have lines
_CHILDREN: dict[type, tuple[tuple[str, str], ...]] = {Devis: (("lines", "devis_id"),)}
# parents before children (foreign keys), whatever classes are inserted in bulk
_TABLE_ORDER = {table: position for position, table in enumerate(t.metadata.sorted_tables)}


@cache
def _insertable(cls: type) -> tuple[Table, tuple[tuple[str, str], ...]]:
    """The table of a class inserted in bulk and (column, attribute) for each of its columns."""
    mapper = inspect(cls)
    return mapper.local_table, tuple((column.key, prop.key) for prop in mapper.column_attrs for column in prop.columns)


_UNIT_OF_WORK = "ogust_unit_of_work"


@event.listens_for(Session, "loaded_as_persistent")
def _loaded(session: Session, instance: object) -> None:
    uow = session.info.get(_UNIT_OF_WORK)
    if uow is not None:
        uow._keep(instance)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, context: object, instances: object) -> None:
    uow = session.info.get(_UNIT_OF_WORK)
    if uow is not None:
        uow._audit.before_flush(session, context, instances)


class SqlAlchemyUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: Callable[[], Session], clock: Clock) -> None:
        map_tables()
        self.session_factory = session_factory
        self.clock = clock
        self.session: Session | None = None

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        session = self.session = self.session_factory()
        # The session holds unmodified objects weakly: an aggregate that only recorded an event
        # (ExportToShop asking for each client's transmission changes no column) would be
        # garbage-collected, events and all, as soon as the handler let go of it. Keep every
        # aggregate loaded in this unit of work until it ends, so that commit sees its events.
        self._loaded: list[Aggregate] = []
        # Every change is audited in its own transaction: who (the actor of this context), what, before/after.
        self._audit = AuditRecorder(current_actor, self.clock.now)
        session.info[_UNIT_OF_WORK] = self  # the session's events reach this unit of work (below)
        self.audit = SqlAlchemyAuditTrail(self._audit)
        self.api_keys = SqlAlchemyApiKeyRepository(session)
        self.companies = repos.SqlAlchemyCompanyRepository(session)
        self.tarifs = repos.SqlAlchemyTarifRepository(session)
        self.mappings = repos.SqlAlchemyMappingRepository(session)
        self.intervenants = repos.SqlAlchemyIntervenantRepository(session)
        self.clients = repos.SqlAlchemyClientRepository(session)
        self.devis = repos.SqlAlchemyDevisRepository(session)
        self.interventions = repos.SqlAlchemyInterventionRepository(session)
        self.invoices = repos.SqlAlchemyInvoiceRepository(session)
        self.attestations = repos.SqlAlchemyAttestationRepository(session)
        self.payment_attempts = repos.SqlAlchemyPaymentAttemptRepository(session)
        self.payments = repos.SqlAlchemyPaymentRepository(session)
        self.credit_notes = repos.SqlAlchemyCreditNoteRepository(session)
        self.sequences = repos.SqlAlchemySequenceRepository(session)
        self.emails = SqlAlchemyEmailLog(session)
        self.inbox = SqlAlchemyInbox(session)
        self.outbox = SqlAlchemyOutboxStore(session)
        return self

    def __exit__(self, *args: Any) -> None:
        """Closing rolls back whatever was not committed; loaded objects stay readable (detached)."""
        self._holds = {}  # for this unit of work only
        if self.session is not None:
            self.session.close()
            self.session.info.pop(_UNIT_OF_WORK, None)
            self.session = None
            self._loaded = []

    def commit(self) -> None:
        """Outbox jobs of the pulled events, then COMMIT. A unique constraint, an optimistic lock
        (version) or a lock conflict raises ConcurrencyConflict, after rollback."""
        with conflicts_as_domain_errors(self._session):
            super().commit()

    def _keep(self, instance: object) -> None:
        if isinstance(instance, Aggregate):
            self._loaded.append(instance)

    def _seen(self) -> Iterator[Aggregate]:
        session = self._session
        seen: set[int] = set()
        for obj in [*session.new, *session.identity_map.values(), *self._loaded]:
            if isinstance(obj, Aggregate) and id(obj) not in seen:
                seen.add(id(obj))
                yield obj

    def _commit(self) -> None:
        session = self._session
        self._insert_new(session)
        session.flush()
        self._audit.write(session)
        session.commit()

    def _insert_new(self, session: Session) -> None:
        """New clients, devis (with their lines) and interventions — what an order creates — go in as
        plain INSERTs, one statement per table, then stay in the session as records loaded as they
        are; the ORM's flush (which sorts every pending change) writes the rest. Same rows, same
        audit entries, same conflicts (a unique constraint still raises at once)."""
        new = [obj for obj in session.new if type(obj) in INSERTED_IN_BULK]
        if not new:
            return
        children: list[object] = []
        for obj in new:
            self._audit.created(obj)
            for name, parent_key in _CHILDREN.get(type(obj), ()):
                for position, child in enumerate(getattr(obj, name)):
                    setattr(child, parent_key, obj.id)
                    child.position = position  # type: ignore[attr-defined]
                    children.append(child)
        for obj in new:
            session.expunge(obj)  # and its lines (cascade): transient again
        rows: dict[Table, list[dict[str, Any]]] = {}
        for obj in [*new, *children]:
            table, columns = _insertable(type(obj))
            rows.setdefault(table, []).append({column: getattr(obj, key) for column, key in columns})
        connection = session.connection()
        for table in sorted(rows, key=_TABLE_ORDER.__getitem__):  # parents first: a line's reference is checked at once
            connection.execute(table.insert(), rows[table])
        for obj in [*new, *children]:
            make_transient_to_detached(obj)
        session.add_all(new)  # persistent, as if just loaded; the lines follow (cascade)

    def rollback(self) -> None:
        self._session.rollback()
        if self.session is not None:
            self._audit.clear()

    @property
    def _session(self) -> Session:
        if self.session is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self.session
