"""Enregistrer un règlement on the database: the cheque is stored and read back, and a card debit that
starts while an operator records a cheque (or the other way round) makes one of the two transactions
fail on the invoice's version — never both the cheque and the debit."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ogust.application import commands as c
from ogust.application.effects.payments import ChargeInvoiceEffect
from ogust.application.handlers.invoicing import RecordPaymentHandler
from ogust.application.queries import Queries
from ogust.domain.errors import ConcurrencyConflict
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import AttemptStatus, PaymentAttempt, PaymentMethod
from ogust.domain.units import Quantity

from .conftest import World

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 2)  # the fixed clock's day


def _validated(world: World, make_uow, with_card: bool = True) -> Invoice:
    invoice = Invoice(world.company_id, world.client.id, InvoiceSource.MANUAL,
                      [InvoiceLine(world.tarif.id, "Ménage", Quantity.hours_minutes(120), Money(2500),
                                   VatRate.REDUCED_5_5)],
                      created_at=datetime(2026, 11, 2, 8, tzinfo=UTC))
    with make_uow() as uow:
        client = uow.clients.get(world.company_id, world.client.id)
        if with_card:
            client.save_payment_method("cus_jeanne", "pm_jeanne")
        uow.invoices.add(invoice)
        invoice.validate(uow.sequences.next_number(world.company_id, "FA", 2026), TODAY, client)
        uow.commit()
    return invoice


def _state(make_uow, world: World, invoice: Invoice):
    with make_uow() as uow:
        return (uow.invoices.get(world.company_id, invoice.id).status,
                [p.method for p in uow.payments.for_client(world.company_id, world.client.id)
                 if p.invoice_id == invoice.id],
                [a.status for a in uow.payment_attempts.for_invoice(world.company_id, invoice.id)])


def test_a_cheque_is_stored_and_shown_with_its_invoice(world: World, make_uow) -> None:
    invoice = _validated(world, make_uow, with_card=False)
    RecordPaymentHandler(make_uow)(c.RecordPayment(world.company_id, invoice.id, PaymentMethod.CHEQUE,
                                                   date(2026, 10, 31), "1234567", Money(5275)))
    view = Queries(make_uow).invoice(world.company_id, invoice.number)
    assert (view.invoice.status, view.invoice.payment_reference) == (InvoiceStatus.PAID, "1234567")
    [payment] = view.payments
    assert (payment.method, payment.reference, payment.amount) == (PaymentMethod.CHEQUE, "1234567", Money(5275))
    assert payment.received_at == datetime.combine(date(2026, 10, 31), time(12), PARIS)
    assert payment.received_at.astimezone(PARIS).date() == view.invoice.paid_at.astimezone(PARIS).date() == date(
        2026, 10, 31)
    # the charge job that was waiting: the invoice is paid, nothing is asked of the card
    assert ChargeInvoiceEffect(make_uow, gateway=None)._prepare(world.company_id, invoice.id, 1) is None


def test_a_debit_starting_after_the_operator_read_the_invoice_refuses_the_cheque(world: World, make_uow) -> None:
    invoice = _validated(world, make_uow)
    with make_uow() as operator:
        mine = operator.invoices.get(world.company_id, invoice.id)
        seen = operator.payment_attempts.for_invoice(world.company_id, invoice.id)
        operator.commit()  # read done: no attempt yet; the invoice stays in this session at its version
        request = ChargeInvoiceEffect(make_uow, gateway=None)._prepare(world.company_id, invoice.id, 1)
        assert request is not None  # the debit starts: its attempt is "charging"
        payment = mine.record_payment(PaymentMethod.CHEQUE, datetime.combine(TODAY, time(12), PARIS),
                                      datetime(2026, 11, 2, 9, tzinfo=UTC), seen, "1234567")
        operator.payments.add(payment)
        with pytest.raises(ConcurrencyConflict):
            operator.commit()
    assert _state(make_uow, world, invoice) == (InvoiceStatus.VALIDATED, [], [AttemptStatus.CHARGING])


def test_a_cheque_recorded_while_the_debit_was_being_prepared_makes_the_debit_fail(world: World, make_uow) -> None:
    invoice = _validated(world, make_uow)
    with make_uow() as debit:
        mine = debit.invoices.get(world.company_id, invoice.id)
        debit.commit()  # the debit read the invoice: validated, awaiting payment
        RecordPaymentHandler(make_uow)(c.RecordPayment(world.company_id, invoice.id, PaymentMethod.TRANSFER, TODAY,
                                                       "VIR-1"))
        attempt = PaymentAttempt(company_id=world.company_id, invoice_id=invoice.id, number=1,
                                 amount=mine.amount_due, idempotency_key=PaymentAttempt.key_for(
                                     world.company_id, invoice.id, 1))
        debit.payment_attempts.add(attempt)
        mine.debit_started()
        attempt.start_charging(datetime(2026, 11, 2, 9, tzinfo=UTC))
        with pytest.raises(ConcurrencyConflict):
            debit.commit()
    assert _state(make_uow, world, invoice) == (InvoiceStatus.PAID, [PaymentMethod.TRANSFER], [])
