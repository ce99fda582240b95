"""Stripe webhook events: once per event id; unknown PaymentIntents ignored; a paid invoice never moves back."""
from __future__ import annotations

import pytest

from ogust.application.handlers.payments import RecordPaymentEvent, RecordPaymentEventHandler
from ogust.application.ports import ChargeOutcome
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus
from tests.unit.application.conftest import attempts, contents, validated_invoice


@pytest.fixture
def needs_auth(uow, ready, marie, cards, worker):
    cards.outcomes["pm_3ds"] = ChargeOutcome.AUTHENTICATION_REQUIRED
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_3ds")
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.NEEDS_AUTHENTICATION
    return invoice


def test_success_after_authentication_pays_and_records_the_payment(uow, ready, needs_auth):
    record = RecordPaymentEventHandler(uow)
    assert record(RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_fake_1")) == "applied"
    invoice = uow.invoices.get(ready.id, needs_auth.id)
    assert (invoice.status, invoice.payment_reference) == (InvoiceStatus.PAID, "pi_fake_1")
    [payment] = uow.payments.list(ready.id)
    assert (payment.amount, payment.reference) == (invoice.total_ttc, "pi_fake_1")
    assert attempts(uow, invoice)[0].status is AttemptStatus.SUCCEEDED


def test_duplicate_event_id_changes_nothing(uow, ready, needs_auth):
    record = RecordPaymentEventHandler(uow)
    record(RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_fake_1"))
    before = contents(uow)
    assert record(RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_fake_1")) == "duplicate"
    assert contents(uow) == before


def test_a_second_success_event_records_no_second_payment(uow, ready, needs_auth):
    record = RecordPaymentEventHandler(uow)
    record(RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_fake_1"))
    assert record(RecordPaymentEvent("evt_2", "payment_intent.succeeded", "pi_fake_1")) == "applied"
    assert len(uow.payments.items) == 1


def test_unknown_payment_intent_or_type_is_ignored_but_remembered(uow, ready, needs_auth):
    record = RecordPaymentEventHandler(uow)
    before = contents(uow)
    assert record(RecordPaymentEvent("evt_9", "payment_intent.succeeded", "pi_elsewhere")) == "ignored"
    assert record(RecordPaymentEvent("evt_10", "charge.refunded", "pi_fake_1")) == "ignored"
    after = contents(uow)
    assert after.pop("inbox") == before.pop("inbox") + 2
    assert after == before
    assert uow.invoices.get(ready.id, needs_auth.id).status is InvoiceStatus.NEEDS_AUTHENTICATION
    assert record(RecordPaymentEvent("evt_9", "payment_intent.succeeded", "pi_elsewhere")) == "duplicate"


def test_a_failure_event_after_payment_never_moves_the_invoice_back(uow, ready, needs_auth):
    record = RecordPaymentEventHandler(uow)
    record(RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_fake_1"))
    before = contents(uow)
    assert record(RecordPaymentEvent("evt_2", "payment_intent.payment_failed", "pi_fake_1", "expirée")) == "applied"
    invoice = uow.invoices.get(ready.id, needs_auth.id)
    assert invoice.status is InvoiceStatus.PAID and invoice.payment_failure is None
    assert attempts(uow, invoice)[0].status is AttemptStatus.SUCCEEDED
    after = contents(uow)
    assert after.pop("inbox") == before.pop("inbox") + 1
    assert after == before  # no failure email queued


def test_authentication_abandoned_fails_the_invoice(uow, ready, needs_auth):
    record = RecordPaymentEventHandler(uow)
    record(RecordPaymentEvent("evt_1", "payment_intent.payment_failed", "pi_fake_1", "authentification abandonnée"))
    invoice = uow.invoices.get(ready.id, needs_auth.id)
    assert (invoice.status, invoice.payment_failure) == (InvoiceStatus.PAYMENT_FAILED, "authentification abandonnée")


def test_no_retry_while_the_bank_awaits_authentication_so_the_card_is_debited_once(uow, ready, cards, needs_auth):
    from ogust.application import commands as c
    from ogust.application.handlers.invoicing import RetryPaymentHandler
    from ogust.domain.errors import InvalidTransition
    with pytest.raises(InvalidTransition):
        RetryPaymentHandler(uow)(c.RetryPayment(ready.id, needs_auth.id))
    cards.authenticate("pi_fake_1")  # the client completes 3-D Secure on the email's link
    assert RecordPaymentEventHandler(uow)(RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_fake_1")) \
        == "applied"
    assert len(cards.debited) == len(uow.payments.items) == 1
    assert uow.invoices.get(ready.id, needs_auth.id).status is InvoiceStatus.PAID
