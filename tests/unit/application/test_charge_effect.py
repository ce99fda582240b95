"""Debiting the saved card: never twice, the same idempotency key when the outcome is unknown."""
from __future__ import annotations

import pytest

from ogust.application import commands as c
from ogust.application.effects import RetryLater
from ogust.application.effects.payments import ChargeInvoiceEffect
from ogust.application.handlers.invoicing import RetryPaymentHandler
from ogust.application.handlers.payments import RecordPaymentEvent, RecordPaymentEventHandler
from ogust.application.outbox import Effect, JobStatus
from ogust.application.ports import ChargeOutcome, EmailKind, PaymentOutcomeUnknown
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus, PaymentAttempt, PaymentMethod
from tests.unit.application.conftest import attempts, charge_job, validated_invoice


def test_no_card_no_attempt_invoice_stays_validated(uow, ready, marie, cards, worker):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    worker.run_until_idle()
    assert cards.requests == [] and attempts(uow, invoice) == []
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    assert charge_job(uow, invoice).status is JobStatus.DONE


def test_success_records_one_payment_even_if_the_effect_runs_twice(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards)
    effect, job = ChargeInvoiceEffect(uow, cards), charge_job(uow, invoice)
    effect(job)
    effect(job)
    assert len(cards.debited) == 1 and len(cards.requests) == 1
    [payment] = uow.payments.list(ready.id)
    assert (payment.amount, payment.method, payment.invoice_id) == (invoice.total_ttc, PaymentMethod.CARD, invoice.id)
    paid = uow.invoices.get(ready.id, invoice.id)
    assert paid.status is InvoiceStatus.PAID and paid.payment_reference == payment.reference == "pi_fake_1"
    [attempt] = attempts(uow, invoice)
    assert attempt.status is AttemptStatus.SUCCEEDED
    assert attempt.idempotency_key == PaymentAttempt.key_for(ready.id, invoice.id, 1)


def test_unknown_outcome_retries_later_with_the_same_key_and_debits_once(uow, ready, marie, cards, worker):
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1, debit_first=True)  # Stripe debited, but answered after our timeout
    effect, job = ChargeInvoiceEffect(uow, cards), charge_job(uow, invoice)
    with pytest.raises(RetryLater):
        effect(job)
    [attempt] = attempts(uow, invoice)
    assert attempt.status is AttemptStatus.CHARGING
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED and uow.payments.items == {}
    effect(job)
    assert [r.idempotency_key for r in cards.requests] == [attempt.idempotency_key] * 2
    assert len(cards.debited) == 1 and len(uow.payments.items) == 1
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID


def test_unknown_outcome_through_the_worker(uow, ready, marie, cards, worker):
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1)
    worker.run_until_idle()
    job = charge_job(uow, invoice)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1) and "même clé" in job.last_error
    uow.clock.advance(seconds=5)
    worker.run_until_idle()
    assert charge_job(uow, invoice).status is JobStatus.DONE
    assert len({r.idempotency_key for r in cards.requests}) == 1 and len(cards.debited) == 1
    assert len(attempts(uow, invoice)) == 1 and len(uow.payments.items) == 1


def test_declined_enqueues_the_email_and_keeps_the_reason(uow, ready, marie, cards, worker, mailer):
    cards.script("pm_nsf", ChargeOutcome.DECLINED, "Provision insuffisante", "insufficient_funds")
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_nsf")
    ChargeInvoiceEffect(uow, cards)(charge_job(uow, invoice))
    failed = uow.invoices.get(ready.id, invoice.id)
    assert (failed.status, failed.payment_failure) == (InvoiceStatus.PAYMENT_FAILED, "Provision insuffisante")
    [attempt] = attempts(uow, invoice)
    assert (attempt.status, attempt.failure) == (AttemptStatus.FAILED, "Provision insuffisante")
    mail = uow.outbox.by_key(ready.id, f"{Effect.MAIL_DEBIT_FAILED.value}|invoice:{invoice.id}:failed:1")
    assert mail is not None and mail.status is JobStatus.PENDING
    worker.run_until_idle()
    assert [n.context["reason"] for n in mailer.sent] == ["Provision insuffisante"]
    assert uow.payments.items == {}


def test_authentication_required_enqueues_the_email_with_the_payment_link(uow, ready, marie, cards, worker, mailer):
    cards.outcomes["pm_3ds"] = ChargeOutcome.AUTHENTICATION_REQUIRED
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_3ds")
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.NEEDS_AUTHENTICATION
    [attempt] = attempts(uow, invoice)
    assert attempt.status is AttemptStatus.NEEDS_AUTHENTICATION and attempt.payment_intent_id == "pi_fake_1"
    [mail] = mailer.sent
    assert mail.context["payment_url"].endswith(invoice.id)


def test_retry_payment_creates_attempt_two_with_a_new_key(uow, ready, marie, cards, worker):
    cards.outcomes["pm_nsf"] = ChargeOutcome.DECLINED
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_nsf")
    worker.run_until_idle()
    cards.outcomes.pop("pm_nsf")  # the client topped up the account
    RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))
    RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))  # asked twice before the worker ran: once
    assert charge_job(uow, invoice, 2) is not None and charge_job(uow, invoice, 3) is None
    worker.run_until_idle()
    first, second = attempts(uow, invoice)
    assert (first.number, first.status, second.number, second.status) == (
        1, AttemptStatus.FAILED, 2, AttemptStatus.SUCCEEDED)
    assert first.idempotency_key != second.idempotency_key
    assert [r.idempotency_key for r in cards.requests] == [first.idempotency_key, second.idempotency_key]
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID and len(uow.payments.items) == 1


def test_a_succeeded_attempt_stops_any_later_attempt(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards)
    effect = ChargeInvoiceEffect(uow, cards)
    effect(charge_job(uow, invoice))
    # even if the invoice did not show it (a stale read), a retry job finds the succeeded attempt
    uow.invoices.get(ready.id, invoice.id).status = InvoiceStatus.PAYMENT_FAILED
    job = charge_job(uow, invoice)
    job.payload = dict(job.payload, attempt=2)
    effect(job)
    assert len(cards.requests) == 1 and len(attempts(uow, invoice)) == 1


def test_a_payment_intent_still_processing_is_remembered_so_that_its_webhook_finds_the_invoice(uow, ready, marie,
                                                                                                 cards):
    """Stripe made the PaymentIntent but its outcome is not known yet (processing): the attempt keeps
    its id, stays "charging", and the job is retried; the webhook then settles the invoice."""
    class Processing:
        def charge(self, request):
            raise PaymentOutcomeUnknown("paiement pi_proc en statut « processing »", payment_intent_id="pi_proc")

    invoice = validated_invoice(uow, ready, marie, cards)
    with pytest.raises(RetryLater):
        ChargeInvoiceEffect(uow, Processing())(charge_job(uow, invoice))
    [attempt] = attempts(uow, invoice)
    assert (attempt.status, attempt.payment_intent_id) == (AttemptStatus.CHARGING, "pi_proc")
    assert RecordPaymentEventHandler(uow)(
        RecordPaymentEvent("evt_1", "payment_intent.succeeded", "pi_proc")) == "applied"
    paid = uow.invoices.get(ready.id, invoice.id)
    assert (paid.status, paid.payment_reference) == (InvoiceStatus.PAID, "pi_proc")


def test_an_event_is_matched_by_the_idempotency_key_only_when_the_key_is_ours(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1, debit_first=True)
    with pytest.raises(RetryLater):
        ChargeInvoiceEffect(uow, cards)(charge_job(uow, invoice))
    record = RecordPaymentEventHandler(uow)
    key = PaymentAttempt.key_for(ready.id, invoice.id, 1)
    forged = [key.replace(":attempt:1", ":attempt:2"), key.replace(invoice.id, "other"), "ogust:x", "not ours"]
    for n, other in enumerate(forged):
        assert record(RecordPaymentEvent(f"evt_{n}", "payment_intent.succeeded", "pi_fake_1", "", other)) == "ignored"
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    assert record(RecordPaymentEvent("evt_ok", "payment_intent.succeeded", "pi_fake_1", "", key)) == "applied"
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID


def test_an_amount_below_the_card_minimum_is_not_debited_nor_said_refused(uow, ready, marie, cards, worker, mailer):
    """0,46 € cannot be debited (Stripe's minimum is 0,50 €): no attempt, no « paiement refusé »
    email — the invoice, emailed to the client, awaits a payment made another way."""
    from datetime import date

    from ogust.application.handlers.invoicing import ManualInvoiceHandler, ValidateInvoiceHandler
    from ogust.domain.money import Money

    client_id = validated_invoice(uow, ready, marie, cards).client_id  # a client with a saved card
    worker.run_until_idle()
    sent = len(mailer.sent)
    draft = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, client_id, (
        c.ManualInvoiceLine("MEN", 1, date(2026, 10, 30), marie.id),)))
    invoice = ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, draft.id))
    assert invoice.total_ttc == Money(46)
    worker.run_until_idle()
    assert attempts(uow, invoice) == [] and len(cards.requests) == 1  # the first invoice's debit only
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    # no « paiement refusé »: the invoice's own email, with what is left to pay another way
    assert [n.kind for n in mailer.sent[sent:]] == [EmailKind.INVOICE_AVAILABLE]
    assert mailer.sent[-1].context["left_to_pay"] == "0,46\u00a0€"
    assert charge_job(uow, invoice).status is JobStatus.DONE
