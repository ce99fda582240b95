"""On PostgreSQL, two workers claiming at the same moment take different batches at once: the
candidates are picked with FOR UPDATE SKIP LOCKED, so the second neither waits for the first's
transaction nor picks its rows (the conditional UPDATE stays the guarantee, on SQLite too)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from ogust.adapters.persistence.database import make_engine, make_session_factory
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application.outbox import OutboxJob
from tests.fakes import FixedClock
from tests.support.databases import BACKENDS

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif("postgresql" not in BACKENDS,
                                 reason="SKIP LOCKED is PostgreSQL's (set OGUST_TEST_DATABASE_URL)")]

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_two_claims_at_once_take_different_batches_without_waiting(migrated_database) -> None:
    url = migrated_database("postgresql")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = FixedClock(NOW)
    company = str(uuid.uuid4())
    try:
        with SqlAlchemyUnitOfWork(factory, clock) as uow:
            for n in range(12):
                uow.outbox.add(OutboxJob(company_id=company, effect="test.skip", key=f"k{n}", payload={},
                                         created_at=NOW, available_at=NOW))
            uow.commit()
        lease = NOW + timedelta(minutes=1)
        with SqlAlchemyUnitOfWork(factory, clock) as first, SqlAlchemyUnitOfWork(factory, clock) as second:
            mine = first.outbox.claim("first", NOW, lease, 5, ["test.skip"])  # its transaction stays open
            second.session.execute(text("SET LOCAL statement_timeout = 3000"))  # waiting would fail the test
            theirs = second.outbox.claim("second", NOW, lease, 5, ["test.skip"])
            second.commit()
            first.commit()
        assert len(mine) == len(theirs) == 5
        assert not {j.id for j in mine} & {j.id for j in theirs}
        with SqlAlchemyUnitOfWork(factory, clock) as uow:
            left = uow.outbox.claim("third", NOW, lease, 10, ["test.skip"])
            uow.commit()
        assert len(left) == 2
    finally:
        engine.dispose()
