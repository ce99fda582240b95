"""Enregistrer un règlement: a cheque, a transfer, CESU or cash settles an invoice awaiting payment, in
full; never a card, never a draft or a paid invoice, never while a card debit may still succeed."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.domain.errors import InvalidTransition, InvalidValue
from ogust.domain.events import InvoicePaymentRecorded
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import AttemptStatus, PaymentAttempt, PaymentMethod
from tests.unit.domain.builders import COMPANY, PARIS, at, client, invoice, line

NOW = at(2026, 11, 20, 9)
RECEIVED = at(2026, 11, 18, 12, tz=PARIS)


def validated():
    inv = invoice(line())  # 2 h at 25,00 € HT, 10 %: 55,00 € TTC
    inv.validate("FA-2026-000001", date(2026, 11, 2), client(id="cli-1"))
    inv.pull_events()
    return inv


def attempt(inv, status, number=1):
    return PaymentAttempt(company_id=COMPANY, invoice_id=inv.id, number=number, amount=inv.amount_due,
                          idempotency_key=PaymentAttempt.key_for(COMPANY, inv.id, number), status=status)


def record(inv, method=PaymentMethod.CHEQUE, received_at=RECEIVED, attempts=(), reference="1234567", amount=None):
    return inv.record_payment(method, received_at, NOW, attempts, reference, amount)


def test_a_cheque_settles_the_invoice_and_is_the_payment_the_attestation_counts():
    inv = validated()
    payment = record(inv, reference="  1234567 ")
    assert (inv.status, inv.paid_at, inv.payment_reference, inv.payment_failure) == (
        InvoiceStatus.PAID, RECEIVED, "1234567", None)
    assert (payment.company_id, payment.invoice_id, payment.client_id) == (COMPANY, inv.id, "cli-1")
    assert (payment.amount, payment.method, payment.reference, payment.received_at) == (
        Money(5500), PaymentMethod.CHEQUE, "1234567", RECEIVED)
    assert inv.pull_events() == [InvoicePaymentRecorded(COMPANY, inv.id, "cheque", "1234567", 5500)]


@pytest.mark.parametrize("method", [PaymentMethod.TRANSFER, PaymentMethod.CESU, PaymentMethod.CASH])
def test_a_transfer_cesu_or_cash_too_without_reference(method):
    inv = validated()
    payment = record(inv, method, reference="")
    assert inv.status is InvoiceStatus.PAID and inv.payment_reference is None
    assert (payment.method, payment.reference) == (method, "")


def test_after_a_declined_debit_the_amount_due_is_the_invoice_less_its_credit_notes():
    inv = validated()
    inv.mark_payment_failed(1, "carte refusée")
    inv.record_credit(Money(1500))
    inv.pull_events()
    payment = record(inv, PaymentMethod.TRANSFER, attempts=[attempt(inv, AttemptStatus.FAILED)],
                     reference="VIR-2026-11-18", amount=Money(4000))
    assert payment.amount == Money(4000) and inv.status is InvoiceStatus.PAID and inv.payment_failure is None


def test_received_today_is_fine_in_the_future_is_refused():
    inv = validated()
    with pytest.raises(InvalidValue) as refused:
        record(inv, received_at=at(2026, 11, 21, 12, tz=PARIS))
    assert refused.value.details["field"] == "received_on" and "futur" in refused.value.message
    assert inv.status is InvoiceStatus.VALIDATED and inv.pull_events() == []
    record(inv, received_at=at(2026, 11, 20, 12, tz=PARIS))
    assert inv.status is InvoiceStatus.PAID


def test_a_card_is_never_recorded_by_hand():
    inv = validated()
    with pytest.raises(InvalidValue) as refused:
        record(inv, PaymentMethod.CARD)
    assert refused.value.details["field"] == "method" and "carte" in refused.value.message
    assert inv.status is InvoiceStatus.VALIDATED and inv.pull_events() == []


def test_a_draft_is_not_settled():
    inv = invoice(line())
    with pytest.raises(InvalidTransition) as refused:
        record(inv)
    assert "brouillon" in refused.value.message and inv.status is InvoiceStatus.DRAFT


def test_an_invoice_already_paid_is_not_paid_twice():
    inv = validated()
    inv.mark_paid("pi_1", at(2026, 11, 2))
    inv.pull_events()
    with pytest.raises(InvalidTransition) as refused:
        record(inv)
    assert "déjà payée" in refused.value.message
    assert (inv.payment_reference, inv.pull_events()) == ("pi_1", [])


def test_a_cheque_once_only():
    inv = validated()
    record(inv)
    inv.pull_events()
    with pytest.raises(InvalidTransition):
        record(inv, PaymentMethod.TRANSFER)
    assert inv.pull_events() == []


@pytest.mark.parametrize("status", [AttemptStatus.PENDING, AttemptStatus.CHARGING])
def test_refused_while_a_card_debit_is_under_way(status):
    inv = validated()
    with pytest.raises(InvalidTransition) as refused:
        record(inv, attempts=[attempt(inv, status)])
    assert "débit de la carte est en cours" in refused.value.message and "double paiement" in refused.value.message
    assert inv.status is InvoiceStatus.VALIDATED and inv.pull_events() == []


def test_refused_while_the_bank_awaits_the_clients_3d_secure():
    inv = validated()
    inv.mark_needs_authentication(1)
    inv.pull_events()
    with pytest.raises(InvalidTransition) as refused:
        record(inv, attempts=[attempt(inv, AttemptStatus.NEEDS_AUTHENTICATION)])
    assert "3-D Secure" in refused.value.message
    assert inv.status is InvoiceStatus.NEEDS_AUTHENTICATION and inv.pull_events() == []


def test_refused_while_an_earlier_attempt_still_awaits_3d_secure():
    """A retry declined while attempt 1 still awaits the client: the client may still confirm attempt 1."""
    inv = validated()
    inv.mark_payment_failed(2, "carte refusée")
    inv.pull_events()
    with pytest.raises(InvalidTransition):
        record(inv, attempts=[attempt(inv, AttemptStatus.NEEDS_AUTHENTICATION, 1),
                              attempt(inv, AttemptStatus.FAILED, 2)])
    assert inv.status is InvoiceStatus.PAYMENT_FAILED


def test_more_than_what_is_due_is_refused():
    inv = validated()
    for amount in (Money(6000), Money(0)):
        with pytest.raises(InvalidValue) as refused:
            record(inv, amount=amount)
        assert refused.value.details["amount_due_cents"] == 5500
    assert "dépasse ce qui reste à régler" in str(pytest.raises(InvalidValue, record, inv, amount=Money(5501)).value)
    assert inv.status is InvoiceStatus.VALIDATED and inv.paid_ttc == Money(0)


def test_a_part_in_cesu_then_the_rest_by_cheque():
    """CESU préfinancés for 20,00 €, the rest by cheque: the invoice awaits the rest, then is paid; each
    payment is what the attestation counts (the CESU apart), each its own publication."""
    inv = validated()
    part = record(inv, PaymentMethod.CESU, amount=Money(2000), reference="CESU-1")
    assert (inv.status, inv.paid_ttc, inv.amount_due, inv.left_to_pay, part.amount) == (
        InvoiceStatus.VALIDATED, Money(2000), Money(3500), Money(3500), Money(2000))
    with pytest.raises(InvalidValue, match="dépasse ce qui reste à régler"):
        record(inv, amount=Money(3600))
    rest = record(inv)  # no amount: what is left
    assert (inv.status, rest.amount, inv.left_to_pay) == (InvoiceStatus.PAID, Money(3500), Money(0))
    assert [e.key for e in inv.pull_events()] == [f"invoice:{inv.id}:payment-recorded:2000",
                                                  f"invoice:{inv.id}:payment-recorded:5500"]


def test_nothing_to_settle_on_an_invoice_fully_credited():
    inv = validated()
    inv.record_credit(inv.total_ttc)
    with pytest.raises(InvalidTransition) as refused:
        record(inv)
    assert "entièrement créditée" in refused.value.message and inv.status is InvoiceStatus.VALIDATED


@pytest.mark.parametrize("reference", ["x" * 101, "12\x0034"])
def test_the_reference_is_checked(reference):
    inv = validated()
    with pytest.raises(InvalidValue) as refused:
        record(inv, reference=reference)
    assert refused.value.details["field"] == "reference" and inv.status is InvoiceStatus.VALIDATED


def test_a_date_out_of_range_is_refused():
    inv = validated()
    with pytest.raises(InvalidValue) as refused:
        record(inv, received_at=at(1999, 12, 31, 12, tz=PARIS))
    assert refused.value.details["field"] == "received_on"


def test_a_debit_that_starts_gives_the_invoice_a_new_version():
    inv = validated()
    version = inv.version
    inv.debit_started()
    assert inv.version == version + 1 and inv.pull_events() == []
    record(inv)
    with pytest.raises(InvalidTransition):
        inv.debit_started()
