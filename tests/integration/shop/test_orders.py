"""The shop places signed orders on ogust's webhook; ogust's verify() is the judge of the signature."""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ogust.adapters.shop.signing import BadSignature, verify
from tests.support.localstripe import LocalStripe, start_localstripe
from tests.support.shop_contract import assert_matches
from tests.support.shop_server import RunningShop, running_shop, serve_in_thread

SECRET = "whsec_test_secret"
CUSTOMER = {"email": "Paul.Girard@example.fr", "first_name": "Paul", "last_name": "Girard", "phone": "0611223344",
            "address": {"street": "5 rue Victor Hugo", "postal_code": "69002", "city": "Lyon"}}
ITEM = {"service_id": "svc_menage", "intervenant_id": "int_sophie",
        "start": "2026-04-06T09:00:00+02:00", "end": "2026-04-06T11:30:00+02:00"}


class OgustWebhookStub:
    """Stands in for ogust's endpoint: checks the signature with ogust's own code, records orders."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.app = FastAPI()
        self.app.post("/api/shop/orders")(self.receive)

    async def receive(self, request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            verify([SECRET], request.headers.get("x-ogust-timestamp"), request.headers.get("x-ogust-signature"),
                   raw, now=time.time())
        except BadSignature as error:
            return JSONResponse({"type": "about:blank", "title": "Unauthorized", "status": 401,
                                 "detail": str(error), "code": "bad_signature"}, status_code=401)
        order = json.loads(raw)
        self.received.append(order)
        return JSONResponse({"order_id": order["order_id"], "client_id": "cli_ogust_paul", "devis_id": "dev_1",
                             "intervention_ids": ["itv_1"], "replayed": False}, status_code=201)


@pytest.fixture
def ogust() -> Iterator[tuple[OgustWebhookStub, str]]:
    stub = OgustWebhookStub()
    with serve_in_thread(stub.app) as base_url:
        yield stub, f"{base_url}/api/shop/orders"


@pytest.fixture
def webhook_account(shop: RunningShop, account, ogust):
    shop.admin.create_account(account.id, account.api_key, webhook_url=ogust[1], webhook_secret=SECRET)
    return account


def test_an_order_reaches_ogust_signed_and_as_the_contract_says(shop, webhook_account, ogust, make_api):
    placed = shop.admin.place_order(webhook_account.id, CUSTOMER, [ITEM], placed_at="2026-04-01T10:00:00+02:00")

    assert placed["ogust_status"] == 201
    assert placed["ogust_body"]["client_id"] == "cli_ogust_paul"
    [order] = ogust[0].received
    assert_matches("Order", order)
    assert order["order_id"] == placed["order_id"] and order["account_id"] == webhook_account.id
    assert order["customer"]["shop_client_id"] == placed["shop_client_id"]
    assert order["items"] == [{**ITEM, "unit_price_ttc_cents": 2750}]
    assert order["placed_at"] == "2026-04-01T10:00:00+02:00"


def test_the_buyer_is_linked_to_the_ogust_client_that_ogust_created(shop, webhook_account, make_api):
    placed = shop.admin.place_order(webhook_account.id, CUSTOMER, [ITEM])
    api, _, _ = make_api()
    fields = {"id": "cli_ogust_paul", "first_name": "Paul", "last_name": "Girard", "email": "paul.girard@example.fr",
              "phone": "", "street": "5 rue Victor Hugo", "postal_code": "69002", "city": "Lyon"}
    assert api.upsert_client(webhook_account.id, fields) == placed["shop_client_id"]
    assert len(shop.admin.account(webhook_account.id)["clients"]) == 1


def test_an_erased_buyer_ordering_again_is_a_new_customer_and_the_old_orders_keep_their_lines(
        shop, webhook_account, ogust, make_api):
    first = shop.admin.place_order(webhook_account.id, CUSTOMER, [ITEM])
    api, _, _ = make_api()
    api.erase_client(webhook_account.id, "cli_ogust_paul", first["shop_client_id"])  # as ogust does

    [order] = shop.admin.account(webhook_account.id)["orders"]
    assert order["items"] == [{**ITEM, "unit_price_ttc_cents": 2750}] and "payment" not in order
    assert "Girard" not in json.dumps(order) and "paul.girard" not in json.dumps(order).lower()
    again = shop.admin.place_order(webhook_account.id, CUSTOMER, [ITEM])
    assert again["shop_client_id"] != first["shop_client_id"]
    [buyer] = shop.admin.account(webhook_account.id)["clients"]
    assert (buyer["shop_client_id"], buyer["last_name"]) == (again["shop_client_id"], "Girard")


@pytest.mark.parametrize("signing", [{"secret": "not-the-secret"}, {"timestamp": int(time.time()) - 301}])
def test_ogust_refuses_a_badly_signed_or_stale_order(shop, webhook_account, ogust, signing):
    placed = shop.admin.place_order(webhook_account.id, CUSTOMER, [ITEM], signing=signing)
    assert placed["ogust_status"] == 401
    assert ogust[0].received == []


def test_an_order_for_a_service_the_shop_does_not_sell_is_not_sent(shop, webhook_account, ogust):
    response = httpx.post(f"{shop.base_url}/_admin/accounts/{webhook_account.id}/orders",
                          json={"customer": CUSTOMER, "items": [{**ITEM, "service_id": "svc_jardinage"}]})
    assert response.status_code == 422 and response.json()["code"] == "unknown_service"
    assert ogust[0].received == []


# ---------------------------------------------------------------- with localstripe
@pytest.fixture(scope="module")
def localstripe() -> Iterator[LocalStripe]:
    server = start_localstripe()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stripe_shop(localstripe, ogust) -> Iterator[tuple[RunningShop, str]]:
    with running_shop(stripe_base=localstripe.base_url, stripe_key=localstripe.api_key) as running:
        running.admin.create_account("acc_stripe", "key-acc-stripe", webhook_url=ogust[1], webhook_secret=SECRET)
        yield running, "acc_stripe"


def test_the_card_is_saved_off_session_and_attached_before_the_order_is_sent(stripe_shop, localstripe, ogust):
    shop, account_id = stripe_shop
    first = shop.admin.place_order(account_id, CUSTOMER, [ITEM], card_number="4242424242424242")
    second = shop.admin.place_order(account_id, CUSTOMER, [ITEM], card_number="4242424242424242")

    payment = first["payment"]
    assert payment["stripe_customer_id"].startswith("cus_") and payment["stripe_payment_method_id"].startswith("pm_")
    method = httpx.get(f"{localstripe.base_url}/v1/payment_methods/{payment['stripe_payment_method_id']}",
                       auth=(localstripe.api_key, "")).json()
    assert method["customer"] == payment["stripe_customer_id"] and method["card"]["last4"] == "4242"
    assert second["payment"]["stripe_customer_id"] == payment["stripe_customer_id"]
    assert [order["payment"] for order in ogust[0].received] == [first["payment"], second["payment"]]


def test_a_declined_card_stops_the_order(stripe_shop, ogust):
    shop, account_id = stripe_shop
    response = httpx.post(f"{shop.base_url}/_admin/accounts/{account_id}/orders",
                          json={"customer": CUSTOMER, "items": [ITEM], "card_number": "4000000000000002"}, timeout=30)
    assert response.status_code == 402 and response.json()["code"] == "card_refused"
    assert ogust[0].received == []
