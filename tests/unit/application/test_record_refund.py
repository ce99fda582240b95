"""Enregistrer un remboursement: a credit note on an invoice paid by cheque, transfer, CESU or cash is
given back by the company itself; once recorded, the credit note is refunded (and published so to
the shop), and the attestation fiscale counts the payment net of it. Refused — writing nothing — when
there is nothing the client paid beyond what the invoice now asks for, for a card refund, twice, a
day in the future or before the credit note, a card as the means."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ogust.application import commands as c
from ogust.application.handlers.attestations import GenerateAttestationHandler
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler, RecordRefundHandler
from ogust.application.handlers.invoicing import RecordPaymentHandler
from ogust.application.outbox import Effect
from ogust.application.ports import EmailKind
from ogust.domain.credit_note import RefundStatus
from ogust.domain.errors import InvalidTransition, InvalidValue, NothingToAttest, RefundExceedsPayment
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod
from tests.unit.application.conftest import contents, validated_invoice

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 2)  # the fixed clock's day


def pay(uow, invoice, method=PaymentMethod.CHEQUE, amount=None):
    RecordPaymentHandler(uow)(c.RecordPayment(invoice.company_id, invoice.id, method, TODAY, "1234567", amount))


def credit(uow, invoice, cents):
    return IssueCreditNoteHandler(uow)(c.IssueCreditNote(invoice.company_id, invoice.id, "Heure non faite",
                                                         Money(cents)))


def refund(uow, note, method=PaymentMethod.CHEQUE, on=TODAY, reference="7654321"):
    return RecordRefundHandler(uow)(c.RecordRefund(note.company_id, note.id, method, on, reference))


def attested(uow, invoice):
    return GenerateAttestationHandler(uow)(c.GenerateAttestation(invoice.company_id, invoice.client_id, 2026))


def test_a_cheque_refund_is_recorded_and_the_attestation_counts_the_payment_net_of_it(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice)  # 55,00 € by cheque
    note = credit(uow, invoice, 2750)  # then half of it credited
    assert attested(uow, invoice).amount_paid == Money(5500)  # not given back yet: the client paid 55,00 €

    refunded = refund(uow, note)
    assert (refunded.refund_status, refunded.refund_amount, refunded.refund_method, refunded.refund_id) == (
        RefundStatus.SUCCEEDED, Money(2750), PaymentMethod.CHEQUE, "7654321")
    assert refunded.refunded_at == datetime.combine(TODAY, time(12), PARIS)
    stored = uow.credit_notes.get(ready.id, note.id)
    assert stored.refund_method is PaymentMethod.CHEQUE and stored.refund_status is RefundStatus.SUCCEEDED
    assert uow.outbox.by_key(ready.id, f"{Effect.PUBLISH_CREDIT_NOTE.value}|credit-note:{note.id}:refunded")
    assert attested(uow, invoice).amount_paid == Money(2750)


def test_cesu_refunded_by_transfer_lowers_what_the_attestation_states_in_cesu(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice, PaymentMethod.CESU)
    refund(uow, credit(uow, invoice, 1500), PaymentMethod.TRANSFER, reference="VIR-1")
    attestation = attested(uow, invoice)
    assert (attestation.amount_paid, attestation.cesu_paid) == (Money(0), Money(4000))


def test_a_credit_note_given_back_in_full_leaves_nothing_to_attest(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice, PaymentMethod.TRANSFER)
    refund(uow, credit(uow, invoice, 5500), PaymentMethod.TRANSFER)
    with pytest.raises(NothingToAttest):
        attested(uow, invoice)


def test_two_credit_notes_each_refunded(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice)
    first, second = credit(uow, invoice, 2000), credit(uow, invoice, 3500)
    refund(uow, first)
    refund(uow, second, PaymentMethod.CASH, reference="")
    assert uow.credit_notes.get(ready.id, second.id).refund_id is None
    with pytest.raises(NothingToAttest):
        attested(uow, invoice)


def test_a_credit_note_issued_before_the_payment_was_deducted_from_it_nothing_to_refund(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    note = credit(uow, invoice, 1500)
    pay(uow, invoice, amount=Money(4000))  # the amount due: 55,00 € less the credit note
    before = contents(uow)
    with pytest.raises(RefundExceedsPayment) as refused:
        refund(uow, note)
    assert "Rien à rembourser" in refused.value.message
    assert contents(uow) == before
    assert attested(uow, invoice).amount_paid == Money(4000)


def test_an_unpaid_invoice_has_nothing_to_refund(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    note = credit(uow, invoice, 1500)
    with pytest.raises(RefundExceedsPayment):
        refund(uow, note)


def test_a_credit_note_refunded_to_the_card_is_refused(uow, ready, marie, cards, worker):
    paid_by_card = validated_invoice(uow, ready, marie, cards)
    worker.run_until_idle()  # debited
    card_note = credit(uow, paid_by_card, 1000)
    before = contents(uow)
    with pytest.raises(InvalidTransition) as refused:
        refund(uow, card_note)
    assert "sur la carte bancaire" in refused.value.message
    assert contents(uow) == before


def test_twice_a_card_cesu_a_future_day_a_day_before_the_credit_note_are_refused(uow, ready, marie, cards):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice)
    note = credit(uow, invoice, 1000)
    before = contents(uow)
    for method, on, field in ((PaymentMethod.CARD, TODAY, "method"), (PaymentMethod.CESU, TODAY, "method"),
                              (PaymentMethod.CHEQUE, date(2026, 11, 3), "refunded_on"),
                              (PaymentMethod.CHEQUE, date(2026, 11, 1), "refunded_on")):
        with pytest.raises(InvalidValue) as refused:
            refund(uow, note, method, on)
        assert refused.value.details.get("field") == field
    assert contents(uow) == before
    refund(uow, note)
    with pytest.raises(InvalidTransition):
        refund(uow, note)


def test_the_credit_note_email_sent_after_the_refund_was_recorded_announces_no_card_refund(
        uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    pay(uow, invoice)
    refund(uow, credit(uow, invoice, 2000))  # recorded before the worker sent the credit note's email
    worker.run_until_idle()
    [sent] = [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_AVAILABLE]
    assert sent.context["refund_amount"] == ""
