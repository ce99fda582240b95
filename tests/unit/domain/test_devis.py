"""A devis: draft → sent → accepted / refused; accepted at once when it comes from the shop."""
from __future__ import annotations

import pytest

from ogust.domain.devis import AcceptanceChannel, Devis, DevisStatus
from ogust.domain.errors import InvalidTransition
from ogust.domain.events import OrderAccepted
from ogust.domain.lines import DevisLine
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Quantity
from tests.unit.domain.builders import at, client


def lines() -> list[DevisLine]:
    """Built in each test (the persistence mapping may instrument the classes once the suite runs)."""
    return [DevisLine("t", "Ménage", Quantity.hours_minutes(120), Money(2500), VatRate.INTERMEDIATE_10)]


def devis() -> Devis:
    return Devis(company_id="co", client_id="cli", lines=lines())


def test_draft_sent_accepted():
    d = devis()
    d.send(client(id="cli"))
    d.accept(at(2026, 11, 2), AcceptanceChannel.BACK_OFFICE)
    assert d.status is DevisStatus.ACCEPTED
    assert (d.accepted_at, d.acceptance_channel) == (at(2026, 11, 2), AcceptanceChannel.BACK_OFFICE)


def test_sent_refused():
    d = devis()
    d.send(client(id="cli"))
    d.refuse()
    assert d.status is DevisStatus.REFUSED


def args(move: str) -> tuple:
    """Built when used: a record made at import time would predate the ORM's mapping of its class."""
    return {"send": (client(id="cli"),), "accept": (at(2026, 1, 1), AcceptanceChannel.BACK_OFFICE),
            "refuse": ()}[move]


@pytest.mark.parametrize("steps,move", [
    ((), "accept"), ((), "refuse"), (("send",), "send"), (("send", "refuse"), "accept"),
    (("send", "accept"), "refuse"), (("send", "accept"), "send"),
])
def test_other_moves_are_refused(steps, move):
    d = devis()
    for step in steps:
        getattr(d, step)(*args(step))
    before = d.status
    with pytest.raises(InvalidTransition) as refused:
        getattr(d, move)(*args(move))
    assert d.status is before and refused.value.details["status"] == before.value


def test_accepted_from_a_shop_order_records_the_event():
    d = Devis.accepted_from_shop_order("co", client(id="cli"), "ord_1", lines(), at(2026, 11, 2))
    assert d.status is DevisStatus.ACCEPTED and d.acceptance_channel is AcceptanceChannel.SHOP
    assert d.shop_order_id == "ord_1" and d.created_at == at(2026, 11, 2)
    assert d.pull_events() == [OrderAccepted("co", d.id, "ord_1")]
