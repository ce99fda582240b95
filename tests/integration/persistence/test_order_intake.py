"""An order on the real database: the rows and audit entries it writes (new clients, devis and
interventions go in as plain INSERTs, then stay in the unit of work as loaded records), and exactly
one devis when the same order arrives twice at once."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ogust.adapters.persistence import tables as t
from ogust.application import commands as c
from ogust.application.access import acting_as
from ogust.application.handlers.orders import OrderResult, PlaceOrderHandler
from ogust.domain.client import Client, ClientOrigin
from ogust.domain.devis import DevisStatus
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.units import Quantity
from tests.support.concurrency import at_once

from .conftest import ADDRESS, World

pytestmark = pytest.mark.integration


class Cards:
    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        return True


@pytest.fixture
def shop(world: World, make_uow) -> World:
    """The world's company linked to a shop whose ``svc_menage`` is the world's tarif."""
    with make_uow() as uow:
        uow.companies.get(world.company_id).link_shop(f"acc_{uuid.uuid4().hex[:10]}", "secret-0123456789abcdef")
        uow.mappings.add(ShopServiceMapping(world.company_id, "svc_menage", "Ménage", world.tarif.id))
        uow.commit()
    return world


def _order(world: World, clock, order_id: str | None = None, hours_ahead: int = 48) -> c.PlaceOrder:
    start = clock.now() + timedelta(hours=hours_ahead)
    shop_client = f"cli_{uuid.uuid4().hex[:8]}"
    return c.PlaceOrder(
        world.company_id, order_id or f"ord_{uuid.uuid4().hex[:8]}",
        c.OrderCustomer(shop_client, f"{shop_client}@example.fr", "Jean", "Dupont", ADDRESS, "06 12 34 56 78"),
        (c.OrderItem("svc_menage", world.intervenant.id, start, start + timedelta(minutes=150),
                     world.tarif.price_ttc),),
        "cus_1", "pm_1")


def _audit(engine, *entity_ids: str) -> dict[str, tuple[str, str, str, dict]]:
    a = t.audit_log.c
    with engine.connect() as connection:
        rows = connection.execute(select(a.entity_id, a.entity_type, a.action, a.actor, a.changes)
                                  .where(a.entity_id.in_(entity_ids)))
        return {r.entity_id: (r.entity_type, r.action, r.actor, r.changes) for r in rows}


def test_an_order_writes_its_records_and_their_audit_entries(shop: World, make_uow, clock, engine) -> None:
    with acting_as("shop-webhook"):
        result = PlaceOrderHandler(make_uow, Cards())(_order(shop, clock))
    with make_uow() as uow:
        client = uow.clients.get(shop.company_id, result.client_id)
        devis = uow.devis.get(shop.company_id, result.devis_id)
        [intervention] = uow.interventions.for_devis(shop.company_id, devis.id)
    assert (client.origin, client.stripe_payment_method_id, client.version) == (ClientOrigin.SHOP, "pm_1", 1)
    assert (devis.status, devis.client_id, devis.version) == (DevisStatus.ACCEPTED, client.id, 1)
    assert [(line.position, line.quantity) for line in devis.lines] == [(0, Quantity.hours_minutes(150))]
    assert devis.total_ttc == devis.lines[0].amount_ttc
    assert (intervention.id, intervention.client_id, intervention.intervenant_id) == (
        result.intervention_ids[0], client.id, shop.intervenant.id)
    entries = _audit(engine, client.id, devis.id, intervention.id)
    assert {entity: entry[:3] for entity, entry in entries.items()} == {
        client.id: ("Client", "created", "shop-webhook"), devis.id: ("Devis", "created", "shop-webhook"),
        intervention.id: ("Intervention", "created", "shop-webhook")}
    after = entries[client.id][3]["after"]
    assert (after["shop_client_id"], after["stripe_payment_method_id"], after["email"]) == (
        client.shop_client_id, "[masqué]", client.email)
    assert entries[devis.id][3]["after"]["shop_order_id"] == result.shop_order_id


def test_a_record_written_in_bulk_is_updated_like_any_other(shop: World, make_uow, engine) -> None:
    """After its INSERT, a new record stays in the unit of work as a loaded one: changed and committed
    again, it is updated under its version (optimistic lock), and audited as updated."""
    with make_uow() as uow:
        client = Client(shop.company_id, "Anne", "Petit", f"anne.{uuid.uuid4().hex[:8]}@example.fr", ADDRESS)
        uow.clients.add(client)
        uow.commit()
        client.update(phone="0611111111")
        uow.commit()
    with make_uow() as uow:
        again = uow.clients.get(shop.company_id, client.id)
        assert (again.phone, again.version) == ("0611111111", 2)
    a = t.audit_log.c
    with engine.connect() as connection:
        actions = connection.scalars(select(a.action).where(a.entity_id == client.id).order_by(a.id)).all()
    assert actions == ["created", "updated"]


def test_the_same_order_twice_at_once_makes_one_devis(shop: World, make_uow, clock, engine) -> None:
    order = _order(shop, clock, hours_ahead=72)
    place = PlaceOrderHandler(make_uow, Cards())
    results = at_once(lambda: place(order))
    assert all(isinstance(r, OrderResult) for r in results), results
    first, second = results
    assert (first.client_id, first.devis_id, first.intervention_ids) == (
        second.client_id, second.devis_id, second.intervention_ids)
    assert sorted([first.replayed, second.replayed]) == [False, True]
    with engine.connect() as connection:
        def count(table, *where) -> int:
            return connection.scalar(select(func.count()).select_from(table).where(*where))

        assert count(t.devis, t.devis.c.shop_order_id == order.shop_order_id) == 1
        assert count(t.clients, t.clients.c.shop_client_id == order.customer.shop_client_id) == 1
        assert count(t.interventions, t.interventions.c.devis_id == first.devis_id) == 1
