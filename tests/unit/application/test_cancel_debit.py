"""Annuler le débit en attente: a debit awaiting the client's 3-D Secure confirmation is cancelled at
the bank, then the invoice awaits payment again — a cheque can settle it, or a new debit — without
the email of a failed debit. When the client confirmed first, the invoice is recorded paid and
nothing is cancelled; an invoice with no debit awaiting the client is refused, writing nothing."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.application import commands as c
from ogust.application.handlers.invoicing import RecordPaymentHandler, RetryPaymentHandler
from ogust.application.handlers.payments import CANCELLED, CancelDebitHandler
from ogust.application.outbox import Effect
from ogust.application.ports import ChargeOutcome, EmailKind, PaymentOutcomeUnknown
from ogust.domain.errors import InvalidTransition
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import AttemptStatus, PaymentMethod
from tests.unit.application.conftest import attempts, contents, validated_invoice


@pytest.fixture
def awaiting(uow, ready, marie, cards, worker):
    """An invoice whose debit awaits the client's 3-D Secure confirmation (its email sent)."""
    cards.script("pm_3ds", ChargeOutcome.AUTHENTICATION_REQUIRED)
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_3ds")
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.NEEDS_AUTHENTICATION
    return invoice


def cancel(uow, cards, invoice):
    return CancelDebitHandler(uow, cards)(c.CancelDebit(invoice.company_id, invoice.id))


def test_cancelled_at_the_bank_then_a_cheque_settles_it(uow, ready, cards, worker, mailer, shop, awaiting):
    emails_before = [n.kind for n in mailer.sent]
    after = cancel(uow, cards, awaiting)
    assert (after.status, after.payment_failure) == (InvoiceStatus.PAYMENT_FAILED, CANCELLED)
    [attempt] = attempts(uow, awaiting)
    assert (attempt.status, attempt.failure) == (AttemptStatus.FAILED, CANCELLED)
    [intent] = cards.charges.values()
    assert intent.outcome is ChargeOutcome.DECLINED  # the PaymentIntent can no longer debit the card
    with pytest.raises(ValueError):
        cards.authenticate(intent.payment_intent_id)  # the client confirming now: too late

    worker.run_until_idle()
    assert [n.kind for n in mailer.sent] == emails_before  # no "débit refusé" email
    # the client's page says the company cancelled it — not that the bank refused the card
    assert [(d.status, d.left_to_pay_cents) for d in shop.documents.values() if d.id == awaiting.id] == [
        ("debit_cancelled", awaiting.total_ttc.cents)]
    assert uow.outbox.by_key(ready.id, f"{Effect.PUBLISH_INVOICE.value}|invoice:{awaiting.id}:debit-cancelled:1")

    paid = RecordPaymentHandler(uow)(c.RecordPayment(ready.id, awaiting.id, PaymentMethod.CHEQUE, date(2026, 11, 2),
                                                     "1234567"))
    assert paid.status is InvoiceStatus.PAID
    assert [p.method for p in uow.payments.list(ready.id)] == [PaymentMethod.CHEQUE] and cards.debited == []


def test_after_the_cancel_a_new_debit_can_be_asked_for(uow, ready, cards, worker, awaiting):
    cancel(uow, cards, awaiting)
    cards.script("pm_3ds", ChargeOutcome.SUCCEEDED)
    RetryPaymentHandler(uow)(c.RetryPayment(ready.id, awaiting.id))
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, awaiting.id).status is InvoiceStatus.PAID
    assert [(a.number, a.status) for a in attempts(uow, awaiting)] == [(1, AttemptStatus.FAILED),
                                                                       (2, AttemptStatus.SUCCEEDED)]
    assert [r.amount for r in cards.debited] == [Money(5500)]


def test_the_client_confirmed_first_the_invoice_is_paid_and_nothing_is_cancelled(uow, ready, cards, mailer, worker,
                                                                                 awaiting):
    [intent] = cards.charges.values()
    cards.authenticate(intent.payment_intent_id)  # before its webhook reached us
    after = cancel(uow, cards, awaiting)
    assert after.status is InvoiceStatus.PAID
    [payment] = uow.payments.list(ready.id)
    assert (payment.method, payment.reference, payment.amount) == (PaymentMethod.CARD, intent.payment_intent_id,
                                                                   Money(5500))
    worker.run_until_idle()
    assert EmailKind.DEBIT_CONFIRMED in [n.kind for n in mailer.sent]


def test_no_answer_from_the_bank_changes_nothing_and_can_be_tried_again(uow, ready, cards, awaiting):
    before = contents(uow)
    cards.fail_unknown()
    with pytest.raises(PaymentOutcomeUnknown):
        cancel(uow, cards, awaiting)
    assert contents(uow) == before
    assert cancel(uow, cards, awaiting).status is InvoiceStatus.PAYMENT_FAILED


def test_refused_when_no_debit_awaits_the_client(uow, ready, marie, cards, worker, awaiting):
    cancel(uow, cards, awaiting)
    before = contents(uow)
    with pytest.raises(InvalidTransition) as refused:
        cancel(uow, cards, awaiting)  # twice
    assert "n'attend la confirmation du client" in refused.value.message
    assert contents(uow) == before
