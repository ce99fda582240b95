"""Credit notes (avoirs): issued on a validated invoice, refunded to the card by the outbox worker,
or refunded by the company itself (cheque, transfer, cash) and recorded here."""
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, status

from ogust.application.commands import IssueCreditNote
from ogust.application.documents import DocumentQueries
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler, RecordRefundHandler
from ogust.application.references import References
from ogust.domain.errors import NotFound
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.references import InvoiceId
from ogust.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    CreditNoteIn,
    RefundIn,
)
from ogust.entrypoints.container import Container

router = APIRouter(tags=["Avoirs"], responses=PROBLEM_RESPONSES)


@router.post("/invoices/{ref}/credit-notes", status_code=status.HTTP_201_CREATED, response_model=out.CreditNote,
             summary="Émettre un avoir sur une facture validée",
             description="Une facture validée ne change jamais : elle se corrige par un avoir (numéro AV-…), "
                         "total (`full`) ou partiel (`amount_cents` TTC), sur toute la facture ou sur une de ses "
                         "lignes (`line`, à son taux de TVA). Payée par carte, elle est remboursée "
                         "sur cette carte par la file d'effets, une seule fois, jamais au-delà du montant payé.")
@inject
def issue_credit_note(invoice_id: InvoiceId, body: CreditNoteIn, company: str = Depends(company_id),
                      handler: IssueCreditNoteHandler = Depends(Provide[Container.issue_credit_note])) -> dict:
    return s.credit_note(handler(IssueCreditNote(company, invoice_id, body.reason, body.amount(), body.line)))


@router.get("/credit-notes", response_model=list[out.CreditNote],
            summary="Les avoirs (d'une facture avec invoice_id : son numéro ou son id)")
@inject
def list_credit_notes(invoice_id: str | None = None, company: str = Depends(company_id),
                      references: References = Depends(Provide[Container.references]),
                      documents: DocumentQueries = Depends(Provide[Container.document_queries])) -> list[dict]:
    if not invoice_id:
        return [s.credit_note(n) for n in documents.credit_notes(company)]
    try:
        invoice = references.invoice(company, invoice_id)
    except NotFound:  # a filter on no invoice of the company's: no avoir
        return []
    return [s.credit_note(n) for n in documents.credit_notes(company, invoice)]


@router.get("/credit-notes/{ref}", response_model=out.CreditNote, summary="Un avoir, par id ou par numéro")
@inject
def get_credit_note(ref: str, company: str = Depends(company_id),
                    documents: DocumentQueries = Depends(Provide[Container.document_queries])) -> dict:
    return s.credit_note(documents.credit_note(company, ref))


@router.post("/credit-notes/{ref}/refund", response_model=out.CreditNote,
             summary="Enregistrer le remboursement d'un avoir (chèque, virement, espèces)",
             description="L'avoir (par id ou par numéro) porte sur une facture réglée autrement que par carte "
                         "(chèque, virement, CESU, espèces) et a été émis après le règlement : l'entreprise rend "
                         "elle-même le montant de l'avoir au client et l'enregistre ici. L'avoir passe remboursé "
                         "(publié comme tel dans la boutique) et l'attestation fiscale compte le règlement moins ce "
                         "remboursement. Refusé (409) pour un avoir remboursé sur la carte ou déjà remboursé, et "
                         "quand le client n'a rien payé au-delà de ce que la facture demande désormais (avoir "
                         "déduit du règlement, facture non réglée).")
@inject
def record_refund(ref: str, body: RefundIn, company: str = Depends(company_id),
                  documents: DocumentQueries = Depends(Provide[Container.document_queries]),
                  handler: RecordRefundHandler = Depends(Provide[Container.record_refund])) -> dict:
    note = documents.credit_note(company, ref)
    handler(body.to_command(company, note.id))
    return s.credit_note(documents.credit_note(company, note.id))
