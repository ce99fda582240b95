"""PlaceOrder: the client found or created, the card checked, every item checked before anything is written."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ogust.application import commands as c
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import CreateClientHandler
from ogust.domain.address import Address
from ogust.domain.client import ClientOrigin
from ogust.domain.errors import (
    AlreadyExists,
    InvalidValue,
    NoPaymentMethod,
    PriceMismatch,
    ServiceNotMapped,
    ServiceNotOffered,
    ShopNotLinked,
    SlotInPast,
    SlotUnavailable,
)
from ogust.domain.money import Money
from ogust.domain.units import Quantity
from tests.unit.application.conftest import SOON, contents, customer, item, order


def test_new_customer_is_created_with_origin_shop_and_card(uow, ready, marie, cards):
    result = PlaceOrderHandler(uow, cards)(order(ready, item(marie)))
    client = uow.clients.get(ready.id, result.client_id)
    assert client.origin is ClientOrigin.SHOP
    assert (client.email, client.shop_client_id) == ("jean@example.fr", "shop_cli_1")
    assert client.require_payment_method() == ("cus_1", "pm_ok")
    [intervention] = [uow.interventions.get(ready.id, i) for i in result.intervention_ids]
    assert (intervention.devis_id, intervention.client_id, intervention.address) == (
        result.devis_id, client.id, client.address)


def test_known_shop_client_id_wins_over_email(uow, ready, marie, cards):
    place = PlaceOrderHandler(uow, cards)
    first = place(order(ready, item(marie)))
    second = place(order(ready, item(marie, SOON + timedelta(days=1)), order_id="ord_2",
                         cust=customer("shop_cli_1", "nouvelle@example.fr")))
    assert second.client_id == first.client_id
    assert len(uow.clients.list(ready.id)) == 1


def test_back_office_client_found_by_email_is_linked_not_duplicated(uow, ready, marie, cards):
    known = CreateClientHandler(uow)(c.CreateClient(ready.id, "Jean", "Dupont", "jean@example.fr",
                                                    Address("3 rue Haute", "75002", "Paris")))
    result = PlaceOrderHandler(uow, cards)(order(ready, item(marie), cust=customer("shop_cli_9", " JEAN@example.FR")))
    assert result.client_id == known.id
    client = uow.clients.get(ready.id, known.id)
    assert client.origin is ClientOrigin.BACK_OFFICE and client.shop_client_id == "shop_cli_9"
    assert len(uow.clients.list(ready.id)) == 1


def test_unusable_card_is_refused_before_anything_is_written(uow, ready, marie, cards):
    cards.remove_card("pm_gone")
    before = contents(uow)
    with pytest.raises(NoPaymentMethod):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie), pm="pm_gone"))
    assert contents(uow) == before


def test_card_belonging_to_another_customer_is_refused(uow, ready, marie, cards):
    cards.add_card("cus_other", "pm_theirs")
    with pytest.raises(NoPaymentMethod):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie), pm="pm_theirs", cus="cus_1"))
    assert uow.devis.list(ready.id) == []


def test_order_without_card_is_accepted(uow, ready, marie, cards):
    cmd = order(ready, item(marie))
    cmd = c.PlaceOrder(cmd.company_id, cmd.shop_order_id, cmd.customer, cmd.items)
    result = PlaceOrderHandler(uow, cards)(cmd)
    assert uow.clients.get(ready.id, result.client_id).stripe_payment_method_id is None
    assert cards.requests == []


def test_two_items_of_one_order_overlapping_each_other_are_refused(uow, ready, marie, cards):
    before = contents(uow)
    with pytest.raises(SlotUnavailable):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie, SOON), item(marie, SOON + timedelta(minutes=60))))
    assert contents(uow) == before


def test_two_items_touching_or_for_two_intervenants_are_accepted(uow, ready, marie, ada, cards):
    result = PlaceOrderHandler(uow, cards)(order(
        ready, item(marie, SOON), item(marie, SOON + timedelta(hours=2)), item(ada, SOON)))
    assert len(result.intervention_ids) == 3
    assert len(uow.devis.get(ready.id, result.devis_id).lines) == 3


def test_hourly_quantity_in_minutes_flat_rate_quantity_one(uow, ready, marie, cards):
    result = PlaceOrderHandler(uow, cards)(order(
        ready, item(marie, SOON, 150), item(marie, SOON + timedelta(hours=3), 90, "svc_forfait", 6000)))
    devis = uow.devis.get(ready.id, result.devis_id)
    assert [l.quantity for l in devis.lines] == [Quantity.hours_minutes(150), Quantity.pieces(1)]
    assert [l.amount_ttc for l in devis.lines] == [Money(6875), Money(6000)]
    assert devis.total_ttc == Money(12875)


def _naive_item(marie):
    start = datetime(2026, 11, 10, 9, 0)
    return c.OrderItem("svc_menage", marie.id, start, start + timedelta(hours=2), Money(2750))


LATER = SOON + timedelta(days=3)


@pytest.mark.parametrize("make,error", [
    (lambda m: item(m, SOON - timedelta(days=10)), SlotInPast),
    (lambda m: item(m, LATER, price=2700), PriceMismatch),
    (lambda m: item(m, LATER, service="svc_garde", price=2200), ServiceNotMapped),
    (lambda m: item(m, LATER, minutes=0), InvalidValue),
    (lambda m: item(m, LATER, minutes=-60), InvalidValue),
    (_naive_item, InvalidValue),
])
def test_refused_items_write_nothing(uow, ready, marie, cards, make, error):
    """The refused item comes after an acceptable one: nothing of the order is written."""
    before = contents(uow)
    with pytest.raises(error):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie, SOON), make(marie)))
    assert contents(uow) == before


def test_refused_stripe_ids_write_nothing(uow, ready, marie, cards):
    before = contents(uow)
    with pytest.raises(InvalidValue):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie), cus="acct_1", pm="pm_ok"))
    with pytest.raises(InvalidValue):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie), cus="cus_1", pm=""))
    assert contents(uow) == before


def test_bad_customer_email_writes_nothing(uow, ready, marie, cards):
    before = contents(uow)
    with pytest.raises(InvalidValue):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie), cust=customer(email="jean.example.fr")))
    assert contents(uow) == before


def test_not_offered_and_not_linked_write_nothing(uow, company, ready, ada, cards):
    before = contents(uow)
    with pytest.raises(ServiceNotOffered):
        PlaceOrderHandler(uow, cards)(order(ready, item(ada, service="svc_forfait", price=6000)))
    assert contents(uow) == before
    company.shop_account_id = None
    with pytest.raises(ShopNotLinked):
        PlaceOrderHandler(uow, cards)(order(ready, item(ada)))
    assert contents(uow) == before


def test_empty_order_is_refused(uow, ready, cards):
    with pytest.raises(InvalidValue):
        PlaceOrderHandler(uow, cards)(c.PlaceOrder(ready.id, "ord_1", customer(), ()))


def test_overlap_with_the_planning_and_cancelled_slots_free(uow, ready, marie, cards):
    from ogust.application.handlers.planning import CancelInterventionHandler
    place = PlaceOrderHandler(uow, cards)
    first = place(order(ready, item(marie)))
    with pytest.raises(SlotUnavailable) as refused:
        place(order(ready, item(marie, SOON + timedelta(minutes=90)), order_id="ord_2"))
    assert refused.value.details["conflicting_intervention"] == first.intervention_ids[0]
    CancelInterventionHandler(uow)(c.CancelIntervention(ready.id, first.intervention_ids[0]))
    again = place(order(ready, item(marie, SOON + timedelta(minutes=90)), order_id="ord_2"))
    assert not again.replayed


def test_replayed_order_is_answered_even_if_its_card_is_gone_and_writes_nothing_more(uow, ready, marie, cards):
    place = PlaceOrderHandler(uow, cards)
    first = place(order(ready, item(marie)))
    before = contents(uow)
    cards.remove_card("pm_ok")
    replay = place(order(ready, item(marie)))
    assert replay.replayed and contents(uow) == before
    assert (replay.client_id, replay.devis_id, replay.intervention_ids) == (
        first.client_id, first.devis_id, first.intervention_ids)


def test_the_same_order_id_with_other_items_is_refused_not_answered_as_a_replay(uow, ready, marie, cards):
    """Answered « déjà reçue », the second order would be lost without anyone knowing."""
    place = PlaceOrderHandler(uow, cards)
    place(order(ready, item(marie)))
    before = contents(uow)
    with pytest.raises(AlreadyExists, match="déjà été reçue avec d'autres prestations"):
        place(order(ready, item(marie, SOON + timedelta(days=1))))
    with pytest.raises(AlreadyExists):  # the same slot, another service
        place(order(ready, item(marie, service="svc_forfait", price=6000)))
    assert contents(uow) == before
    assert place(order(ready, item(marie))).replayed  # the very same order: a replay


def test_replayed_order_is_answered_in_the_accepting_transaction(uow, ready, marie, cards):
    """The replay check and the acceptance share one unit of work: a second one is opened only to
    answer a replay whose card is refused meanwhile, or a twin that won a race."""
    entered: list[int] = []

    def counted():
        entered.append(1)
        return uow

    place = PlaceOrderHandler(counted, cards)
    place(order(ready, item(marie)))
    assert len(entered) == 1
    again = place(order(ready, item(marie)))
    assert again.replayed and len(entered) == 2
