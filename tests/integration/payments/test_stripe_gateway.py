"""StripePaymentGateway against localstripe (and, through the proxy, against real-Stripe answers)."""
from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from ogust.adapters.payments.stripe_gateway import StripePaymentGateway, WebhookVerificationFailed, parse_webhook
from ogust.application.ports import ChargeOutcome, ChargeRequest, PaymentOutcomeUnknown
from ogust.domain.money import Money
from tests.support.localstripe import (
    CARD_DECLINED_OFF_SESSION,
    CARD_NEEDS_AUTHENTICATION,
    CARD_SUCCEEDS,
    LocalStripe,
    LocalStripeError,
    free_port,
)

pytestmark = pytest.mark.integration


def charge_request(customer: str, method: str, cents: int = 12_345, attempt: int = 1,
                   invoice: str | None = None) -> ChargeRequest:
    invoice = invoice or f"inv-{uuid.uuid4().hex[:12]}"
    return ChargeRequest(
        company_id="co-aide-et-vous",
        invoice_id=invoice,
        invoice_number="F2026-00042",
        amount=Money(cents),
        customer_id=customer,
        payment_method_id=method,
        idempotency_key=f"co-aide-et-vous:{invoice}:{attempt}",
    )


# ---------------------------------------------------------------------- outcomes
def test_success_debits_once_with_our_metadata(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method, cents=12_345)

    result = gateway.charge(request)

    assert result.outcome is ChargeOutcome.SUCCEEDED
    [intent] = localstripe.list_payment_intents(customer)
    assert intent["id"] == result.payment_intent_id
    assert intent["status"] == "succeeded"
    assert (intent["amount"], intent["currency"], intent["payment_method"]) == (12_345, "eur", method)
    assert intent["metadata"] == {
        "company": "co-aide-et-vous",
        "invoice": request.invoice_id,
        "invoice_number": "F2026-00042",
        "idempotency_key": request.idempotency_key,
    }


def test_off_session_decline(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_DECLINED_OFF_SESSION)
    request = charge_request(customer, method)

    result = gateway.charge(request)

    assert result.outcome is ChargeOutcome.DECLINED
    assert result.reason.startswith("Carte refusée")
    assert result.decline_code is None  # localstripe sends none
    # localstripe's 402 names no PaymentIntent: the gateway found it by our key.
    [intent] = localstripe.list_payment_intents(customer)
    assert result.payment_intent_id == intent["id"]
    assert intent["status"] == "requires_payment_method"

    again = gateway.charge(request)  # the same attempt replayed: looked up, not re-created

    assert again == result
    assert len(localstripe.list_payment_intents(customer)) == 1


def test_authentication_required_then_authenticated(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_NEEDS_AUTHENTICATION)
    request = charge_request(customer, method)

    result = gateway.charge(request)

    assert result.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED
    assert result.payment_intent_id is not None
    assert localstripe.payment_intent(result.payment_intent_id)["status"] == "requires_action"
    assert gateway.charge(request).payment_intent_id == result.payment_intent_id  # not charged again

    localstripe.authenticate(result.payment_intent_id)  # the client came back on-session

    assert localstripe.payment_intent(result.payment_intent_id)["status"] == "succeeded"
    after = gateway.charge(request)
    assert (after.outcome, after.payment_intent_id) == (ChargeOutcome.SUCCEEDED, result.payment_intent_id)
    assert len(localstripe.list_payment_intents(customer)) == 1


def test_failed_authentication_is_a_decline(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_NEEDS_AUTHENTICATION)
    request = charge_request(customer, method)
    first = gateway.charge(request)

    localstripe.authenticate(first.payment_intent_id, success=False)

    result = gateway.charge(request)
    assert result.outcome is ChargeOutcome.DECLINED
    assert "3-D Secure" in result.reason


def test_cancel_a_debit_awaiting_authentication(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_NEEDS_AUTHENTICATION)
    request = charge_request(customer, method)
    waiting = gateway.charge(request)

    cancelled = gateway.cancel(waiting.payment_intent_id)

    assert (cancelled.outcome, cancelled.payment_intent_id) == (ChargeOutcome.DECLINED, waiting.payment_intent_id)
    assert localstripe.payment_intent(waiting.payment_intent_id)["status"] == "canceled"
    assert gateway.cancel(waiting.payment_intent_id).outcome is ChargeOutcome.DECLINED  # again: still cancelled
    with pytest.raises(LocalStripeError):
        localstripe.authenticate(waiting.payment_intent_id)  # the client confirming now: refused
    assert localstripe.payment_intent(waiting.payment_intent_id)["status"] == "canceled"
    assert gateway.charge(request).outcome is ChargeOutcome.DECLINED  # the same attempt debits nothing


def test_cancel_after_the_client_confirmed_tells_the_debit(localstripe: LocalStripe,
                                                           gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_NEEDS_AUTHENTICATION)
    waiting = gateway.charge(charge_request(customer, method))
    localstripe.authenticate(waiting.payment_intent_id)

    result = gateway.cancel(waiting.payment_intent_id)

    assert (result.outcome, result.payment_intent_id) == (ChargeOutcome.SUCCEEDED, waiting.payment_intent_id)
    assert localstripe.payment_intent(waiting.payment_intent_id)["status"] == "succeeded"


def test_under_fifty_cents_is_declined_without_calling_stripe(localstripe: LocalStripe) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    unreachable = StripePaymentGateway("sk_test_x", api_base=f"http://127.0.0.1:{free_port()}", timeout=1)

    result = unreachable.charge(charge_request(customer, method, cents=49))

    assert result.outcome is ChargeOutcome.DECLINED
    assert "0,50" in result.reason and result.payment_intent_id is None
    assert localstripe.list_payment_intents(customer) == []


def test_unknown_payment_method_is_declined(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer = localstripe.create_customer()

    result = gateway.charge(charge_request(customer, "pm_doesnotexist"))

    assert result.outcome is ChargeOutcome.DECLINED
    assert "introuvable" in result.reason


# ---------------------------------------------------------------------- idempotency
def test_same_key_twice_makes_one_payment_intent(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)

    first, second = gateway.charge(request), gateway.charge(request)
    other_gateway = StripePaymentGateway(localstripe.api_key, api_base=localstripe.base_url)
    third = other_gateway.charge(request)  # another process, same attempt

    assert first.payment_intent_id == second.payment_intent_id == third.payment_intent_id
    assert len(localstripe.list_payment_intents(customer)) == 1


def test_a_new_attempt_is_a_new_payment_intent(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    first = charge_request(customer, method, attempt=1)
    second = charge_request(customer, method, attempt=2, invoice=first.invoice_id)

    assert gateway.charge(first).payment_intent_id != gateway.charge(second).payment_intent_id
    assert len(localstripe.list_payment_intents(customer)) == 2


# ---------------------------------------------------------------------- unknown outcome
@pytest.mark.parametrize("action", ["hang", "reset"])
def test_answer_lost_after_the_debit_then_retry_finds_it(localstripe, proxy, proxied_gateway, action) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    proxy.lose_next("POST", "/v1/payment_intents", action)

    with pytest.raises(PaymentOutcomeUnknown):
        proxied_gateway.charge(request)
    [debited] = localstripe.list_payment_intents(customer)  # localstripe did debit
    assert debited["status"] == "succeeded"

    result = proxied_gateway.charge(request)  # the worker retries with the same key

    assert (result.outcome, result.payment_intent_id) == (ChargeOutcome.SUCCEEDED, debited["id"])
    assert [i["id"] for i in localstripe.list_payment_intents(customer)] == [debited["id"]]


def test_server_error_is_an_unknown_outcome(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    proxy.respond_next("POST", "/v1/payment_intents", 500, {"error": {"type": "api_error", "message": "boom"}})

    with pytest.raises(PaymentOutcomeUnknown, match="HTTP 500"):
        proxied_gateway.charge(request)

    assert proxied_gateway.charge(request).outcome is ChargeOutcome.SUCCEEDED
    assert len(localstripe.list_payment_intents(customer)) == 1


def test_rate_limited_is_an_unknown_outcome(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    proxy.respond_next("POST", "/v1/payment_intents", 429,
                       {"error": {"type": "invalid_request_error", "message": "slow down"}})

    with pytest.raises(PaymentOutcomeUnknown):
        proxied_gateway.charge(charge_request(customer, method))


def test_no_server_then_retry(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    down = StripePaymentGateway(localstripe.api_key, api_base=f"http://127.0.0.1:{free_port()}", timeout=1)

    with pytest.raises(PaymentOutcomeUnknown):
        down.charge(request)
    assert localstripe.list_payment_intents(customer) == []

    assert gateway.charge(request).outcome is ChargeOutcome.SUCCEEDED
    assert len(localstripe.list_payment_intents(customer)) == 1


def test_lookup_failure_creates_nothing(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    proxy.lose_next("GET", "/v1/payment_intents", "reset")

    with pytest.raises(PaymentOutcomeUnknown):
        proxied_gateway.charge(charge_request(customer, method))

    assert localstripe.list_payment_intents(customer) == []


# ---------------------------------------------------------------------- real Stripe's answers
def stripe_intent(intent_id: str, status: str, key: str, customer: str, **extra: Any) -> dict[str, Any]:
    return {"id": intent_id, "object": "payment_intent", "status": status, "customer": customer,
            "amount": 12_345, "currency": "eur", "created": 1_790_000_000,
            "metadata": {"idempotency_key": key}, "last_payment_error": None, **extra}


def test_real_stripe_402_authentication_required(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    proxy.respond_next("POST", "/v1/payment_intents", 402, {"error": {
        "type": "card_error", "code": "authentication_required", "decline_code": "authentication_required",
        "message": ("This payment required an authentication action to complete, "
                    "but `error_on_requires_action` was set."),
        "payment_intent": stripe_intent("pi_real_auth", "requires_payment_method", request.idempotency_key, customer),
    }})

    result = proxied_gateway.charge(request)

    assert (result.outcome, result.payment_intent_id) == (ChargeOutcome.AUTHENTICATION_REQUIRED, "pi_real_auth")


def test_real_stripe_402_insufficient_funds(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    proxy.respond_next("POST", "/v1/payment_intents", 402, {"error": {
        "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "payment_intent": stripe_intent("pi_real_nsf", "requires_payment_method", request.idempotency_key, customer),
    }})

    result = proxied_gateway.charge(request)

    assert (result.outcome, result.payment_intent_id, result.decline_code) == (
        ChargeOutcome.DECLINED, "pi_real_nsf", "insufficient_funds")
    assert result.reason == "Provision insuffisante"  # French only: it goes into the client's email


def test_real_stripe_lookup_is_filtered_by_customer_and_maps_states(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    needs_auth = stripe_intent("pi_real_prev", "requires_payment_method", request.idempotency_key, customer,
                               last_payment_error={"type": "card_error", "code": "authentication_required",
                                                   "message": "Authentication required."})
    proxy.respond_next("GET", "/v1/payment_intents", 200, {
        "object": "list", "url": "/v1/payment_intents", "has_more": False, "data": [needs_auth]})

    result = proxied_gateway.charge(request)

    assert (result.outcome, result.payment_intent_id) == (ChargeOutcome.AUTHENTICATION_REQUIRED, "pi_real_prev")
    [(method_seen, path_seen)] = proxy.seen  # nothing created
    assert method_seen == "GET" and f"customer={customer}" in path_seen


def test_real_stripe_customer_gone_is_declined(localstripe, proxy, proxied_gateway) -> None:
    proxy.respond_next("GET", "/v1/payment_intents", 400, {"error": {
        "type": "invalid_request_error", "code": "resource_missing", "param": "customer",
        "message": "No such customer: 'cus_gone'"}})

    result = proxied_gateway.charge(charge_request("cus_gone", "pm_gone"))

    assert result.outcome is ChargeOutcome.DECLINED and "introuvable" in result.reason
    assert [method for method, _ in proxy.seen] == ["GET"]  # nothing created


def test_processing_is_still_unknown(localstripe, proxy, proxied_gateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    request = charge_request(customer, method)
    proxy.respond_next("GET", "/v1/payment_intents", 200, {
        "object": "list", "url": "/v1/payment_intents", "has_more": False,
        "data": [stripe_intent("pi_real_proc", "processing", request.idempotency_key, customer)]})

    with pytest.raises(PaymentOutcomeUnknown, match="processing"):
        proxied_gateway.charge(request)


# ---------------------------------------------------------------------- payment methods
def test_payment_method_usable(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
    stranger = localstripe.create_customer()

    assert gateway.payment_method_usable(customer, method) is True
    assert gateway.payment_method_usable(stranger, method) is False
    assert gateway.payment_method_usable(customer, "pm_doesnotexist") is False
    assert gateway.payment_method_usable(customer, "") is False

    localstripe.detach(method)

    assert gateway.payment_method_usable(customer, method) is False


def test_delete_customer_once_and_again(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS, email="jean.dupont@example.fr")
    paid = gateway.charge(charge_request(customer, method))
    assert paid.outcome is ChargeOutcome.SUCCEEDED

    gateway.delete_customer(customer)

    with pytest.raises(LocalStripeError, match="404"):
        localstripe._checked(localstripe._http.get(f"/v1/customers/{customer}"))
    assert localstripe.payment_intent(paid.payment_intent_id)["status"] == "succeeded"  # the payment stays
    gateway.delete_customer(customer)  # already deleted: nothing to do
    gateway.delete_customer("")


# ---------------------------------------------------------------------- webhooks
SECRET = "whsec_test_ogust"


def signed(event: dict[str, Any], secret: str = SECRET, age: int = 0) -> tuple[bytes, str]:
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=int(time.time()) - age)
    return body.encode(), header


EVENT = {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
         "data": {"object": {"id": "pi_1", "object": "payment_intent", "status": "succeeded"}}}


def test_webhook_good_signature() -> None:
    event = parse_webhook(*signed(EVENT, age=200), SECRET)

    assert event["id"] == "evt_1" and event["data"]["object"]["id"] == "pi_1"


@pytest.mark.parametrize(
    "payload_header_secret",
    [
        pytest.param(lambda: (signed(EVENT)[0].replace(b"pi_1", b"pi_2"), signed(EVENT)[1], SECRET), id="tampered"),
        pytest.param(lambda: (*signed(EVENT, age=301), SECRET), id="stale"),
        pytest.param(lambda: (*signed(EVENT), "whsec_other"), id="other-secret"),
        pytest.param(lambda: (signed(EVENT)[0], "", SECRET), id="no-header"),
        pytest.param(lambda: (signed(EVENT)[0], "garbage", SECRET), id="garbage-header"),
    ],
)
def test_webhook_refused(payload_header_secret) -> None:
    with pytest.raises(WebhookVerificationFailed):
        parse_webhook(*payload_header_secret())


def test_webhook_tolerance_zero_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_webhook(*signed(EVENT, age=10_000), SECRET, tolerance=0)


def test_localstripe_webhook_verifies(localstripe: LocalStripe, gateway: StripePaymentGateway) -> None:
    received: list[tuple[bytes, str]] = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            arrived.set()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        localstripe.register_webhook(
            f"test-{uuid.uuid4().hex[:8]}", f"http://127.0.0.1:{server.server_address[1]}/stripe",
            SECRET, ["payment_intent.succeeded"])
        customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS)
        result = gateway.charge(charge_request(customer, method))
        ours = None
        deadline = time.monotonic() + 10  # sent about a second later; earlier tests' events may come too
        while ours is None and time.monotonic() < deadline:
            arrived.wait(0.2)
            arrived.clear()
            for body, header in list(received):
                event = parse_webhook(body, header, SECRET)
                if event["data"]["object"]["id"] == result.payment_intent_id:
                    ours = (body, header, event)
    finally:
        server.shutdown()
        server.server_close()

    assert ours is not None, "localstripe sent no webhook for this payment"
    body, header, event = ours
    assert event["type"] == "payment_intent.succeeded"
    with pytest.raises(WebhookVerificationFailed):
        parse_webhook(body, header, "whsec_other")
