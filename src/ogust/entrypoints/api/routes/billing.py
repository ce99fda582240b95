"""Devis, planning actions, invoices and attestations."""
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Query, status

from ogust.application import commands as c
from ogust.application.handlers import attestations, invoicing, planning
from ogust.application.handlers import payments as payment_handlers
from ogust.application.queries import Queries
from ogust.application.references import References
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.validation import MAX_YEAR, MIN_YEAR
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id
from ogust.entrypoints.api.references import AttestationId, DevisId, InvoiceId
from ogust.entrypoints.api.schemas import (
    MONTH_PATTERN,
    PROBLEM_RESPONSES,
    AttestationBatchIn,
    AttestationIn,
    ContractInvoiceIn,
    InterventionIn,
    InvoiceFromDevisIn,
    ManualInvoiceIn,
    PaymentIn,
)
from ogust.entrypoints.container import Container

router = APIRouter(responses=PROBLEM_RESPONSES)


@router.get("/devis", response_model=list[out.Devis], tags=["Devis"])
@inject
def list_devis(company: str = Depends(company_id),
               queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.devis(d) for d in queries.devis_list(company)]


@router.get("/devis/{ref}", response_model=out.DevisWithInterventions, tags=["Devis"])
@inject
def get_devis(devis_id: DevisId, company: str = Depends(company_id),
              queries: Queries = Depends(Provide[Container.queries])) -> dict:
    devis, interventions = queries.devis(company, devis_id)
    return s.devis(devis, interventions)


@router.get("/interventions/to-declare", response_model=out.InterventionsToDeclare, tags=["Planning"],
            summary="Interventions à déclarer",
            description="Commencées mais encore « prévues » : jamais déclarées réalisées, elles ne sont pas "
                        "facturées. Du mois `month` (AAAA-MM, fuseau de l'entreprise) ou de toute date.")
@inject
def to_declare(month: str | None = Query(None, pattern=MONTH_PATTERN, description="AAAA-MM"),
               company: str = Depends(company_id),
               queries: Queries = Depends(Provide[Container.queries])) -> dict:
    period = (int(month[:4]), int(month[5:])) if month else None
    return s.to_declare(*queries.to_declare(company, period))


@router.post("/interventions", status_code=status.HTTP_201_CREATED, response_model=out.Intervention,
             tags=["Planning"], summary="Planifier une intervention",
             description="Chez le client, pour l'intervenant et au tarif donnés (leurs identifiants). Refusée si le "
                         "créneau est passé (422 `slot_in_past`) ou chevauche le planning de l'intervenant "
                         "(409 `slot_unavailable`, même quand une autre réservation vient d'être enregistrée), si "
                         "l'intervenant n'est plus actif ou le client effacé (409 `invalid_transition`).")
@inject
def plan_intervention(body: InterventionIn, company: str = Depends(company_id),
                      handler: planning.PlanInterventionHandler = Depends(
                          Provide[Container.plan_intervention])) -> dict:
    return s.intervention(handler(c.PlanIntervention(company, body.client_id, body.intervenant_id, body.tarif_id,
                                                     body.start, body.end)))


@router.get("/interventions/{intervention_id}", response_model=out.Intervention, tags=["Planning"])
@inject
def get_intervention(intervention_id: str, company: str = Depends(company_id),
                     queries: Queries = Depends(Provide[Container.queries])) -> dict:
    return s.intervention(queries.intervention(company, intervention_id))


@router.post("/interventions/{intervention_id}/done", response_model=out.Intervention, tags=["Planning"],
             summary="Intervention réalisée",
             description="À partir de son début, jamais avant (elle serait facturée avant d'avoir eu lieu) : "
                         "avant, 409 `intervention_not_started`.")
@inject
def mark_done(intervention_id: str, company: str = Depends(company_id),
              handler: planning.MarkInterventionDoneHandler = Depends(Provide[Container.mark_done])) -> dict:
    return s.intervention(handler(c.MarkInterventionDone(company, intervention_id)))


@router.post("/interventions/{intervention_id}/cancel", response_model=out.Intervention, tags=["Planning"],
             summary="Annuler l'intervention")
@inject
def cancel(intervention_id: str, company: str = Depends(company_id),
           handler: planning.CancelInterventionHandler = Depends(Provide[Container.cancel_intervention])) -> dict:
    return s.intervention(handler(c.CancelIntervention(company, intervention_id)))


@router.post("/invoices/from-devis", status_code=status.HTTP_201_CREATED, response_model=out.Invoice, tags=["Factures"],
             summary="Facture depuis un devis")
@inject
def invoice_from_devis(body: InvoiceFromDevisIn, company: str = Depends(company_id),
                       references: References = Depends(Provide[Container.references]),
                       handler: invoicing.InvoiceFromDevisHandler = Depends(
                           Provide[Container.invoice_from_devis])) -> dict:
    return s.invoice(handler(c.InvoiceFromDevis(company, references.devis(company, body.devis_id))))


@router.post("/invoices/manual", status_code=status.HTTP_201_CREATED, response_model=out.Invoice, tags=["Factures"],
             summary="Facture manuelle")
@inject
def manual_invoice(body: ManualInvoiceIn, company: str = Depends(company_id),
                   references: References = Depends(Provide[Container.references]),
                   handler: invoicing.ManualInvoiceHandler = Depends(Provide[Container.manual_invoice])) -> dict:
    lines = tuple(c.ManualInvoiceLine(l.tarif_code, l.quantity, l.performed_on,
                                      l.intervenant_id and references.intervenant(company, l.intervenant_id), l.label)
                  for l in body.lines)
    return s.invoice(handler(c.ManualInvoice(company, references.client(company, body.client_id), lines)))


@router.post("/invoices/contract", status_code=status.HTTP_201_CREATED, response_model=out.Invoice, tags=["Factures"],
             summary="Facture des interventions réalisées sur une période")
@inject
def contract_invoice(body: ContractInvoiceIn, company: str = Depends(company_id),
                     references: References = Depends(Provide[Container.references]),
                     handler: invoicing.ContractInvoiceHandler = Depends(Provide[Container.contract_invoice])) -> dict:
    return s.invoice(handler(c.ContractInvoice(company, references.client(company, body.client_id), body.period_start,
                                               body.period_end)))


@router.get("/invoices", response_model=list[out.Invoice], tags=["Factures"])
@inject
def list_invoices(status: InvoiceStatus | None = None,
                  unpaid: bool = Query(False, description="seulement celles qui attendent un paiement "
                                                                 "(reste à payer)"),
                  company: str = Depends(company_id),
                  queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.invoice(i) for i in queries.invoices(company, status, unpaid)]


@router.get("/invoices/{ref}", response_model=out.InvoiceWithPayments, tags=["Factures"],
            summary="Une facture, par id ou par numéro")
@inject
def get_invoice(ref: str, company: str = Depends(company_id),
                queries: Queries = Depends(Provide[Container.queries])) -> dict:
    view = queries.invoice(company, ref)
    return s.invoice_view(view)


@router.post("/invoices/{ref}/validate", response_model=out.Invoice, tags=["Factures"],
             summary="Valider la facture",
             description="Numérote la facture ; elle est ensuite publiée dans le compte boutique du client, "
                         "la carte enregistrée est débitée et le client reçoit un email.")
@inject
def validate_invoice(invoice_id: InvoiceId, company: str = Depends(company_id),
                     handler: invoicing.ValidateInvoiceHandler = Depends(Provide[Container.validate_invoice])) -> dict:
    return s.invoice(handler(c.ValidateInvoice(company, invoice_id)))


@router.delete("/invoices/{ref}", response_model=out.Invoice, tags=["Factures"],
               summary="Supprimer un brouillon de facture",
               description="Un brouillon n'est pas une facture (ni numéro ni envoi) : il est supprimé et ses "
                           "interventions redeviennent à facturer (ou à annuler). Une facture validée se corrige "
                           "par un avoir (409).")
@inject
def discard_draft_invoice(invoice_id: InvoiceId, company: str = Depends(company_id),
                          handler: invoicing.DiscardDraftInvoiceHandler = Depends(
                              Provide[Container.discard_draft_invoice])) -> dict:
    return s.invoice(handler(c.DiscardDraftInvoice(company, invoice_id)))


@router.post("/invoices/{ref}/retry-payment", response_model=out.Invoice, tags=["Factures"],
             summary="Nouvelle tentative de débit")
@inject
def retry_payment(invoice_id: InvoiceId, company: str = Depends(company_id),
                  handler: invoicing.RetryPaymentHandler = Depends(Provide[Container.retry_payment])) -> dict:
    return s.invoice(handler(c.RetryPayment(company, invoice_id)))


@router.post("/invoices/{ref}/cancel-debit", response_model=out.InvoiceWithPayments, tags=["Factures"],
             summary="Annuler le débit qui attend la confirmation 3-D Secure du client",
             description="La facture (par id ou par numéro) attend que le client confirme le débit de sa carte "
                         "auprès de sa banque (3-D Secure) : le paiement est annulé chez Stripe, puis la facture "
                         "attend de nouveau d'être réglée (nouvelle tentative de débit, ou règlement par chèque, "
                         "virement…), sans email de débit refusé. Si le client a confirmé entre-temps, sa carte "
                         "est débitée : la facture est enregistrée payée et rien n'est annulé. Refusé (409) quand "
                         "aucun débit n'attend le client ; 503 si Stripe ne répond pas (réessayer).")
@inject
def cancel_debit(invoice_id: InvoiceId, company: str = Depends(company_id),
                 queries: Queries = Depends(Provide[Container.queries]),
                 handler: payment_handlers.CancelDebitHandler = Depends(Provide[Container.cancel_debit])) -> dict:
    handler(c.CancelDebit(company, invoice_id))
    view = queries.invoice(company, invoice_id)
    return s.invoice_view(view)


@router.post("/invoices/{ref}/payments", status_code=status.HTTP_201_CREATED,
             response_model=out.InvoiceWithPayments, tags=["Factures"],
             summary="Enregistrer un règlement : chèque, virement, CESU ou espèces",
             description="La facture (par id ou par numéro), validée ou dont le débit a été refusé, reçoit un "
                         "règlement : sans `amount_cents`, tout ce qui reste dû (la facture moins ses avoirs et les "
                         "règlements déjà reçus) — elle passe payée, publiée comme telle dans le compte boutique du "
                         "client, sans email de débit, et le débit de la carte qui attendait ne se fait plus ; avec "
                         "un montant moindre, une partie (des CESU préfinancés pour une part…) : le reste demeure "
                         "dû, et le débit de la carte ne demande plus que lui. Plus que le reste : refusé (422). "
                         "L'attestation fiscale de l'année de "
                         "réception compte le règlement (sauf en espèces). Refusé (409) pour un brouillon, une "
                         "facture déjà payée ou entièrement créditée, et tant qu'un débit de la carte est en "
                         "cours ou attend la confirmation 3-D Secure du client : ce serait un double paiement.")
@inject
def record_payment(invoice_id: InvoiceId, body: PaymentIn, company: str = Depends(company_id),
                   queries: Queries = Depends(Provide[Container.queries]),
                   handler: invoicing.RecordPaymentHandler = Depends(Provide[Container.record_payment])) -> dict:
    handler(body.to_command(company, invoice_id))
    view = queries.invoice(company, invoice_id)
    return s.invoice_view(view)


@router.post("/attestations", status_code=status.HTTP_201_CREATED, response_model=out.Attestation,
             tags=["Attestations fiscales"])
@inject
def generate_attestation(body: AttestationIn, company: str = Depends(company_id),
                         references: References = Depends(Provide[Container.references]),
                         handler: attestations.GenerateAttestationHandler = Depends(
                             Provide[Container.generate_attestation])) -> dict:
    return s.attestation(handler(c.GenerateAttestation(company, references.client(company, body.client_id), body.year)))


@router.post("/attestations/batch", response_model=out.AttestationBatch, tags=["Attestations fiscales"],
             summary="Attestations de tous les clients")
@inject
def generate_attestations(body: AttestationBatchIn, company: str = Depends(company_id),
                          handler: attestations.GenerateAttestationsHandler = Depends(
                              Provide[Container.generate_attestations])) -> dict:
    outcomes = handler(c.GenerateAttestations(company, body.year))
    return {"generated": sum(1 for o in outcomes if o.attestation_id),
            "records": [{"client_id": o.client_id, "attestation_id": o.attestation_id, "error": o.error}
                        for o in outcomes]}


@router.get("/attestations", response_model=list[out.Attestation], tags=["Attestations fiscales"])
@inject
def list_attestations(year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR), company: str = Depends(company_id),
                      queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.attestation(a) for a in queries.attestations(company, year)]


@router.get("/attestations/{ref}", response_model=out.Attestation, tags=["Attestations fiscales"])
@inject
def get_attestation(ref: str, company: str = Depends(company_id),
                    queries: Queries = Depends(Provide[Container.queries])) -> dict:
    return s.attestation(queries.attestation(company, ref))


@router.post("/attestations/{ref}/validate", response_model=out.Attestation, tags=["Attestations fiscales"],
             summary="Valider l'attestation",
             description="Publiée dans le compte boutique du client, envoyée par email.")
@inject
def validate_attestation(attestation_id: AttestationId, company: str = Depends(company_id),
                         handler: attestations.ValidateAttestationHandler = Depends(
                             Provide[Container.validate_attestation])) -> dict:
    return s.attestation(handler(c.ValidateAttestation(company, attestation_id)))
