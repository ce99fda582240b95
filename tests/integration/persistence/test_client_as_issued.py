"""On the real database: a validated invoice (and its credit note) keeps the client as invoiced, and
re-renders so after the client's GDPR erasure — while the client record itself is anonymised."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from ogust.adapters.documents.pdf_renderer import PdfDocumentRenderer
from ogust.application import commands as c
from ogust.application.documents import DocumentQueries
from ogust.application.gdpr import ClientDataExport, EraseClient, EraseClientHandler
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.handlers.invoicing import ManualInvoiceHandler, ValidateInvoiceHandler
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity
from ogust.entrypoints.gdpr_export import client_data_json
from tests.support.pdf_text import flat, text_of

from .conftest import World

pytestmark = pytest.mark.integration

HOME = Address("7 impasse des Tilleuls", "69005", "Lyon")
AS_INVOICED = ["Camille Lenoir", "7 impasse des Tilleuls", "69005 Lyon", "camille.lenoir@example.fr"]
renderer = PdfDocumentRenderer()


def rendered(make_uow, company_id: str, kind: str, document_id: str) -> str:
    document, context = DocumentQueries(make_uow).document(company_id, kind, document_id)
    render = renderer.invoice if kind == "invoice" else renderer.credit_note
    return flat(text_of(render(document, context.company, context.client, context)))


def test_an_invoice_renders_as_issued_after_the_clients_erasure(world: World, make_uow) -> None:
    camille = Client(world.company_id, "Camille", "Lenoir", "camille.lenoir@example.fr", HOME)
    with make_uow() as uow:
        uow.clients.add(camille)
        uow.commit()
    draft = ManualInvoiceHandler(make_uow)(c.ManualInvoice(world.company_id, camille.id, (
        c.ManualInvoiceLine("MENAGE", 120, date(2026, 11, 3), world.intervenant.id),)))
    invoice = ValidateInvoiceHandler(make_uow)(c.ValidateInvoice(world.company_id, draft.id))
    issued = rendered(make_uow, world.company_id, "invoice", invoice.id)
    for mention in AS_INVOICED:
        assert mention in issued, mention

    # credited in full (nothing owed any more: the client may be erased), then erased
    note = IssueCreditNoteHandler(make_uow)(c.IssueCreditNote(world.company_id, invoice.id, "Geste commercial"))
    issued = rendered(make_uow, world.company_id, "invoice", invoice.id)  # now listing its avoir
    EraseClientHandler(make_uow)(EraseClient(world.company_id, camille.id))
    assert rendered(make_uow, world.company_id, "invoice", invoice.id) == issued  # the invoice that was issued

    with make_uow() as uow:
        record = uow.clients.get(world.company_id, camille.id)
        assert record.is_erased and record.full_name != "Camille Lenoir"
        assert record.address.street == "Adresse effacée" and record.email.endswith("@efface.invalid")
        stored = uow.invoices.get(world.company_id, invoice.id).client_identity
        assert stored == ClientIdentity("Camille", "Lenoir", "camille.lenoir@example.fr", HOME)
        assert uow.credit_notes.get(world.company_id, note.id).client_identity == stored
        [raw] = uow.session.execute(text("SELECT client_identity FROM invoices WHERE id = :id"),
                                    {"id": invoice.id}).scalars()
        assert "Lenoir" in str(raw) and "Tilleuls" in str(raw)  # on the row itself, not rebuilt from the client

    again = rendered(make_uow, world.company_id, "invoice", invoice.id)
    avoir = rendered(make_uow, world.company_id, "credit_note", note.id)
    for mention in AS_INVOICED:
        assert mention in again and mention in avoir, mention
    assert "effacé" not in again and "effacé" not in avoir

    # the GDPR export tells what the kept documents still hold
    data = ClientDataExport(make_uow, renderer)(world.company_id, camille.id)
    exported = client_data_json(data)
    assert exported["client"]["first_name"] == "Client"
    [exported_invoice] = exported["invoices"]
    assert exported_invoice["client_as_issued"] == {
        "first_name": "Camille", "last_name": "Lenoir", "email": "camille.lenoir@example.fr",
        "address": {"street": HOME.street, "postal_code": "69005", "city": "Lyon", "country": "FR"}}
    assert exported["credit_notes"][0]["client_as_issued"] == exported_invoice["client_as_issued"]
    [invoice_pdf] = [d.content for d in data.documents if d.kind == "invoice"]
    assert flat(text_of(invoice_pdf)) == again


def test_a_draft_invoice_has_no_snapshot_and_follows_the_client(world: World, make_uow) -> None:
    draft = ManualInvoiceHandler(make_uow)(c.ManualInvoice(world.company_id, world.client.id, (
        c.ManualInvoiceLine("MENAGE", 60, date(2026, 11, 3), world.intervenant.id),)))
    with make_uow() as uow:
        uow.clients.get(world.company_id, world.client.id).update(address=HOME)
        uow.commit()
    with make_uow() as uow:
        assert uow.invoices.get(world.company_id, draft.id).client_identity is None
    assert "7 impasse des Tilleuls" in rendered(make_uow, world.company_id, "invoice", draft.id)


def test_the_place_of_an_invoiced_intervention_outlives_the_erasure(world: World, make_uow) -> None:
    """The place of intervention is a mention of the invoice (art. D.7233-1), kept with it (art. L123-22
    du Code de commerce, GDPR art. 17(3)(b)); the address of an intervention never invoiced goes."""
    from datetime import UTC, datetime, timedelta

    from ogust.application.handlers.invoicing import ContractInvoiceHandler
    from ogust.domain.intervention import Intervention

    place = Address("9 rue des Vignes", "69009", "Lyon")  # her mother's, not her home
    camille = Client(world.company_id, "Camille", "Lenoir", "camille.lenoir@example.fr", HOME)
    start = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
    done = Intervention(world.company_id, camille.id, world.intervenant.id, world.tarif.id, start,
                        start + timedelta(hours=2), place)
    cancelled = Intervention(world.company_id, camille.id, world.intervenant.id, world.tarif.id,
                             start + timedelta(days=1), start + timedelta(days=1, hours=2), place)
    done.mark_done(done.end)
    cancelled.cancel()
    with make_uow() as uow:
        uow.clients.add(camille)
        uow.interventions.add(done)
        uow.interventions.add(cancelled)
        uow.commit()
    draft = ContractInvoiceHandler(make_uow)(c.ContractInvoice(world.company_id, camille.id, date(2026, 10, 1),
                                                               date(2026, 10, 31)))
    invoice = ValidateInvoiceHandler(make_uow)(c.ValidateInvoice(world.company_id, draft.id))
    IssueCreditNoteHandler(make_uow)(c.IssueCreditNote(world.company_id, invoice.id, "Geste commercial"))
    issued = rendered(make_uow, world.company_id, "invoice", invoice.id)
    assert "9 rue des Vignes" in issued

    EraseClientHandler(make_uow)(EraseClient(world.company_id, camille.id))
    assert rendered(make_uow, world.company_id, "invoice", invoice.id) == issued
    with make_uow() as uow:
        assert uow.interventions.get(world.company_id, done.id).address == place
        assert uow.interventions.get(world.company_id, cancelled.id).address.street == "Adresse effacée"
