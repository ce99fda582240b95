"""A credit note that gives back one line of its invoice (a fee waived): at that line's VAT rate — the
VAT of each rate stays right — and with its eligibility to the tax credit: the client who paid for the
services alone has them all on the attestation fiscale (an avoir spread over the invoice took its
share off them)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ogust.application import commands as c
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit
from tests.fakes import FixedClock
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")
PROBLEM = "application/problem+json"


def services_and_a_fee(api, served_on: date):
    """A validated invoice of 2 h of MEN on ``served_on`` (55,00 €, eligible) and a 18,00 € fee at 20 %
    (not eligible)."""
    container = api.container
    container.create_tarif()(c.CreateTarif(api.company_id, "FRAIS", "Frais de dossier", Unit.FLAT, Money(1500),
                                           VatRate.STANDARD_20, tax_credit_eligible=False))
    draft = container.manual_invoice()(c.ManualInvoice(api.company_id, api.client_id, (
        c.ManualInvoiceLine("MEN", 120, served_on, api.intervenant_id), c.ManualInvoiceLine("FRAIS", 1))))
    return container.validate_invoice()(c.ValidateInvoice(api.company_id, draft.id))


def test_a_fee_waived_by_a_credit_note_on_its_line(offline_api, http):
    api, container = offline_api, offline_api.container
    with clock_of(container, FixedClock(datetime(2026, 3, 10, 10, 0, tzinfo=PARIS))):
        invoice = services_and_a_fee(api, date(2026, 3, 2))
        for body, status, words in (
                ({"reason": "x", "full": True, "line": 3}, 422, "pas de ligne 3"),
                ({"reason": "x", "amount_cents": 1900, "line": 2}, 409, "dépasse ce qui reste de la ligne 2"),
                ({"reason": "x", "full": True, "line": 0}, 422, "line")):
            refused = http.post(f"/api/invoices/{invoice.number}/credit-notes", json=body)
            assert refused.status_code == status and refused.headers["content-type"].startswith(PROBLEM), refused.text
            assert words in refused.text
        waived = http.post(f"/api/invoices/{invoice.number}/credit-notes",
                           json={"reason": "Frais de dossier offerts", "full": True, "line": 2})
        assert waived.status_code == 201, waived.text
        again = http.post(f"/api/invoices/{invoice.number}/credit-notes",
                          json={"reason": "encore", "full": True, "line": 2})
        assert again.status_code == 422 and "déjà entièrement créditée" in again.text
        container.record_payment()(c.RecordPayment(api.company_id, invoice.id, PaymentMethod.CHEQUE,
                                                   date(2026, 3, 10)))
    note = waived.json()
    [line] = note["lines"]
    assert (line["vat_rate"], line["amount_ht"]["cents"], line["amount_vat"]["cents"]) == ("20", 1500, 300), line
    assert "Frais de dossier (ligne 2 de la facture" in line["label"]
    with clock_of(container, FixedClock(datetime(2027, 1, 5, 10, 0, tzinfo=PARIS))):
        attestation = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, 2026))
    assert attestation.amount_paid == Money(5500)  # all of it for the services: the fee was given back


def test_a_fee_given_back_the_next_year_leaves_the_year_paid_as_it_was(offline_api):
    """Paid in full in November (55,00 € of services and 18,00 € of fees), the fee credited in December
    and given back by cheque in January: 2026's payment counts whole, for its share of services — not
    73,00 € as if the fee had been given back within the year."""
    api, container = offline_api, offline_api.container
    with clock_of(container, FixedClock(datetime(2026, 11, 10, 10, 0, tzinfo=PARIS))):
        invoice = services_and_a_fee(api, date(2026, 11, 2))
        container.record_payment()(c.RecordPayment(api.company_id, invoice.id, PaymentMethod.CHEQUE,
                                                   date(2026, 11, 10)))
    with clock_of(container, FixedClock(datetime(2026, 12, 15, 10, 0, tzinfo=PARIS))):
        note = container.issue_credit_note()(c.IssueCreditNote(api.company_id, invoice.id, "Frais offerts", None, 2))
    with clock_of(container, FixedClock(datetime(2027, 1, 10, 10, 0, tzinfo=PARIS))):
        container.record_refund()(c.RecordRefund(api.company_id, note.id, PaymentMethod.CHEQUE, date(2027, 1, 10)))
        attestation = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, 2026))
    assert attestation.amount_paid == Money(5500)
