"""A credit note issued before the card is debited lowers the debit; one issued while the debit is
under way is refunded once the debit is known: in the end the card pays the invoice less its credit
notes, whatever the order."""
from __future__ import annotations

import pytest

from ogust.application import commands as c
from ogust.application.effects import RetryLater
from ogust.application.effects.mail import SendEmailEffect
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.handlers.invoicing import RecordPaymentHandler, RetryPaymentHandler
from ogust.application.outbox import Effect, job_key
from ogust.application.ports import ChargeOutcome, EmailKind
from ogust.domain.credit_note import RefundStatus
from ogust.domain.errors import InvalidTransition
from ogust.domain.events import CreditNoteRefundToAnnounce
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod
from tests.fakes import FakeLinks
from tests.unit.application.conftest import attempts, validated_invoice


def credit(uow, ready, invoice, cents=None):
    return IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Intervention écourtée",
                                                         None if cents is None else Money(cents)))


def test_a_credit_note_before_the_debit_lowers_it_and_is_not_refunded(uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards)  # 55,00 € TTC, its debit not run yet
    note = credit(uow, ready, invoice, 1500)
    worker.run_until_idle()
    assert [(r.amount.cents) for r in cards.debited] == [4000]
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID
    assert [p.amount.cents for p in uow.payments.list(ready.id)] == [4000]
    assert uow.credit_notes.get(ready.id, note.id).refund_status is RefundStatus.NONE and cards.refund_requests == []
    [confirmed] = [n for n in mailer.sent if n.kind is EmailKind.DEBIT_CONFIRMED]
    assert confirmed.context["amount_ttc"] == "40,00\u00a0€"


def test_a_fully_credited_invoice_is_not_debited_and_is_settled(uow, ready, marie, cards, worker, shop, clock):
    """Nothing is due: no longer « validée » (awaiting payment) for ever, listed and shown as to pay."""
    invoice = validated_invoice(uow, ready, marie, cards)
    credit(uow, ready, invoice)
    worker.run_until_idle()
    assert cards.requests == [] and attempts(uow, invoice) == []
    settled = uow.invoices.get(ready.id, invoice.id)
    assert settled.status is InvoiceStatus.CREDITED and settled.left_to_pay == Money(0)
    [published] = [d for d in shop.documents.values() if d.id == invoice.id]
    assert published.status == "credited"  # the client's account says so too
    with pytest.raises(InvalidTransition, match="soldée par avoir : aucun paiement n'est attendu"):
        RecordPaymentHandler(uow)(c.RecordPayment(ready.id, invoice.id, PaymentMethod.CHEQUE, clock.now().date()))
    with pytest.raises(InvalidTransition, match="soldée par avoir"):
        RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))


def test_a_partly_credited_invoice_still_awaits_what_is_left(uow, ready, marie, cards, worker):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    credit(uow, ready, invoice, 1500)
    stored = uow.invoices.get(ready.id, invoice.id)
    assert stored.status is InvoiceStatus.VALIDATED and stored.left_to_pay == Money(4000)


def test_a_declined_invoice_credited_in_full_is_not_retried_and_says_why(uow, ready, marie, cards, worker):
    """The retry asked for nothing and answered nothing: now it says the credit notes cover the invoice."""
    cards.outcomes["pm_nsf"] = ChargeOutcome.DECLINED
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_nsf")
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAYMENT_FAILED
    credit(uow, ready, invoice)
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.CREDITED  # nothing is due any more
    with pytest.raises(InvalidTransition, match="soldée par avoir : pas de nouvelle tentative"):
        RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))
    worker.run_until_idle()
    assert len(cards.requests) == 1 and len(attempts(uow, invoice)) == 1


def test_a_retry_for_less_than_the_card_minimum_is_refused_and_says_why(uow, ready, marie, cards, worker):
    """27,50 € declined, then an avoir of 27,10 €: 0,40 € left, which no card debit can take."""
    cards.outcomes["pm_nsf"] = ChargeOutcome.DECLINED
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_nsf")
    worker.run_until_idle()
    credit(uow, ready, invoice, 5460)
    with pytest.raises(InvalidTransition, match=r"Il reste 0,40\u00a0€ à régler .* enregistrez un règlement"):
        RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))
    assert len(cards.requests) == 1


def test_a_credit_note_issued_while_the_debit_is_under_way_is_refunded_once_it_succeeds(uow, ready, marie, cards,
                                                                                       worker, clock, mailer):
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1, debit_first=True)  # debited 55,00 €, the answer lost: the outcome is unknown
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    note = credit(uow, ready, invoice, 1500)  # not deducted from the debit already asked for
    assert uow.credit_notes.get(ready.id, note.id).refund_status is RefundStatus.NONE
    clock.advance(seconds=3600)
    worker.run_until_idle()  # the retry finds the debit; the credit note is refunded to the card
    assert [r.amount.cents for r in cards.debited] == [5500]
    assert uow.credit_notes.get(ready.id, note.id).refund_status is RefundStatus.SUCCEEDED
    assert [(r.amount.cents, r.payment_intent_id) for r in cards.refund_requests] == [(1500, "pi_fake_1")]
    # its email, sent at issue, said no refund; the refund made, the client is told of it, once
    kinds = [n.kind for n in mailer.sent]
    assert kinds.count(EmailKind.CREDIT_NOTE_AVAILABLE) == 1 and kinds.count(EmailKind.CREDIT_NOTE_REFUNDED) == 1
    [available] = [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_AVAILABLE]
    [refunded] = [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_REFUNDED]
    assert available.context["refund_amount"] == ""
    assert (refunded.context["credit_note_number"], refunded.context["refund_amount"]) == (note.number,
                                                                                            "15,00\u00a0€")
    later = credit(uow, ready, invoice, 1000)  # after the payment: refunded as usual
    worker.run_until_idle()
    assert uow.credit_notes.get(ready.id, later.id).refund_status is RefundStatus.SUCCEEDED
    assert cards.refunded_cents == {"pi_fake_1": 2500}
    # its own email announces the refund: no second one
    assert [n.kind for n in mailer.sent].count(EmailKind.CREDIT_NOTE_REFUNDED) == 1


def test_the_refund_email_waits_for_the_refund_and_says_nothing_if_it_failed(uow, ready, marie, cards, worker,
                                                                          clock, mailer):
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1, debit_first=True)
    worker.run_until_idle()
    note = credit(uow, ready, invoice, 1500)
    with uow:
        stored = uow.credit_notes.get(ready.id, note.id)
        stored.refund_after_debit("pi_fake_1")  # as the recorded debit does: the refund is now pending
        uow.commit()
    job = uow.outbox.by_key(ready.id, job_key(Effect.MAIL_CREDIT_NOTE_REFUNDED,
                                              CreditNoteRefundToAnnounce(ready.id, note.id)))
    effect = SendEmailEffect(uow, mailer, FakeLinks())
    sent = len(mailer.sent)
    with pytest.raises(RetryLater, match="remboursement pas encore fait"):
        effect(job)
    with uow:
        uow.credit_notes.get(ready.id, note.id).mark_refund_failed("carte expirée")
        uow.commit()
    effect(job)  # refused by the bank: the company settles it, the client is not told of a refund
    assert len(mailer.sent) == sent


def test_a_full_credit_note_while_the_debit_is_under_way_waits_for_its_outcome(uow, ready, marie, cards, worker,
                                                                               clock):
    """Not settled by credit while the debit may still succeed: debited, the invoice is paid and the
    credit note refunded to the card."""
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1, debit_first=True)
    worker.run_until_idle()
    note = credit(uow, ready, invoice)
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    clock.advance(seconds=3600)
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID
    assert uow.credit_notes.get(ready.id, note.id).refund_status is RefundStatus.SUCCEEDED


def test_a_full_credit_note_while_the_debit_is_under_way_settles_the_invoice_when_it_fails(uow, ready, marie, cards,
                                                                                          worker, clock):
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_nsf")
    cards.fail_unknown(1)  # the answer lost, nothing debited
    worker.run_until_idle()
    credit(uow, ready, invoice)
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    cards.outcomes["pm_nsf"] = ChargeOutcome.DECLINED
    clock.advance(seconds=3600)
    worker.run_until_idle()  # the retry learns it was declined: nothing is due, the credit note covers it
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.CREDITED
    assert cards.debited == []
