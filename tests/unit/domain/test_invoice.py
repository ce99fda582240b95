"""Invoices: validated once and frozen; a paid invoice never moves back."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.domain.errors import InvalidTransition, InvalidValue, InvoiceAlreadyValidated
from ogust.domain.events import (
    InvoicePaid,
    InvoicePaymentFailed,
    InvoicePaymentNeedsAuthentication,
    InvoicePaymentRetryRequested,
    InvoiceValidated,
)
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.payment import AttemptStatus, PaymentAttempt
from tests.unit.domain.builders import COMPANY, at, client, invoice, line

ISSUED = date(2026, 11, 2)


def validated():
    inv = invoice(line())
    inv.validate("FA-2026-000001", ISSUED, client(id="cli-1"))
    inv.pull_events()
    return inv


def test_needs_a_line():
    with pytest.raises(InvalidValue):
        Invoice(company_id=COMPANY, client_id="c", source=InvoiceSource.MANUAL, lines=[])


def test_draft_lines_can_be_replaced_but_not_emptied():
    inv = invoice(line(60))
    inv.replace_lines([line(90)])
    assert inv.total_ht.cents == 3750
    with pytest.raises(InvalidValue):
        inv.replace_lines([])
    assert inv.total_ht.cents == 3750


def test_validate_numbers_dates_and_records_the_event_once():
    inv = invoice(line())
    inv.validate("FA-2026-000001", ISSUED, client(id="cli-1"))
    assert (inv.status, inv.number, inv.issued_on, inv.due_on) == (
        InvoiceStatus.VALIDATED, "FA-2026-000001", ISSUED, ISSUED)
    assert inv.pull_events() == [InvoiceValidated(COMPANY, inv.id, "FA-2026-000001")]
    with pytest.raises(InvoiceAlreadyValidated):
        inv.validate("FA-2026-000002", ISSUED, client(id="cli-1"))
    assert inv.number == "FA-2026-000001" and inv.pull_events() == []


def test_validated_invoice_never_changes():
    inv = validated()
    before = (inv.total_ttc, [l.id for l in inv.lines])
    with pytest.raises(InvoiceAlreadyValidated) as refused:
        inv.replace_lines([line(30)])
    assert refused.value.details["number"] == "FA-2026-000001"
    assert (inv.total_ttc, [l.id for l in inv.lines]) == before


def test_paid_once():
    inv = validated()
    assert inv.mark_paid("pi_1", at(2026, 11, 2)) is True
    assert (inv.status, inv.payment_reference, inv.paid_at) == (InvoiceStatus.PAID, "pi_1", at(2026, 11, 2))
    assert inv.mark_paid("pi_2", at(2026, 11, 3)) is False
    assert inv.payment_reference == "pi_1"
    assert inv.pull_events() == [InvoicePaid(COMPANY, inv.id, "pi_1")]


def test_paid_never_moves_back():
    inv = validated()
    inv.mark_paid("pi_1", at(2026, 11, 2))
    inv.pull_events()
    inv.mark_payment_failed(2, "carte refusée")
    inv.mark_needs_authentication(2)
    assert inv.status is InvoiceStatus.PAID and inv.payment_failure is None
    assert inv.pull_events() == []
    with pytest.raises(InvalidTransition):
        inv.request_payment_retry(2, [])


def test_a_draft_awaits_no_payment():
    inv = invoice(line())
    for move in (lambda: inv.mark_paid("pi", at(2026, 1, 1)), lambda: inv.mark_payment_failed(1, "x"),
                 lambda: inv.mark_needs_authentication(1)):
        with pytest.raises(InvalidTransition):
            move()
    assert inv.status is InvoiceStatus.DRAFT and inv.pull_events() == []


def test_failed_then_needs_authentication_then_paid():
    inv = validated()
    inv.mark_payment_failed(1, "carte refusée")
    assert (inv.status, inv.payment_failure) == (InvoiceStatus.PAYMENT_FAILED, "carte refusée")
    inv.mark_needs_authentication(2)
    assert inv.status is InvoiceStatus.NEEDS_AUTHENTICATION
    assert inv.mark_paid("pi_2", at(2026, 11, 3))
    assert inv.status is InvoiceStatus.PAID and inv.payment_failure is None
    assert [type(e) for e in inv.pull_events()] == [InvoicePaymentFailed, InvoicePaymentNeedsAuthentication,
                                                     InvoicePaid]


def test_retry_after_a_decline():
    inv = validated()
    inv.mark_payment_failed(1, "x")
    inv.pull_events()
    inv.request_payment_retry(2, [])
    assert inv.pull_events() == [InvoicePaymentRetryRequested(COMPANY, inv.id, 2)]


def test_no_retry_while_an_earlier_debit_is_under_way():
    """Its outcome unknown (Stripe timed out): it may still succeed, a new one would debit twice."""
    inv = validated()
    inv.mark_payment_failed(1, "x")
    inv.pull_events()
    charging = PaymentAttempt(COMPANY, inv.id, 2, inv.total_ttc, "key-2", status=AttemptStatus.CHARGING)
    with pytest.raises(InvalidTransition) as refused:
        inv.request_payment_retry(3, [charging])
    assert "double débit" in refused.value.message and inv.pull_events() == []
    charging.failed("carte refusée", "pi_2", at(2026, 11, 2))
    inv.request_payment_retry(3, [charging])
    assert inv.pull_events() == [InvoicePaymentRetryRequested(COMPANY, inv.id, 3)]


def test_no_retry_while_the_bank_awaits_authentication():
    inv = validated()
    inv.mark_needs_authentication(1)
    inv.pull_events()
    with pytest.raises(InvalidTransition) as refused:
        inv.request_payment_retry(2, [])
    assert "double débit" in refused.value.message and inv.pull_events() == []


@pytest.mark.parametrize("state", ["draft", "validated", "paid"])
def test_retry_refused_otherwise(state):
    inv = invoice(line()) if state == "draft" else validated()
    if state == "paid":
        inv.mark_paid("pi", at(2026, 11, 2))
    inv.pull_events()
    with pytest.raises(InvalidTransition) as refused:
        inv.request_payment_retry(2, [])
    assert refused.value.details["status"] == inv.status.value
    assert inv.pull_events() == []
