"""A client is erased only when nothing is under way with them: planned interventions, invoices
still owed, refunds in progress are settled first (GDPR art. 17(3)(b) and (e))."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.credit_note import CreditNote, full_credit_lines
from ogust.domain.erasure import ensure_erasable
from ogust.domain.errors import InvalidTransition
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.units import Quantity

HOME = Address("3 rue Haute", "69003", "Lyon")
START = datetime(2027, 1, 12, 8, 0, tzinfo=UTC)


def intervention() -> Intervention:
    return Intervention("co", "cli", "int", "tar", START, START + timedelta(hours=2), HOME)


def invoice(number: str = "FA-2027-000001") -> Invoice:
    bill = Invoice(company_id="co", client_id="cli", source=InvoiceSource.MANUAL, lines=[
        InvoiceLine("t", "Ménage", Quantity.hours_minutes(120), Money(2500), VatRate.INTERMEDIATE_10)])
    bill.validate(number, date(2027, 1, 31), Client("co", "Jean", "Dupont", "jean@example.fr", HOME, id="cli"))
    return bill


def refused(*args) -> str:
    with pytest.raises(InvalidTransition) as error:
        ensure_erasable("cli", *args)
    return error.value.message


def test_nothing_under_way_nothing_refused() -> None:
    done, cancelled = intervention(), intervention()
    done.mark_done(done.end)
    done.mark_invoiced("inv")
    cancelled.cancel()
    paid = invoice()
    paid.mark_paid("pi_1", START)
    ensure_erasable("cli", [done, cancelled], [paid], [])


def test_a_planned_intervention_or_an_invoice_owed_is_said() -> None:
    message = refused([intervention()], [invoice("FA-2027-000007")], [])
    assert "1 intervention(s) prévue(s)" in message and "FA-2027-000007" in message


def test_an_invoice_credited_in_full_is_not_owed_but_a_refund_in_progress_is() -> None:
    credited = invoice()
    note = CreditNote.issue(credited, "AV-2027-000001", date(2027, 2, 1), "Erreur", full_credit_lines(credited),
                            [], [], START)
    ensure_erasable("cli", [], [credited], [note])
    paid = invoice("FA-2027-000002")
    paid.mark_paid("pi_2", START)
    card = Payment("co", paid.id, "cli", paid.total_ttc, START, PaymentMethod.CARD, "pi_2")
    refunding = CreditNote.issue(paid, "AV-2027-000002", date(2027, 2, 1), "Geste", full_credit_lines(paid),
                                 [card], [], START)
    assert "AV-2027-000002" in refused([], [paid], [refunding])


def test_a_done_intervention_not_invoiced_yet_is_said() -> None:
    done = intervention()
    done.mark_done(done.end)
    assert "1 intervention(s) réalisée(s) non facturée(s)" in refused([done], [], [])
    done.mark_invoiced("inv")
    ensure_erasable("cli", [done], [], [])


def test_no_document_is_issued_to_an_erased_client() -> None:
    client = Client("co", "Jean", "Dupont", "jean@example.fr", HOME, id="cli")
    client.erase()
    draft = Invoice(company_id="co", client_id="cli", source=InvoiceSource.MANUAL, lines=[
        InvoiceLine("t", "Ménage", Quantity.hours_minutes(120), Money(2500), VatRate.INTERMEDIATE_10)])
    with pytest.raises(InvalidTransition, match="effacé"):
        draft.validate("FA-2027-000009", date(2027, 2, 1), client)
    assert draft.is_draft and draft.number is None


def test_an_erased_client_is_no_longer_changed_nor_sent_to_the_shop() -> None:
    client = Client("co", "Jean", "Dupont", "jean@example.fr", HOME, id="cli")
    client.erase()
    client.pull_events()
    erased = (client.first_name, client.last_name, client.email)
    with pytest.raises(InvalidTransition, match=r"effacé \(RGPD\)"):
        client.update(first_name="Cécile")
    with pytest.raises(InvalidTransition, match=r"effacé \(RGPD\)"):
        client.request_transmission(force=True)
    assert (client.first_name, client.last_name, client.email) == erased and client.pull_events() == []
