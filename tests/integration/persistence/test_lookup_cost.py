"""What an order or a batch reads costs the same whatever the size of the company: a client is found
by an index on its key (not by walking every client of the company in name order), a batch's chunk
by its ids, and the planning of an intervenant is read from a day before the slot, not from their
first intervention ever.

The query plans are checked on SQLite, whose planner does not depend on statistics: the very
statements the repositories send, captured as they go. The 24-hour bound is checked on every
database, across a change of time."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, event

from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.client import Client
from ogust.domain.intervention import Intervention, InterventionStatus
from tests.integration.persistence.conftest import ADDRESS, World

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def sqlite_plan(engine: Engine, statement: str, parameters: object) -> str:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return " | ".join(row[-1] for row in rows)


@pytest.fixture
def sqlite_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans are checked on SQLite (PostgreSQL's depend on its statistics)")
    return engine


def test_the_client_of_an_order_is_found_by_its_key_index(
        world: World, make_uow: Callable[[], SqlAlchemyUnitOfWork], sqlite_engine: Engine) -> None:
    with make_uow() as uow:  # more clients, so that a walk of the company's clients would show
        for n in range(30):
            uow.clients.add(Client(world.company_id, "Jean", f"Client{n:02d}", f"c{n}@example.fr", ADDRESS))
        uow.commit()
    with make_uow() as uow, statements_sent(sqlite_engine) as sent:
        assert uow.clients.by_email(world.company_id, "c7@example.fr").last_name == "Client07"
        assert uow.clients.by_shop_client_id(world.company_id, "sc_nobody") is None
    by_email, by_shop_id = (sqlite_plan(sqlite_engine, *s) for s in sent)
    # the unique indexes of revision 0015 (one client per e-mail, per shop id): one entry, nothing to sort
    assert "uq_clients_company_id_email (company_id=? AND email=?)" in by_email, by_email
    assert "uq_clients_company_id_shop_client_id (company_id=? AND shop_client_id=?)" in by_shop_id, by_shop_id
    assert "TEMP B-TREE" not in by_email + by_shop_id


def test_a_batch_reads_its_chunk_by_key_not_by_walking_the_company(
        world: World, make_uow: Callable[[], SqlAlchemyUnitOfWork], sqlite_engine: Engine) -> None:
    """Shop export and attestations read a chunk of records by id (and the credit notes of a chunk
    of invoices): through the key, whatever the company's size (in name or number order, SQLite
    walked every record of the company for each chunk — a batch quadratic in the company's size)."""
    with make_uow() as uow, statements_sent(sqlite_engine) as sent:
        assert [c.id for c in uow.clients.get_many(world.company_id, [world.client.id, "missing"])] == [world.client.id]
        uow.intervenants.get_many(world.company_id, [world.intervenant.id])
        uow.invoices.get_many(world.company_id, ["inv_a", "inv_b"])
        uow.credit_notes.for_invoices(world.company_id, ["inv_a", "inv_b"])
    plans = [sqlite_plan(sqlite_engine, *s) for s in sent if "invoice_lines" not in s[0]]
    clients, intervenants, invoices, credit_notes = plans
    assert "USING INDEX sqlite_autoindex_clients_1 (id=?)" in clients, clients
    assert "USING INDEX sqlite_autoindex_intervenants_1 (id=?)" in intervenants, intervenants
    assert "USING INDEX sqlite_autoindex_invoices_1 (id=?)" in invoices, invoices
    assert "ix_credit_notes_company_id_invoice_id (company_id=? AND invoice_id=?)" in credit_notes, credit_notes


def test_the_planning_of_a_slot_is_read_from_a_day_before_it(
        world: World, make_uow: Callable[[], SqlAlchemyUnitOfWork], sqlite_engine: Engine) -> None:
    with make_uow() as uow, statements_sent(sqlite_engine) as sent:
        uow.interventions.for_intervenant(world.company_id, world.intervenant.id,
                                          datetime(2026, 10, 5, 9, tzinfo=PARIS),
                                          datetime(2026, 10, 5, 11, tzinfo=PARIS))
    (planning,) = (sqlite_plan(sqlite_engine, *s) for s in sent)
    assert "ix_interventions_planning (company_id=? AND intervenant_id=? AND starts_at>? AND starts_at<?)" in planning


@pytest.mark.parametrize("day", [5, 25], ids=["ordinary day", "clocks go back (25 h day)"])
def test_an_intervention_of_24_hours_begun_the_day_before_still_holds_the_slot(
        world: World, make_uow: Callable[[], SqlAlchemyUnitOfWork], day: int) -> None:
    """The lower bound (start − 24 h, in UTC) keeps every intervention that intersects the slot."""
    slot_start = datetime(2026, 10, day, 9, tzinfo=PARIS)
    longest = slot_start.astimezone(ZoneInfo("UTC")) - timedelta(hours=23, minutes=59)
    held = Intervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id,
                        longest, longest + timedelta(hours=24), ADDRESS)
    over = slot_start.astimezone(ZoneInfo("UTC")) - timedelta(hours=24)  # ends as the slot starts
    # cancelled: it overlaps ``held``, which the database refuses of two live ones (revision 0015); the
    # planning read returns cancelled interventions too, so its bounds are tested all the same
    ended = Intervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id,
                         over, over + timedelta(hours=24), ADDRESS, status=InterventionStatus.CANCELLED)
    with make_uow() as uow:
        uow.interventions.add(held)
        uow.interventions.add(ended)
        uow.commit()
    with make_uow() as uow:
        found = uow.interventions.for_intervenant(world.company_id, world.intervenant.id, slot_start,
                                                  slot_start + timedelta(hours=2))
    assert [i.id for i in found] == [held.id]
