"""A GDPR erasure reaches the shop's copy of the client, through the outbox: once, only when the shop
knows the client, and later rather than never when the shop is down."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ogust.application import commands as c
from ogust.application.effects import GiveUp
from ogust.application.effects.shop import EraseClientInShopEffect
from ogust.application.gdpr import EraseClient, EraseClientHandler
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import CreateClientHandler
from ogust.application.handlers.shop_sync import TransmitClientHandler
from ogust.application.outbox import Effect, JobStatus, OutboxJob
from ogust.application.ports import ShopRejected, ShopUnavailable
from ogust.domain.address import Address
from tests.unit.application.conftest import item, order


@pytest.fixture
def jean(uow, ready):
    return CreateClientHandler(uow)(c.CreateClient(ready.id, "Jean", "Dupont", "jean@example.fr",
                                                   Address("3 rue Haute", "75002", "Paris")))


def transmitted(uow, ready, client, worker):
    TransmitClientHandler(uow)(c.TransmitClient(ready.id, client.id))
    worker.run_until_idle()
    assert client.shop_client_id
    return client.shop_client_id


def erase_jobs(uow):
    return [j for j in uow.outbox.jobs.values() if j.effect == Effect.SHOP_ERASE_CLIENT.value]


def test_a_transmitted_client_is_erased_in_the_shop_once(uow, ready, jean, shop, worker):
    shop_client_id = transmitted(uow, ready, jean, worker)
    assert shop.clients[jean.id]["last_name"] == "Dupont"

    EraseClientHandler(uow)(EraseClient(ready.id, jean.id))
    assert jean.shop_client_id is None  # cleared in ogust, but the job kept it
    [job] = erase_jobs(uow)
    assert (job.payload["shop_client_id"], job.payload["known_to_shop"]) == (shop_client_id, True)
    worker.run_until_idle()
    worker.run_until_idle()

    assert job.status is JobStatus.DONE and job.attempts == 1
    assert shop.erased == [("acc_demo", jean.id, shop_client_id)]
    assert shop.clients[jean.id] == {"id": jean.id, "erased": True}


def test_a_client_the_shop_never_knew_is_not_sent_anything(uow, ready, jean, shop, worker):
    EraseClientHandler(uow)(EraseClient(ready.id, jean.id))
    worker.run_until_idle()
    [job] = erase_jobs(uow)
    assert job.status is JobStatus.DONE
    assert shop.erased == [] and "erase_client" not in shop.calls


def test_an_online_buyer_is_erased_by_the_shops_id_too(uow, ready, marie, cards, shop, worker):
    placed = PlaceOrderHandler(uow, cards)(order(ready, item(marie)))  # never transmitted by ogust
    for intervention in uow.interventions.for_client(ready.id, placed.client_id):
        intervention.cancel()  # the client cancelled: nothing is under way any more
    EraseClientHandler(uow)(EraseClient(ready.id, placed.client_id))
    worker.run_until_idle()
    assert shop.erased == [("acc_demo", placed.client_id, "shop_cli_1")]
    assert cards.detached == ["pm_ok"]  # and the card, as before
    assert cards.deleted_customers == ["cus_1"]  # and the Stripe customer: its name and email


def test_a_transmission_whose_answer_was_lost_is_erased_by_the_ogust_id(uow, ready, jean, shop, worker):
    TransmitClientHandler(uow)(c.TransmitClient(ready.id, jean.id))
    shop.fail_next.append(ShopUnavailable("timeout"))  # the shop may have stored it all the same
    worker.run_until_idle()
    assert jean.shop_client_id is None and jean.sync_failure

    EraseClientHandler(uow)(EraseClient(ready.id, jean.id))
    [job] = erase_jobs(uow)
    uow.clock.current = job.available_at
    worker.run_until_idle()
    assert job.status is JobStatus.DONE
    assert shop.erased == [("acc_demo", jean.id, None)]


def test_the_shop_down_delays_the_erasure_and_loses_nothing(uow, ready, jean, shop, worker):
    shop_client_id = transmitted(uow, ready, jean, worker)
    EraseClientHandler(uow)(EraseClient(ready.id, jean.id))
    shop.fail_next.append(ShopUnavailable("503"))
    worker.run_until_idle()
    [job] = erase_jobs(uow)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "injoignable" in job.last_error and job.available_at > uow.clock.now()
    assert shop.erased == []

    uow.clock.current = job.available_at
    worker.run_until_idle()
    assert job.status is JobStatus.DONE
    assert shop.erased == [("acc_demo", jean.id, shop_client_id)]


def test_a_refusal_is_dead_with_the_shops_reason(uow, ready, jean, shop, worker):
    transmitted(uow, ready, jean, worker)
    EraseClientHandler(uow)(EraseClient(ready.id, jean.id))
    shop.fail_next.append(ShopRejected("client lié à un autre client ogust (HTTP 409)"))
    worker.run_until_idle()
    [job] = erase_jobs(uow)
    assert job.status is JobStatus.DEAD and job.attempts == 1
    assert "effacement refusé par la boutique" in job.last_error and "409" in job.last_error


def test_without_a_linked_shop_the_job_dies_and_says_so(uow, company, shop):
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    job = OutboxJob(company.id, Effect.SHOP_ERASE_CLIENT.value, "k", {"client_id": "cli-1", "shop_client_id": "s1",
                                                                         "known_to_shop": True}, now, now)
    with pytest.raises(GiveUp, match="non effacée"):
        EraseClientInShopEffect(uow, shop)(job)
    assert shop.erased == []
