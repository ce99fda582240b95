"""Orders refused by the database because another committed first — the unique client keys, the
no-overlap constraint — are answered as if they had come second: the client the other created, or the
slot_unavailable of a sequential order; a refused order writes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ogust.application import commands as c
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import CreateClientHandler, UpdateClientHandler
from ogust.domain.address import Address
from ogust.domain.client import Client, ClientOrigin
from ogust.domain.errors import ClientAlreadyExists, SlotUnavailable
from ogust.domain.intervention import Intervention
from tests.unit.application.conftest import SOON, contents, customer, item, order
from tests.unit.application.races import committed_first

ADDRESS = Address("3 rue Haute", "75002", "Paris")


def test_the_second_order_of_a_new_buyer_finds_the_client_the_first_created(uow, ready, marie, cards):
    """Two orders of one new buyer (same e-mail, same shop id) at once: the first creates the client;
    the second, refused by the unique index, is accepted again with that client."""
    twin = Client(ready.id, "Jean", "Dupont", "jean@example.fr", ADDRESS, origin=ClientOrigin.SHOP,
                  shop_client_id="shop_cli_1")
    refused = committed_first(uow, lambda db: db.clients.add(twin),
                              ClientAlreadyExists("Un autre client de l'entreprise a déjà cette adresse email."))
    result = PlaceOrderHandler(uow, cards)(order(ready, item(marie), order_id="ord_2"))
    assert refused == [1] and not result.replayed
    assert result.client_id == twin.id and [cl.id for cl in uow.clients.list(ready.id)] == [twin.id]
    assert uow.devis.get(ready.id, result.devis_id).client_id == twin.id
    assert uow.clients.get(ready.id, twin.id).stripe_payment_method_id == "pm_ok"  # this order's card saved


def test_an_overlapping_order_committed_first_gets_slot_unavailable_and_writes_nothing(uow, ready, marie, cards):
    """Two different orders for Marie, 09:00–11:00 and 09:30–11:30, at once: the one refused by the
    exclusion constraint gets the sequential refusal, naming the other's intervention."""
    first = PlaceOrderHandler(uow, cards)(order(ready, item(marie, SOON + timedelta(days=3)), order_id="ord_0"))
    other = Intervention(ready.id, first.client_id, marie.id, uow.tarifs.by_code(ready.id, "MEN").id,
                         SOON, SOON + timedelta(hours=2), ADDRESS)
    before = contents(uow)
    committed_first(uow, lambda db: db.interventions.add(other),
                    SlotUnavailable("L'intervenant a déjà une intervention sur ce créneau."))
    with pytest.raises(SlotUnavailable) as refused:
        PlaceOrderHandler(uow, cards)(order(ready, item(marie, SOON + timedelta(minutes=30)), order_id="ord_2",
                                            cust=customer("shop_cli_2", "paul@example.fr")))
    assert refused.value.message == "Marie Curie est déjà en intervention le 10/11/2026 de 09:00 à 11:00."
    assert refused.value.details["conflicting_intervention"] == other.id
    assert contents(uow) == {**before, "interventions": before["interventions"] + 1}  # the other's only
    assert uow.devis.by_shop_order(ready.id, "ord_2") is None
    assert uow.clients.by_email(ready.id, "paul@example.fr") is None


def test_a_client_created_twice_at_once_names_the_one_created_first(uow, ready):
    first = Client(ready.id, "Claire", "Martin", "claire@example.fr", ADDRESS)
    committed_first(uow, lambda db: db.clients.add(first),
                    ClientAlreadyExists("Un autre client de l'entreprise a déjà cette adresse email."))
    with pytest.raises(ClientAlreadyExists) as refused:
        CreateClientHandler(uow)(c.CreateClient(ready.id, "Claire", "Martin", "Claire@Example.fr", ADDRESS))
    assert refused.value.message == (f"Le client Claire Martin ({first.id}) a déjà l'adresse claire@example.fr.")
    assert refused.value.details["client_id"] == first.id and refused.value.code == "already_exists"
    assert [cl.id for cl in uow.clients.list(ready.id)] == [first.id]


def test_an_email_already_used_is_refused_naming_its_client(uow, ready):
    create = CreateClientHandler(uow)
    claire = create(c.CreateClient(ready.id, "Claire", "Martin", "claire@example.fr", ADDRESS))
    paul = create(c.CreateClient(ready.id, "Paul", "Petit", "paul@example.fr", ADDRESS))
    before = contents(uow)
    with pytest.raises(ClientAlreadyExists, match=rf"Le client Claire Martin \({claire.id}\) a déjà"):
        create(c.CreateClient(ready.id, "Claude", "Martin", " CLAIRE@example.fr ", ADDRESS))
    with pytest.raises(ClientAlreadyExists, match=rf"\({claire.id}\)"):
        UpdateClientHandler(uow)(c.UpdateClient(ready.id, paul.id, (("email", "claire@example.fr"),)))
    assert contents(uow) == before and uow.clients.get(ready.id, paul.id).email == "paul@example.fr"
    UpdateClientHandler(uow)(c.UpdateClient(ready.id, claire.id, (("email", "claire@example.fr"),)))  # her own


def test_an_intervenant_no_longer_active_gets_no_order(uow, ready, marie, cards):
    from ogust.application.handlers.people import UpdateIntervenantHandler
    from ogust.domain.errors import InvalidTransition

    UpdateIntervenantHandler(uow)(c.UpdateIntervenant(ready.id, marie.id, (("active", False),)))
    before = contents(uow)
    with pytest.raises(InvalidTransition, match=r"Marie Curie \(M001\) n'est plus actif"):
        PlaceOrderHandler(uow, cards)(order(ready, item(marie)))
    assert contents(uow) == before
