"""An invoice of the former software: kept with its number and date, raising no event; its payments
received like any payment otherwise than by card, and refused on an invoice ogust issued."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.domain.errors import InvalidTransition, InvalidValue
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod

from .builders import PARIS, at, client, invoice, line

NOW, TODAY = at(2026, 11, 2), date(2026, 11, 2)


def imported(**overrides) -> Invoice:
    fields = dict(client=client(), number="ANC-0042", issued_on=date(2026, 3, 31), lines=[line()], at=NOW,
                  today=TODAY)
    return Invoice.imported(**(fields | overrides))


def test_an_imported_invoice_keeps_its_number_and_date_and_raises_no_event() -> None:
    found = imported()
    assert (found.source, found.number, found.issued_on, found.due_on, found.status) == (
        InvoiceSource.IMPORTED, "ANC-0042", date(2026, 3, 31), date(2026, 3, 31), InvoiceStatus.VALIDATED)
    assert found.client_identity.full_name == "Jean Dupont" and found.created_at == NOW
    assert found.peek_events() == [] and found.left_to_pay == Money(5500)


@pytest.mark.parametrize(("overrides", "said"), [
    ({"number": " "}, "Numéro de facture : champ obligatoire"),
    ({"number": "N" * 31}, "trop long"),
    ({"issued_on": date(2026, 11, 3)}, "datée dans le futur"),
    ({"issued_on": date(1999, 12, 31)}, "Année invalide"),
    ({"lines": []}, "au moins une ligne"),
])
def test_an_imported_invoice_is_refused_when(overrides: dict, said: str) -> None:
    with pytest.raises(InvalidValue, match=said):
        imported(**overrides)


def test_an_erased_client_gets_no_imported_invoice() -> None:
    erased = client()
    erased.erase()
    with pytest.raises(InvalidTransition, match="effacé"):
        imported(client=erased)


def test_its_payments_settle_it_without_event() -> None:
    found = imported()
    part = found.receive_imported_payment(PaymentMethod.CESU, at(2026, 4, 5, 12, tz=PARIS), NOW, "C-1", Money(2000))
    assert (part.amount, part.method, part.reference, found.status, found.left_to_pay) == (
        Money(2000), PaymentMethod.CESU, "C-1", InvoiceStatus.VALIDATED, Money(3500))
    found.receive_imported_payment(PaymentMethod.CHEQUE, at(2026, 4, 9, 12, tz=PARIS), NOW, "123", Money(3500))
    assert (found.status, found.paid_at, found.paid_ttc) == (InvoiceStatus.PAID, at(2026, 4, 9, 12, tz=PARIS),
                                                             Money(5500))
    assert found.peek_events() == []
    with pytest.raises(InvalidTransition, match="déjà payée"):
        found.receive_imported_payment(PaymentMethod.CHEQUE, at(2026, 4, 10, 12, tz=PARIS), NOW, "", Money(100))


def test_an_invoice_ogust_issued_takes_no_imported_payment() -> None:
    ours = invoice()
    ours.validate("FA-2026-000001", date(2026, 3, 31), client(id="cli-1"))
    with pytest.raises(InvalidTransition, match="émise par ogust"):
        ours.receive_imported_payment(PaymentMethod.CHEQUE, at(2026, 4, 5), NOW, "", Money(100))
