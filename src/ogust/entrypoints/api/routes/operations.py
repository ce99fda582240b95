"""The outbox, the email log, document downloads and payment webhooks."""
import json
from html import escape

from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ogust.adapters.documents.links import BadLink, SignedDocumentLinks
from ogust.adapters.payments.stripe_gateway import (
    IDEMPOTENCY_METADATA_KEY,
    WebhookVerificationFailed,
    decline_reason,
    parse_webhook,
)
from ogust.application.access import set_actor
from ogust.application.documents import DocumentQueries, render
from ogust.application.handlers.payments import RecordPaymentEvent, RecordPaymentEventHandler
from ogust.application.outbox import JobStatus
from ogust.application.ports import DocumentRenderer, PaymentGateway, PaymentOutcomeUnknown
from ogust.application.queries import OutboxAdmin, Queries
from ogust.domain.errors import NotFound
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.validation import has_forbidden_characters
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.problems import problem
from ogust.entrypoints.api.schemas import PROBLEM_RESPONSES
from ogust.entrypoints.container import Container
from ogust.entrypoints.serializers import document_filename
from ogust.entrypoints.settings import Settings

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.get("/outbox", response_model=out.Outbox, tags=["Exploitation"], summary="Effets en attente, faits ou en échec")
@inject
def list_outbox(status: JobStatus | None = None, limit: int = Query(200, ge=1, le=1000),
                company: str = Depends(company_id),
                queries: Queries = Depends(Provide[Container.queries])) -> dict:
    return {"counts": queries.outbox_counts(company),
            "jobs": [s.job(j) for j in queries.outbox(company, status, limit)]}


@router.post("/outbox/retry-dead", response_model=list[out.OutboxJob], tags=["Exploitation"],
             summary="Relancer tous les effets abandonnés (après une panne) : une nouvelle série d'essais")
@inject
def retry_dead_jobs(company: str = Depends(company_id),
                    admin: OutboxAdmin = Depends(Provide[Container.outbox_admin])) -> list[dict]:
    return [s.job(j) for j in admin.retry_dead(company)]


@router.post("/outbox/{job_id}/retry", response_model=out.OutboxJob, tags=["Exploitation"],
             summary="Relancer un effet en échec")
@inject
def retry_job(job_id: str, company: str = Depends(company_id),
              admin: OutboxAdmin = Depends(Provide[Container.outbox_admin])) -> dict:
    return s.job(admin.retry(job_id, company))


@router.get("/emails", response_model=list[out.EmailRecord], tags=["Exploitation"],
            summary="Emails envoyés aux clients")
@inject
def list_emails(company: str = Depends(company_id),
                queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            for row in queries.emails(company)]


documents_router = APIRouter(tags=["Documents"])


@documents_router.get("/documents/{token}", summary="Télécharger un document (lien signé)",
                      response_class=Response,
                      responses={200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                                                  "format": "binary"}}},
                                       "description": "Le document en PDF"},
                                 404: {**PROBLEM_RESPONSES[404],
                                       "description": "Lien altéré, expiré ou document introuvable"}})
@inject
def download(token: str, links: SignedDocumentLinks = Depends(Provide[Container.links]),
             documents: DocumentQueries = Depends(Provide[Container.document_queries]),
             renderer: DocumentRenderer = Depends(Provide[Container.documents])) -> Response:
    try:
        target = links.read(token)
        document, context = documents.document(target.company_id, target.kind, target.document_id)
    except (BadLink, NotFound):
        return problem(404, "not_found", "Document introuvable ou lien expiré.")
    name = document_filename(target.kind, document, renderer.extension)
    return Response(render(renderer, target.kind, document, context), media_type=renderer.media_type,
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": f'attachment; filename="{name}"'})


# what the client reads on the payment page (in French, not the API's status values)
_PAGE_STATUS = {
    InvoiceStatus.VALIDATED: ("à régler", ""),
    InvoiceStatus.NEEDS_AUTHENTICATION: ("en attente de votre confirmation", ""),
    InvoiceStatus.PAID: ("réglée", "Cette facture est réglée : il n'y a rien à faire. Merci."),
    InvoiceStatus.PAYMENT_FAILED: ("paiement non abouti", "Aucun paiement n'est à confirmer sur cette page : nous "
                                                           "vous contactons pour régler cette facture."),
}


def _confirmation(gateway: PaymentGateway, settings: Settings, intent: str) -> str:
    """The button that brings the client on-session: Stripe.js confirms the PaymentIntent in the
    browser (the bank's 3-D Secure window), then Stripe's webhook records the payment. Without a
    publishable key, or when Stripe does not answer, the page says whom to turn to."""
    fallback = "<p>Pour confirmer ce paiement, contactez-nous : nous vous indiquerons comment le régler.</p>"
    if not settings.stripe_publishable_key:
        return fallback
    try:
        secret = gateway.client_secret(intent)
    except PaymentOutcomeUnknown:
        return fallback.replace("contactez-nous", "réessayez dans quelques minutes ou contactez-nous")
    if secret is None:
        return fallback
    done = "Paiement confirmé, merci : la facture sera marquée réglée dans quelques instants."
    return (f"<p><button id='confirm' style='font-size:1.1em;padding:.5em 1em'>Confirmer le paiement</button></p>"
            f"<p id='message' role='status'></p>"
            f"<script src='{escape(settings.stripe_js_url)}'></script>"
            "<script>"
            f"const stripe = Stripe({json.dumps(settings.stripe_publishable_key)});"
            "const button = document.getElementById('confirm'), message = document.getElementById('message');"
            "button.onclick = async () => {"
            "  button.disabled = true;"
            f"  const result = await stripe.confirmCardPayment({json.dumps(secret)});"
            "  if (result.error) { button.disabled = false;"
            "    message.textContent = 'Le paiement n\u2019a pas abouti : ' + result.error.message; }"
            f"  else {{ message.textContent = {json.dumps(done)}; button.remove(); }}"
            "};"
            "</script>")


@documents_router.get("/pay/{token}", summary="Confirmer un paiement demandé par la banque",
                      response_class=HTMLResponse,
                      responses={404: {**PROBLEM_RESPONSES[404],
                                       "description": "Lien altéré, expiré ou facture introuvable"}})
@inject
def pay(token: str, links: SignedDocumentLinks = Depends(Provide[Container.links]),
        queries: Queries = Depends(Provide[Container.queries]),
        gateway: PaymentGateway = Depends(Provide[Container.payments]),
        settings: Settings = Depends(Provide[Container.settings])) -> Response:
    try:
        target = links.read(token)
        if target.kind != "pay":
            raise BadLink("pas un lien de paiement")
        view = queries.invoice(target.company_id, target.document_id)
    except (BadLink, NotFound):
        return problem(404, "not_found", "Lien de paiement introuvable ou expiré.")
    invoice = view.invoice
    pending = [a for a in view.attempts if a.status.value == "needs_authentication"]
    intent = pending[-1].payment_intent_id if pending else None
    label, sentence = _PAGE_STATUS.get(invoice.status, (invoice.status.value, ""))
    body = (f"<!doctype html><html lang='fr'><meta charset='utf-8'><title>Paiement {invoice.number}</title>"
            f"<body style='font-family:sans-serif;max-width:600px;margin:40px auto'>"
            f"<h1>Facture {invoice.number}</h1><p>Montant : {invoice.total_ttc}</p>"
            f"<p>Statut : {label}</p>")
    if intent:
        body += (f"<p>Votre banque demande une confirmation (3-D Secure) pour ce paiement. "
                 f"Référence du paiement : <code>{escape(intent)}</code>.</p>")
        body += _confirmation(gateway, settings, intent)
    elif sentence:
        body += f"<p>{sentence}</p>"
    body += "</body></html>"
    return HTMLResponse(body, headers={"Cache-Control": "private, no-store"})


webhooks_router = APIRouter(tags=["Paiements"])


@webhooks_router.post("/stripe/webhook", summary="Événements Stripe (signés)",
                      openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                          "schema": {"type": "object", "description": "Un événement Stripe, signé"}}}},
                          "parameters": [{"name": "Stripe-Signature", "in": "header", "required": True,
                                          "schema": {"type": "string"}}]},
                      responses={200: {"model": out.WebhookReceived, "description": "Événement reçu"},
                                 400: {"description": "Signature Stripe invalide ou événement illisible"},
                                 503: {"description": "OGUST_STRIPE_WEBHOOK_SECRET non configuré"}})
@inject
async def stripe_webhook(request: Request, settings: Settings = Depends(Provide[Container.settings]),
                         handler: RecordPaymentEventHandler = Depends(Provide[Container.record_payment_event])
                         ) -> JSONResponse:
    raw = await request.body()
    if not settings.stripe_webhook_secret:
        return problem(503, "webhook_not_configured", "OGUST_STRIPE_WEBHOOK_SECRET n'est pas configuré.")
    try:
        event = parse_webhook(raw, request.headers.get("stripe-signature", ""), settings.stripe_webhook_secret)
    except WebhookVerificationFailed as error:
        return problem(400, "bad_signature", f"Signature Stripe invalide : {error}")
    if _object(event).get("object") != "event":
        return problem(400, "unreadable_event", "Événement Stripe illisible : objet « event » attendu.")
    data = _object(event.get("data")).get("object")  # what Stripe signed, whatever its shape
    if not isinstance(data, dict) or data.get("object") != "payment_intent":
        return JSONResponse({"received": True, "outcome": "ignored"})
    ids = (event.get("id"), event.get("type"), data.get("id"), _object(data.get("metadata")).get(
        IDEMPOTENCY_METADATA_KEY, ""))
    if not all(isinstance(value, str) and len(value) <= 255 and not has_forbidden_characters(value)
               for value in ids):  # Stripe's ids are short printable strings: anything else is not Stripe's event
        return problem(400, "unreadable_event", "Événement Stripe illisible : identifiants attendus en texte.")
    event_id, event_type, intent_id, key = ids
    failure = decline_reason(data.get("last_payment_error"))  # in French, as the debit's own answer
    set_actor("stripe-webhook")
    outcome = await run_in_threadpool(handler, RecordPaymentEvent(event_id, event_type, intent_id, failure, key))
    return JSONResponse({"received": True, "outcome": outcome})


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}
