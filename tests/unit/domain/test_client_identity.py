"""An issued document keeps the client as they were when it was issued; a draft follows the client."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.domain.address import Address
from ogust.domain.attestation import Attestation, AttestationStatus
from ogust.domain.client_identity import ClientIdentity
from ogust.domain.credit_note import CreditNote, full_credit_lines
from ogust.domain.devis import Devis, DevisStatus
from ogust.domain.errors import InvalidTransition, InvalidValue
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.lines import DevisLine
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Quantity
from tests.unit.domain.builders import ADDRESS, COMPANY, PARIS, at, client, invoice

AS_ISSUED = ClientIdentity("Jean", "Dupont", "jean@example.fr", ADDRESS)
NEW_HOME = Address("9 avenue Foch", "69006", "Lyon")


def moved_then_erased(record) -> None:
    record.update(last_name="Durand-Dupont", email="jean.durand@example.fr", address=NEW_HOME)
    record.erase()
    assert record.first_name == "Client" and record.address.street == "Adresse effacée"


def test_a_draft_invoice_shows_the_client_as_the_record_stands():
    jean, draft = client(), invoice()
    draft.client_id = jean.id
    assert draft.client_identity is None and draft.shown_client(jean) == AS_ISSUED
    jean.update(address=NEW_HOME)
    assert draft.shown_client(jean).address == NEW_HOME


def test_a_validated_invoice_keeps_the_client_of_its_validation_through_a_move_and_an_erasure():
    jean, inv = client(), invoice()
    inv.client_id = jean.id
    inv.validate("FA-2026-000001", date(2026, 11, 2), jean)
    assert inv.client_identity == AS_ISSUED
    moved_then_erased(jean)
    assert inv.client_identity == AS_ISSUED and inv.shown_client(jean) == AS_ISSUED
    assert inv.shown_client(jean).full_name == "Jean Dupont"


def test_an_invoice_is_not_validated_with_another_clients_record():
    jean, other, inv = client(), client(first_name="Paul"), invoice()
    inv.client_id = jean.id
    with pytest.raises(InvalidValue):
        inv.validate("FA-2026-000001", date(2026, 11, 2), other)
    assert inv.status is InvoiceStatus.DRAFT and inv.number is None and inv.client_identity is None


def test_a_credit_note_names_the_client_as_its_invoice_does():
    jean, inv = client(), invoice()
    inv.client_id = jean.id
    inv.validate("FA-2026-000001", date(2026, 11, 2), jean)
    jean.update(address=NEW_HOME)  # moved since: the avoir corrects the invoice as it was issued
    note = CreditNote.issue(inv, "AV-2026-000001", date(2026, 11, 20), "Annulation", full_credit_lines(inv),
                            [], [], at(2026, 11, 20))
    jean.erase()
    assert note.client_identity == AS_ISSUED and note.shown_client(jean) == AS_ISSUED


def test_an_invoice_validated_before_the_snapshot_was_kept_shows_the_client_and_so_does_its_credit_note():
    jean, inv = client(), invoice()
    inv.client_id = jean.id
    inv.validate("FA-2026-000001", date(2026, 11, 2), jean)
    inv.client_identity = None  # as a row issued before revision 0007 loads
    note = CreditNote.issue(inv, "AV-2026-000001", date(2026, 11, 20), "Annulation", full_credit_lines(inv),
                            [], [], at(2026, 11, 20))
    jean.update(address=NEW_HOME)
    assert note.client_identity is None
    assert inv.shown_client(jean).address == note.shown_client(jean).address == NEW_HOME


def test_a_validated_attestation_keeps_the_client_of_its_validation():
    jean = client()
    attestation = Attestation(company_id=COMPANY, client_id=jean.id, year=2026, amount_paid=Money(5500), lines=[])
    assert attestation.shown_client(jean) == AS_ISSUED and attestation.client_identity is None
    attestation.validate("AF-2026-000001", at(2027, 1, 10), jean, PARIS)
    moved_then_erased(jean)
    assert attestation.status is AttestationStatus.VALIDATED
    assert attestation.client_identity == AS_ISSUED and attestation.shown_client(jean) == AS_ISSUED


def devis_lines() -> list[DevisLine]:
    return [DevisLine("t", "Ménage", Quantity.hours_minutes(120), Money(2500), VatRate.INTERMEDIATE_10)]


def test_a_devis_keeps_the_client_it_was_sent_to():
    jean = client()
    devis = Devis(company_id=COMPANY, client_id=jean.id, lines=devis_lines())
    jean.update(email="jean.dupont@example.fr")
    assert devis.client_identity is None and devis.shown_client(jean).email == "jean.dupont@example.fr"
    devis.send(jean)
    moved_then_erased(jean)
    assert devis.shown_client(jean) == ClientIdentity("Jean", "Dupont", "jean.dupont@example.fr", ADDRESS)


def test_a_devis_accepted_from_a_shop_order_keeps_the_client_who_ordered():
    jean = client()
    devis = Devis.accepted_from_shop_order(COMPANY, jean, "ord_1", devis_lines(), at(2026, 11, 2))
    moved_then_erased(jean)
    assert devis.status is DevisStatus.ACCEPTED and devis.client_id == jean.id
    assert devis.shown_client(jean) == AS_ISSUED


def test_sending_a_devis_twice_is_refused_and_keeps_the_first_snapshot():
    jean = client()
    devis = Devis(company_id=COMPANY, client_id=jean.id, lines=devis_lines())
    devis.send(jean)
    jean.update(address=NEW_HOME)
    with pytest.raises(InvalidTransition):
        devis.send(jean)
    assert devis.client_identity == AS_ISSUED
