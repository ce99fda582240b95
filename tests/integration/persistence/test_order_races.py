"""Orders and bookings at the same moment, on the real database: the answers are those of orders one
after the other. Threads released together here (the multi-process HTTP races are in the API tests);
on SQLite, a second process too: BEGIN IMMEDIATE makes a check and the insert that follows one step."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application import commands as c
from ogust.application.handlers.orders import OrderResult, PlaceOrderHandler
from ogust.application.handlers.planning import PlanInterventionHandler
from ogust.domain.errors import SlotUnavailable
from ogust.domain.intervention import ensure_slot_bookable
from ogust.domain.shop_service import ShopServiceMapping
from tests.support.concurrency import at_once

from .conftest import ADDRESS, World

pytestmark = pytest.mark.integration
MakeUow = Callable[[], SqlAlchemyUnitOfWork]
ROUNDS = 5
DAY = datetime(2026, 11, 20, 9, tzinfo=UTC)  # 09:00 UTC, well after the tests' clock


class Cards:
    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        return True


@pytest.fixture
def shop(world: World, make_uow: MakeUow) -> World:
    with make_uow() as uow:
        uow.companies.get(world.company_id).link_shop(f"acc_{uuid.uuid4().hex[:10]}", "secret-0123456789abcdef")
        uow.mappings.add(ShopServiceMapping(world.company_id, "svc_menage", "Ménage", world.tarif.id))
        uow.commit()
    return world


def _order(world: World, start: datetime, buyer: str, minutes: int = 120) -> c.PlaceOrder:
    return c.PlaceOrder(
        world.company_id, f"ord_{uuid.uuid4().hex[:8]}",
        c.OrderCustomer(f"sc_{buyer}", f"{buyer}@example.fr", "Jean", "Dupont", ADDRESS),
        (c.OrderItem("svc_menage", world.intervenant.id, start, start + timedelta(minutes=minutes),
                     world.tarif.price_ttc),))


def _count(engine: Engine, table, *where) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table).where(*where))


def test_two_overlapping_orders_at_once_one_is_refused_and_writes_nothing(shop: World, make_uow: MakeUow,
                                                                          engine: Engine) -> None:
    """Two different signed orders for one intervenant, 09:00–11:00 and 09:30–11:30, at once: one is
    accepted, the other refused with slot_unavailable, as one after the other would be — every round."""
    place = PlaceOrderHandler(make_uow, Cards())
    for day in range(ROUNDS):
        start = DAY + timedelta(days=day)
        orders = [_order(shop, start, f"a{day}_{uuid.uuid4().hex[:6]}"),
                  _order(shop, start + timedelta(minutes=30), f"b{day}_{uuid.uuid4().hex[:6]}")]
        results = at_once(lambda orders=orders: place(orders.pop()))
        accepted = [r for r in results if isinstance(r, OrderResult)]
        refused = [r for r in results if isinstance(r, SlotUnavailable)]
        assert (len(accepted), len(refused)) == (1, 1), results
        assert "Paul Durand est déjà en intervention le" in refused[0].message
        i = t.interventions.c
        assert _count(engine, t.interventions, i.company_id == shop.company_id, i.starts_at >= start,
                      i.starts_at < start + timedelta(hours=12)) == 1
        assert _count(engine, t.devis, t.devis.c.company_id == shop.company_id) == day + 1
        assert _count(engine, t.clients, t.clients.c.company_id == shop.company_id) == day + 2  # + the world's


def test_two_orders_of_one_new_buyer_at_once_make_one_client(shop: World, make_uow: MakeUow, engine: Engine) -> None:
    """The same new buyer (e-mail, shop id) sends two different orders together: both are accepted, with
    the one client the first created — every round."""
    place = PlaceOrderHandler(make_uow, Cards())
    for day in range(ROUNDS):
        buyer = f"twin{day}_{uuid.uuid4().hex[:6]}"
        start = DAY + timedelta(days=day)
        orders = [_order(shop, start, buyer, 60), _order(shop, start + timedelta(hours=3), buyer, 60)]
        results = at_once(lambda orders=orders: place(orders.pop()))
        assert all(isinstance(r, OrderResult) and not r.replayed for r in results), results
        assert results[0].client_id == results[1].client_id and results[0].devis_id != results[1].devis_id
        assert _count(engine, t.clients, t.clients.c.company_id == shop.company_id,
                      t.clients.c.email == f"{buyer}@example.fr") == 1


def test_two_bookings_by_hand_at_once_one_gets_slot_unavailable(world: World, make_uow: MakeUow,
                                                                engine: Engine) -> None:
    plan = PlanInterventionHandler(make_uow)

    def book(slots: list[datetime]) -> object:
        start = slots.pop()
        return plan(c.PlanIntervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id,
                                       start, start + timedelta(hours=2)))

    for day in range(ROUNDS):
        start = DAY + timedelta(days=day)
        slots = [start, start + timedelta(minutes=30)]
        results = at_once(lambda slots=slots: book(slots))
        assert sorted(type(r).__name__ for r in results) == ["Intervention", "SlotUnavailable"], results
    assert _count(engine, t.interventions, t.interventions.c.company_id == world.company_id) == ROUNDS


CHILD = """
import json, sys, time
from datetime import datetime, timedelta
from ogust.adapters.persistence.database import make_engine, make_session_factory
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.address import Address
from ogust.domain.intervention import Intervention
from tests.fakes import FixedClock

w = json.loads(sys.argv[1])
start = datetime.fromisoformat(w["start"])
engine = make_engine(w["url"])
sessions = make_session_factory(engine)
with SqlAlchemyUnitOfWork(sessions, FixedClock()) as uow:
    found = uow.interventions.for_intervenant(w["company"], w["intervenant"], start, start + timedelta(hours=2))
    print("checked", len(found), flush=True)  # BEGIN IMMEDIATE taken: the write lock is held from here
    time.sleep(1.0)
    uow.interventions.add(Intervention(w["company"], w["client"], w["intervenant"], w["tarif"], start,
                                       start + timedelta(hours=2), Address("1 rue", "69003", "Lyon")))
    uow.commit()
    print("committed", time.time(), flush=True)
"""


def test_on_sqlite_a_check_and_its_insert_are_one_step_across_processes(world: World, make_uow: MakeUow,
                                                                         engine: Engine, database_url: str) -> None:
    """Another process checks the planning, then books, a second later. Our check of the same slot,
    started in that second, waits for its COMMIT (BEGIN IMMEDIATE: SQLite's write lock, taken at the
    first statement, is held between the check and the insert) and sees the booking: between two
    processes as between our threads (the process's writer lock), no check runs on a stale planning."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL runs transactions side by side: the exclusion constraint decides (tests above)")
    start = DAY + timedelta(days=30)
    args = json.dumps({"url": database_url, "company": world.company_id, "client": world.client.id,
                       "intervenant": world.intervenant.id, "tarif": world.tarif.id, "start": start.isoformat()})
    child = subprocess.Popen([sys.executable, "-c", CHILD, args], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().split() == ["checked", "0"]
        with make_uow() as uow:
            planning = uow.interventions.for_intervenant(world.company_id, world.intervenant.id, start,
                                                         start + timedelta(hours=2))
            checked_at = time.time()
            with pytest.raises(SlotUnavailable):
                ensure_slot_bookable(start + timedelta(minutes=30), start + timedelta(hours=2), uow.clock.now(),
                                     planning, "Paul Durand")
        committed_at = float(child.stdout.readline().split()[1])
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
    assert [i.start for i in planning] == [start] and checked_at >= committed_at
