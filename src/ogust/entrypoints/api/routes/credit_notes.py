"""Credit notes (avoirs): issued on a validated invoice, refunded to the card by the outbox worker."""
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, status

from ogust.application.commands import IssueCreditNote
from ogust.application.documents import DocumentQueries
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.queries import Queries
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.schemas import CreditNoteIn
from ogust.entrypoints.container import Container

from ogust.entrypoints.api.schemas import PROBLEM_RESPONSES  # noqa: E402

router = APIRouter(tags=["Avoirs"], responses=PROBLEM_RESPONSES)


@router.post("/invoices/{invoice_ref}/credit-notes", status_code=status.HTTP_201_CREATED, response_model=out.CreditNote,
             summary="Émettre un avoir sur une facture validée",
             description="Une facture validée ne change jamais : elle se corrige par un avoir (numéro AV-…), "
                         "total (`full`) ou partiel (`amount_cents` TTC). Payée par carte, elle est remboursée "
                         "sur cette carte par la file d'effets, une seule fois, jamais au-delà du montant payé.")
@inject
def issue_credit_note(invoice_ref: str, body: CreditNoteIn, company: str = Depends(company_id),
                      queries: Queries = Depends(Provide[Container.queries]),
                      handler: IssueCreditNoteHandler = Depends(Provide[Container.issue_credit_note])) -> dict:
    amount = body.amount()
    invoice = queries.invoice(company, invoice_ref).invoice
    return s.credit_note(handler(IssueCreditNote(company, invoice.id, body.reason, amount)))


@router.get("/credit-notes", response_model=list[out.CreditNote], summary="Les avoirs (d'une facture avec invoice_id)")
@inject
def list_credit_notes(invoice_id: str | None = None, company: str = Depends(company_id),
                      documents: DocumentQueries = Depends(Provide[Container.document_queries])) -> list[dict]:
    return [s.credit_note(n) for n in documents.credit_notes(company, invoice_id)]


@router.get("/credit-notes/{ref}", response_model=out.CreditNote, summary="Un avoir, par id ou par numéro")
@inject
def get_credit_note(ref: str, company: str = Depends(company_id),
                    documents: DocumentQueries = Depends(Provide[Container.document_queries])) -> dict:
    return s.credit_note(documents.credit_note(company, ref))
