"""Enregistrer un règlement (cheque, transfer, CESU, cash) on the fakes: the invoice is paid and
published as such, without the "carte débitée" email; its pending card debit does nothing afterwards;
the attestation fiscale counts the payment; a debit that may still succeed refuses it."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ogust.application import commands as c
from ogust.application.effects import RetryLater
from ogust.application.effects.payments import ChargeInvoiceEffect
from ogust.application.handlers.attestations import GenerateAttestationHandler
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.handlers.invoicing import RecordPaymentHandler, RetryPaymentHandler
from ogust.application.outbox import Effect, JobStatus
from ogust.application.ports import ChargeOutcome, EmailKind
from ogust.domain.errors import InvalidTransition, InvalidValue, NotFound, NothingToAttest
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import AttemptStatus, PaymentMethod
from tests.unit.application.conftest import attempts, charge_job, contents, validated_invoice

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 2)  # the fixed clock's day


def pay(uow, invoice, method=PaymentMethod.CHEQUE, on=TODAY, reference="1234567", amount=None):
    return RecordPaymentHandler(uow)(c.RecordPayment(invoice.company_id, invoice.id, method, on, reference, amount))


def jobs(uow, effect):
    return [j for j in uow.outbox.jobs.values() if j.effect == effect.value]


def test_a_cheque_for_a_client_without_card_pays_the_invoice(uow, ready, marie, cards, worker, shop, mailer):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    paid = pay(uow, invoice, on=date(2026, 10, 30))
    assert paid.status is InvoiceStatus.PAID and paid.payment_reference == "1234567"
    [payment] = uow.payments.list(ready.id)
    assert (payment.invoice_id, payment.client_id, payment.amount, payment.method, payment.reference) == (
        invoice.id, invoice.client_id, Money(5500), PaymentMethod.CHEQUE, "1234567")
    assert payment.received_at == datetime.combine(date(2026, 10, 30), time(12), PARIS) == paid.paid_at
    publish = uow.outbox.by_key(ready.id, f"{Effect.PUBLISH_INVOICE.value}|invoice:{invoice.id}:payment-recorded:5500")
    assert publish is not None and publish.status is JobStatus.PENDING
    assert jobs(uow, Effect.MAIL_DEBIT_CONFIRMED) == []

    worker.run_until_idle()
    assert charge_job(uow, invoice).status is JobStatus.DONE and cards.requests == [] and attempts(uow, invoice) == []
    [document] = [d for d in shop.documents.values() if d.id == invoice.id]
    assert document.status == "paid"
    assert EmailKind.DEBIT_CONFIRMED not in {n.kind for n in mailer.sent}
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID


def test_the_pending_card_debit_does_nothing_afterwards(uow, ready, marie, cards, worker, mailer):
    """A client with a card who paid by transfer before the debit ran: the card is never debited."""
    invoice = validated_invoice(uow, ready, marie, cards)
    pay(uow, invoice, PaymentMethod.TRANSFER, reference="VIR 2026-11-02")
    worker.run_until_idle()
    assert cards.requests == [] and attempts(uow, invoice) == []
    assert charge_job(uow, invoice).status is JobStatus.DONE
    assert [p.method for p in uow.payments.list(ready.id)] == [PaymentMethod.TRANSFER]
    assert EmailKind.DEBIT_CONFIRMED not in {n.kind for n in mailer.sent}


def test_after_a_declined_card_the_transfer_settles_it_and_the_retry_asked_for_does_nothing(
        uow, ready, marie, cards, worker):
    cards.script("pm_nsf", ChargeOutcome.DECLINED, "Provision insuffisante", "insufficient_funds")
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_nsf")
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAYMENT_FAILED
    RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))  # queued, not run yet
    paid = pay(uow, invoice, PaymentMethod.TRANSFER, reference="VIR-98765", amount=Money(5500))
    assert paid.status is InvoiceStatus.PAID and paid.payment_failure is None
    worker.run_until_idle()
    assert charge_job(uow, invoice, attempt=2).status is JobStatus.DONE
    assert len(cards.requests) == 1 and [a.number for a in attempts(uow, invoice)] == [1]
    assert [p.method for p in uow.payments.list(ready.id)] == [PaymentMethod.TRANSFER]


def test_refused_while_the_card_debit_is_under_way_then_the_debit_pays(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(1, debit_first=True)  # Stripe debited, its answer lost: the attempt stays "charging"
    effect, job = ChargeInvoiceEffect(uow, cards), charge_job(uow, invoice)
    with pytest.raises(RetryLater):
        effect(job)
    assert [a.status for a in attempts(uow, invoice)] == [AttemptStatus.CHARGING]
    before = contents(uow)
    with pytest.raises(InvalidTransition) as refused:
        pay(uow, invoice)
    assert "double paiement" in refused.value.message and contents(uow) == before
    effect(job)
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID
    assert [p.method for p in uow.payments.list(ready.id)] == [PaymentMethod.CARD]


def test_refused_while_the_bank_awaits_3d_secure(uow, ready, marie, cards, worker):
    cards.script("pm_3ds", ChargeOutcome.AUTHENTICATION_REQUIRED)
    invoice = validated_invoice(uow, ready, marie, cards, pm="pm_3ds")
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.NEEDS_AUTHENTICATION
    before = contents(uow)
    with pytest.raises(InvalidTransition) as refused:
        pay(uow, invoice, PaymentMethod.CESU, reference="CESU-0042")
    assert "3-D Secure" in refused.value.message and contents(uow) == before


def test_a_card_a_future_day_too_much_are_refused_and_write_nothing(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    before = contents(uow)
    for kwargs in ({"method": PaymentMethod.CARD}, {"on": date(2026, 11, 3)}, {"amount": Money(5600)}):
        with pytest.raises(InvalidValue):
            pay(uow, invoice, **kwargs)
    assert contents(uow) == before and uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED


def test_a_payment_a_year_before_its_invoice_is_refused_a_few_days_ahead_is_not(uow, ready, marie, cards):
    """The invoice is issued on 2 November 2026: a cheque « received » on 31/12/2025 (a slip of the year)
    would count on the 2025 attestation fiscale; one received on 30 October is a client paying ahead."""
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    before = contents(uow)
    with pytest.raises(InvalidValue) as refused:
        pay(uow, invoice, on=date(2025, 12, 31))
    assert refused.value.message == ("Date de réception (31/12/2025) plus d'un mois avant la facture "
                                     f"{invoice.number}, émise le 02/11/2026 : vérifiez l'année.")
    assert contents(uow) == before
    assert pay(uow, invoice, on=date(2026, 10, 30)).status is InvoiceStatus.PAID


def test_already_paid_and_unknown_invoice(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice)
    before = contents(uow)
    with pytest.raises(InvalidTransition):
        pay(uow, invoice, PaymentMethod.CASH)
    with pytest.raises(NotFound):
        RecordPaymentHandler(uow)(c.RecordPayment(ready.id, "nope", PaymentMethod.CHEQUE, TODAY))
    assert contents(uow) == before


def test_credited_before_the_cheque_it_settles_what_is_due(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Geste commercial", Money(1500)))
    pay(uow, invoice, amount=Money(4000))
    [payment] = uow.payments.list(ready.id)
    assert payment.amount == Money(4000)


def test_the_attestation_fiscale_of_the_year_counts_the_cheque(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice)
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, invoice.client_id, 2026))
    assert attestation.amount_paid == Money(5500)


def test_the_year_of_receipt_counts_not_the_year_of_the_invoice(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    uow.clock.current = datetime(2027, 1, 4, 9, tzinfo=PARIS)
    pay(uow, invoice, on=date(2027, 1, 1))  # received on New Year's Day, Paris time
    with pytest.raises(NothingToAttest):
        GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, invoice.client_id, 2026))
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, invoice.client_id, 2027))
    assert attestation.amount_paid == Money(5500)


def test_cash_settles_the_invoice_but_the_attestation_does_not_count_it(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice, PaymentMethod.CASH, reference="")
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID
    with pytest.raises(NothingToAttest):
        GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, invoice.client_id, 2026))


def test_a_part_in_cesu_then_the_card_debits_only_the_rest(uow, ready, marie, cards, worker, mailer):
    """Recorded before the card is debited, a part paid in CESU lowers the debit: the card pays the rest,
    once; the invoice is paid; the attestation counts the card part and states the CESU apart."""
    from datetime import UTC

    from ogust.application.handlers.attestations import GenerateAttestationHandler

    invoice = validated_invoice(uow, ready, marie, cards)  # 55,00 €, its debit queued, not run
    pay(uow, invoice, method=PaymentMethod.CESU, on=date(2026, 11, 2), amount=Money(2000))
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
    worker.run_until_idle()
    assert [r.amount for r in cards.debited] == [Money(3500)]
    paid = uow.invoices.get(ready.id, invoice.id)
    assert (paid.status, paid.left_to_pay) == (InvoiceStatus.PAID, Money(0))
    [confirmed] = [n for n in mailer.sent if n.kind.value == "debit_confirmed"]
    assert confirmed.context["amount_ttc"] == "35,00\u00a0€"
    uow.clock.current = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, invoice.client_id, 2026))
    assert (attestation.amount_paid, attestation.cesu_paid) == (Money(3500), Money(2000))


def test_an_invoice_paid_part_in_cesu_part_by_card_is_credited_back_each_way(uow, ready, marie, cards, worker):
    """Found by the state machine: 20,00 € in CESU, the card debited the other 35,00 €, then an avoir
    of the whole was refunded whole to a card that paid 35,00 €. The card gives back what it paid;
    the rest, paid otherwise, is an avoir the company gives back itself."""
    from ogust.application.handlers.credit_notes import IssueCreditNoteHandler, RecordRefundHandler
    from ogust.domain.credit_note import RefundStatus
    from ogust.domain.errors import RefundExceedsPayment

    invoice = validated_invoice(uow, ready, marie, cards)  # 55,00 €
    pay(uow, invoice, method=PaymentMethod.CESU, on=date(2026, 11, 2), amount=Money(2000))
    cards.fail_unknown(1)  # the debit's answer lost: under way
    worker.run_until_idle()
    issue = IssueCreditNoteHandler(uow)
    with pytest.raises(InvalidTransition, match="attendez son issue pour émettre l'avoir"):
        issue(c.IssueCreditNote(ready.id, invoice.id, "Intervention annulée"))
    uow.clock.advance(seconds=3600)
    worker.run_until_idle()
    assert [r.amount for r in cards.debited] == [Money(3500)]
    with pytest.raises(RefundExceedsPayment, match="la carte ne peut rembourser que 35,00"):
        issue(c.IssueCreditNote(ready.id, invoice.id, "Intervention annulée"))
    to_card = issue(c.IssueCreditNote(ready.id, invoice.id, "Intervention annulée", Money(3500)))
    worker.run_until_idle()
    assert uow.credit_notes.get(ready.id, to_card.id).refund_status is RefundStatus.SUCCEEDED
    otherwise = issue(c.IssueCreditNote(ready.id, invoice.id, "Intervention annulée"))
    assert (otherwise.total_ttc, otherwise.refund_status) == (Money(2000), RefundStatus.NONE)
    refunded = RecordRefundHandler(uow)(c.RecordRefund(ready.id, otherwise.id, PaymentMethod.CHEQUE,
                                                       uow.clock.now().date()))
    assert refunded.refund_status is RefundStatus.SUCCEEDED and cards.refunded_cents == {"pi_fake_1": 3500}
