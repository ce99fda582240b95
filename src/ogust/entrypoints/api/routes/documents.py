"""Documents over REST, for a key of the company: each invoice's, avoir's, devis' and attestation's PDF,
and the Factur-X XML of invoices and avoirs — the same originals as the client's download link
(``/documents/{token}``), named as an operator names them (a number, or the id)."""
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ogust.application.documents import DocumentQueries, render
from ogust.application.ports import DocumentRenderer
from ogust.domain.errors import InvalidTransition
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.schemas import PROBLEM_RESPONSES
from ogust.entrypoints.container import Container
from ogust.entrypoints.serializers import document_filename

router = APIRouter(tags=["Documents"], responses=PROBLEM_RESPONSES)

XML_MEDIA_TYPE = "application/xml"
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_PDF = {200: {"content": {"application/pdf": _BINARY}, "description": "Le document en PDF"}}
_XML = {200: {"content": {XML_MEDIA_TYPE: _BINARY}, "description": "La facture structurée Factur-X EN 16931 "
                                                                     "(XML CII), celle que porte le PDF"}}


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": f'attachment; filename="{name}"'})


def _pdf(kind: str, ref: str, company: str, documents: DocumentQueries, renderer: DocumentRenderer) -> Response:
    document, context = documents.document_by_ref(company, kind, ref)
    return _file(render(renderer, kind, document, context), renderer.media_type,
                 document_filename(kind, document, renderer.extension))


def _xml(kind: str, ref: str, company: str, documents: DocumentQueries, renderer: DocumentRenderer) -> Response:
    document, context = documents.document_by_ref(company, kind, ref)
    xml = renderer.embedded_xml(render(renderer, kind, document, context))
    if xml is None:  # a draft: neither number nor legal existence yet
        raise InvalidTransition("Un brouillon n'a pas de facture Factur-X : elle naît à la validation.",
                                document_id=document.id)  # type: ignore[attr-defined]
    return _file(xml, XML_MEDIA_TYPE, document_filename(kind, document, "xml"))


@router.get("/invoices/{ref}/pdf", summary="La facture en PDF (Factur-X)", response_class=Response, responses=_PDF,
            description="Par numéro (FA-…) ou id. Un brouillon est rendu marqué « brouillon ».")
@inject
def invoice_pdf(ref: str, company: str = Depends(company_id),
                documents: DocumentQueries = Depends(Provide[Container.document_queries]),
                renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    return _pdf("invoice", ref, company, documents, renderer)


@router.get("/invoices/{ref}/xml", summary="La facture en XML Factur-X", response_class=Response, responses=_XML,
            description="Par numéro (FA-…) ou id ; une facture validée seulement (un brouillon : 409).")
@inject
def invoice_xml(ref: str, company: str = Depends(company_id),
                documents: DocumentQueries = Depends(Provide[Container.document_queries]),
                renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    return _xml("invoice", ref, company, documents, renderer)


@router.get("/credit-notes/{ref}/pdf", summary="L'avoir en PDF (Factur-X)", response_class=Response, responses=_PDF,
            description="Par numéro (AV-…) ou id.")
@inject
def credit_note_pdf(ref: str, company: str = Depends(company_id),
                    documents: DocumentQueries = Depends(Provide[Container.document_queries]),
                    renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    return _pdf("credit_note", ref, company, documents, renderer)


@router.get("/credit-notes/{ref}/xml", summary="L'avoir en XML Factur-X", response_class=Response, responses=_XML,
            description="Par numéro (AV-…) ou id.")
@inject
def credit_note_xml(ref: str, company: str = Depends(company_id),
                    documents: DocumentQueries = Depends(Provide[Container.document_queries]),
                    renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    return _xml("credit_note", ref, company, documents, renderer)


@router.get("/devis/{ref}/pdf", summary="Le devis en PDF", response_class=Response, responses=_PDF,
            description="Par id.")
@inject
def devis_pdf(ref: str, company: str = Depends(company_id),
              documents: DocumentQueries = Depends(Provide[Container.document_queries]),
              renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    return _pdf("devis", ref, company, documents, renderer)


@router.get("/attestations/{ref}/pdf", summary="L'attestation fiscale en PDF", response_class=Response,
            responses=_PDF, description="Par numéro ou id.")
@inject
def attestation_pdf(ref: str, company: str = Depends(company_id),
                    documents: DocumentQueries = Depends(Provide[Container.document_queries]),
                    renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    return _pdf("attestation", ref, company, documents, renderer)
