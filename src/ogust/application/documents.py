"""Reads for documents: credit notes, and everything a document shows besides itself (the tarifs'
modes of intervention, the interventions' places and hours, payments, the invoice an avoir
corrects), gathered in one unit of work for the renderer."""
from __future__ import annotations

from ogust.application.handlers import UowFactory
from ogust.application.ports import DocumentContext, DocumentRenderer
from ogust.application.references import (
    attestation_by_ref,
    credit_note_by_ref,
    devis_by_ref,
    invoice_by_ref,
)
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.credit_note import CreditNote
from ogust.domain.errors import NotFound

KINDS = ("invoice", "devis", "attestation", "credit_note")


class DocumentQueries:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def credit_notes(self, company_id: str, invoice_id: str | None = None) -> list[CreditNote]:
        with self.uow() as uow:
            found = (uow.credit_notes.for_invoice(company_id, invoice_id) if invoice_id
                     else uow.credit_notes.list(company_id))
            return sorted(found, key=lambda n: n.number)

    def credit_note(self, company_id: str, ref: str) -> CreditNote:
        """By number (AV-2026-000001) or by id."""
        with self.uow() as uow:
            return credit_note_by_ref(uow, company_id, ref)

    def document(self, company_id: str, kind: str, document_id: str) -> tuple[object, DocumentContext]:
        """The document and its context; NotFound for an unknown kind or id (or another company's)."""
        with self.uow() as uow:
            repo = {"invoice": uow.invoices, "attestation": uow.attestations, "devis": uow.devis,
                    "credit_note": uow.credit_notes}.get(kind)
            if repo is None:
                raise NotFound("document", kind)
            document = repo.get(company_id, document_id)
            return document, self._context(uow, company_id, kind, document)

    def document_by_ref(self, company_id: str, kind: str, ref: str) -> tuple[object, DocumentContext]:
        """The same, the document named as an operator names it (a number, or its id)."""
        find = {"invoice": invoice_by_ref, "attestation": attestation_by_ref, "devis": devis_by_ref,
                "credit_note": credit_note_by_ref}.get(kind)
        if find is None:
            raise NotFound("document", kind)
        with self.uow() as uow:
            document = find(uow, company_id, ref)
            return document, self._context(uow, company_id, kind, document)

    @staticmethod
    def _context(uow: UnitOfWork, company_id: str, kind: str, document) -> DocumentContext:
        company = uow.companies.get(company_id)
        client = uow.clients.get(company_id, document.client_id)
        if kind == "invoice":
            interventions = {}
            for line in document.lines:
                if line.intervention_id:
                    found = uow.interventions.find(company_id, line.intervention_id)
                    if found is not None:
                        interventions[found.id] = found
            tarifs = {line.tarif_id: uow.tarifs.get(company_id, line.tarif_id) for line in document.lines}
            payments = tuple(uow.payments.for_invoice(company_id, document.id))
            notes = tuple(sorted(uow.credit_notes.for_invoice(company_id, document.id), key=lambda n: n.number))
            return DocumentContext(company, client, tarifs=tarifs, interventions=interventions, payments=payments,
                                   credit_notes=notes)
        if kind == "devis":
            interventions = {i.id: i for i in uow.interventions.for_devis(company_id, document.id)}
            intervenants = {i.intervenant_id: uow.intervenants.get(company_id, i.intervenant_id)
                            for i in interventions.values()}
            tarifs = {line.tarif_id: uow.tarifs.get(company_id, line.tarif_id) for line in document.lines}
            return DocumentContext(company, client, tarifs=tarifs, interventions=interventions,
                                   intervenants=intervenants)
        if kind == "credit_note":
            invoice = uow.invoices.get(company_id, document.invoice_id)
            payments = tuple(uow.payments.for_invoice(company_id, invoice.id))
            return DocumentContext(company, client, invoice=invoice, payments=payments)
        return DocumentContext(company, client)


def render(renderer: DocumentRenderer, kind: str, document, context: DocumentContext) -> bytes:
    """The document's file, the same original whoever asks: the client's download link, the API, the CLI."""
    draw = {"invoice": renderer.invoice, "devis": renderer.devis, "attestation": renderer.attestation,
            "credit_note": renderer.credit_note}[kind]
    return draw(document, context.company, context.client, context)
