"""Stripe webhooks on the served API: signatures checked, events applied once, a paid invoice never
moved back — and the 3-D Secure story, with localstripe itself signing and delivering the event."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from ogust.application.outbox import Effect, JobStatus
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus
from ogust.entrypoints.api.app import create_app
from tests.integration.faults.office import eventually
from tests.integration.faults.proxy import FaultProxy
from tests.support.localstripe import CARD_NEEDS_AUTHENTICATION
from tests.support.shop_server import serve_in_thread

pytestmark = pytest.mark.integration

WEBHOOK = "/api/stripe/webhook"


def signature(payload: bytes, secret: str, at: float | None = None) -> str:
    """A ``Stripe-Signature`` header as Stripe computes it: HMAC-SHA256 of ``"<t>.<payload>"``."""
    timestamp = int(at if at is not None else time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, intent: dict, event_id: str | None = None) -> bytes:
    return json.dumps({
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": event_type,
        "created": int(time.time()), "livemode": False, "api_version": "2026-10-28",
        "data": {"object": intent},
    }).encode()


@pytest.fixture
def api(office) -> Iterator[httpx.Client]:
    with serve_in_thread(create_app(office.container, run_worker=False)) as base_url, \
            httpx.Client(base_url=base_url, timeout=10) as client:
        yield client
    office.container.unwire()


def deliver(api: httpx.Client, payload: bytes, header: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return api.post(WEBHOOK, content=payload, headers=headers)


def test_a_webhook_without_a_good_signature_is_refused_and_not_remembered(office, api) -> None:
    secret = office.settings.stripe_webhook_secret
    intent = {"id": f"pi_{uuid.uuid4().hex[:24]}", "object": "payment_intent", "status": "succeeded"}
    payload = event("payment_intent.succeeded", intent)
    tampered = payload.replace(b'"succeeded"', b'"canceled"', 1)
    refused = {
        "no signature": deliver(api, payload, None),
        "another secret": deliver(api, payload, signature(payload, "whsec_someone_else")),
        "body changed after signing": deliver(api, tampered, signature(payload, secret)),
        "signed an hour ago (a replay)": deliver(api, payload, signature(payload, secret, time.time() - 3600)),
    }
    for why, response in refused.items():
        assert response.status_code == 400, why
        assert response.headers["content-type"].startswith("application/problem+json"), why
        assert response.json()["code"] == "bad_signature", why

    # none of them was recorded as seen: the genuine delivery of that event is still processed
    genuine = deliver(api, payload, signature(payload, secret))
    assert (genuine.status_code, genuine.json()["outcome"]) == (200, "ignored")  # no such debit here
    again = deliver(api, payload, signature(payload, secret))
    assert again.json()["outcome"] == "duplicate"


def test_3d_secure_then_the_webhook_pays_the_invoice_once(office, api) -> None:
    secret = office.settings.stripe_webhook_secret
    # localstripe delivers its signed events through a proxy that keeps a copy of each
    relay = FaultProxy(str(api.base_url)).start()
    hook = f"ogust-faults-{uuid.uuid4().hex[:8]}"
    office.localstripe.register_webhook(hook, relay.base_url + WEBHOOK, secret,
                                        ["payment_intent.succeeded", "payment_intent.payment_failed"])
    try:
        client = office.new_client(CARD_NEEDS_AUTHENTICATION)
        invoice = office.validated_invoice(client)
        office.work(office.all_done, what="the debit and the email asking for authentication")

        assert office.status(invoice) is InvoiceStatus.NEEDS_AUTHENTICATION
        [attempt] = office.attempts(invoice)
        assert attempt.status is AttemptStatus.NEEDS_AUTHENTICATION
        [intent] = office.intents(invoice)
        assert (intent["id"], intent["status"]) == (attempt.payment_intent_id, "requires_action")
        [asking] = office.emails_to(client)
        text = asking.get_body(("plain",)).get_content()
        [link] = [word for word in text.split() if "/pay/" in word]
        page = api.get(urlsplit(link).path)  # the link in the email opens the payment page
        assert page.status_code == 200 and attempt.payment_intent_id in page.text
        # where the client confirms with the bank: Stripe.js, the publishable key and this PaymentIntent's secret
        assert "Confirmer le paiement" in page.text and intent["client_secret"] in page.text
        assert "Stripe(\"pk_test_ogust_faults\")" in page.text and "confirmCardPayment" in page.text
        stripe_js = office.settings.stripe_js_url
        assert f"<script src='{stripe_js}'>" in page.text and httpx.get(stripe_js, timeout=10).status_code == 200
        assert office.jobs(Effect.MAIL_DEBIT_CONFIRMED) == []

        # the client confirms with the bank; Stripe (localstripe) then calls the webhook
        office.localstripe.authenticate(attempt.payment_intent_id)
        # localstripe posts every event to every webhook registered in it: one about an earlier test's
        # PaymentIntent may come first, so this invoice's is picked by its PaymentIntent
        [delivered] = eventually(lambda: [s for s in relay.seen if s.method == "POST" and s.path == WEBHOOK
                                          and _about(s.body) == attempt.payment_intent_id],
                                 timeout=15, what="localstripe's payment_intent.succeeded webhook")
        assert office.status(invoice) is InvoiceStatus.PAID
        assert delivered.status == 200 and json.loads(delivered.body)["type"] == "payment_intent.succeeded"

        office.work(office.all_done, what="the debit-confirmed email and the publication")
        office.assert_debited_once(invoice)
        confirmed = office.job_of(invoice, Effect.MAIL_DEBIT_CONFIRMED)
        assert (confirmed.status, confirmed.attempts) == (JobStatus.DONE, 1)
        assert [m["Message-ID"] for m in office.emails_to(client)][1] == f"<{office.message_id(confirmed)}>"

        # Stripe delivers at least once: the very same event again is recognised and not applied
        jobs_before = len(office.jobs())
        replay = deliver(api, delivered.body, delivered.headers["Stripe-Signature"])
        assert (replay.status_code, replay.json()["outcome"]) == (200, "duplicate")

        # and out of order: a late failure of that PaymentIntent does not move the paid invoice back
        late_intent = {**json.loads(delivered.body)["data"]["object"], "status": "requires_payment_method",
                       "last_payment_error": {"code": "card_declined", "message": "Your card was declined."}}
        late = event("payment_intent.payment_failed", late_intent)
        assert deliver(api, late, signature(late, secret)).status_code == 200
        office.drain()
        assert office.status(invoice) is InvoiceStatus.PAID
        assert [a.status for a in office.attempts(invoice)] == [AttemptStatus.SUCCEEDED]
        assert len(office.jobs()) == jobs_before  # no debit-failed email, no new publication
        assert len(office.emails_to(client)) == 2  # "please authenticate", then "debit confirmed"
    finally:
        # localstripe keeps webhooks until it stops: point this one at nothing the tests send
        office.localstripe.register_webhook(hook, relay.base_url + WEBHOOK, secret, ["ogust.tests.disabled"])
        relay.stop()


def _about(body: bytes) -> str | None:
    """The PaymentIntent an event delivered to the webhook is about."""
    try:
        return json.loads(body)["data"]["object"]["id"]
    except (ValueError, KeyError, TypeError):
        return None


def test_the_same_event_delivered_five_times_at_once_pays_once_and_emails_once(office, api) -> None:
    client = office.new_client(CARD_NEEDS_AUTHENTICATION)
    invoice = office.validated_invoice(client)
    office.work(office.all_done, what="the debit and the email asking for authentication")
    [attempt] = office.attempts(invoice)
    intent = office.localstripe.authenticate(attempt.payment_intent_id)
    assert intent["status"] == "succeeded"

    payload = event("payment_intent.succeeded", intent)
    header = signature(payload, office.settings.stripe_webhook_secret)
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda _: deliver(api, payload, header), range(5)))
    # each delivery is acknowledged, or refused as a conflict for Stripe to deliver again
    assert {r.status_code for r in responses} <= {200, 409}, [r.text for r in responses]
    outcomes = Counter(r.json().get("outcome") for r in responses if r.status_code == 200)
    assert outcomes["applied"] >= 1 and set(outcomes) <= {"applied", "duplicate"}

    office.work(office.all_done, what="the debit-confirmed email and the publication")
    office.assert_debited_once(invoice)
    assert len(office.jobs_of(invoice, Effect.MAIL_DEBIT_CONFIRMED)) == 1
    assert len(office.emails_to(client)) == 2  # "please authenticate", then one "debit confirmed"
    assert len(office.container.queries().invoice(office.company_id, invoice.id).attempts) == 1


def test_the_webhook_of_a_debit_whose_answer_was_lost_pays_the_invoice(office, api) -> None:
    """Stripe debited the card but its answer never reached ogust, so the attempt has no PaymentIntent
    id: the webhook finds the attempt by the idempotency key in the PaymentIntent's metadata (were the
    charge job to give up after retrying for hours, this is what settles the invoice)."""
    office.stripe_proxy.next("POST", "/v1/payment_intents", "drop_answer")
    client = office.new_client()
    invoice = office.validated_invoice(client)
    office.work(lambda: office.job_of(invoice, Effect.CHARGE_INVOICE).attempts == 1, what="the debit, answer lost")
    [attempt] = office.attempts(invoice)
    assert (attempt.status, attempt.payment_intent_id) == (AttemptStatus.CHARGING, None)
    [intent] = office.intents(invoice)
    assert intent["status"] == "succeeded"

    payload = event("payment_intent.succeeded", intent)
    response = deliver(api, payload, signature(payload, office.settings.stripe_webhook_secret))
    assert (response.status_code, response.json()["outcome"]) == (200, "applied")
    assert office.status(invoice) is InvoiceStatus.PAID
    assert [(a.status, a.payment_intent_id) for a in office.attempts(invoice)] == [
        (AttemptStatus.SUCCEEDED, intent["id"])]

    office.advance_past_backoff()  # the charge job's retry finds the invoice paid and does nothing
    office.work(office.all_done, what="every job of the invoice to be done")
    office.assert_debited_once(invoice)
    assert office.stripe_proxy.count("POST", "/v1/payment_intents") == 1
    assert len(office.emails_to(client)) == 1
