"""Invoices: generated from a devis, by hand or for a period's done interventions; then validated."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ogust.application.commands import (
    ContractInvoice,
    DiscardDraftInvoice,
    InvoiceFromDevis,
    ManualInvoice,
    ManualInvoiceLine,
    RecordPayment,
    RetryPayment,
    ValidateInvoice,
)
from ogust.application.debits import refuse_if_debit_abandoned
from ogust.application.handlers import UowFactory
from ogust.application.periods import period_instants
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.devis import DevisStatus
from ogust.domain.errors import InvalidTransition, InvalidValue, NotFound, NothingToInvoice
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity, Unit
from ogust.domain.validation import check_quantity, check_text, check_year


def intervention_line(uow: UnitOfWork, company_id: str, intervention: Intervention) -> InvoiceLine:
    tarif = uow.tarifs.get(company_id, intervention.tarif_id)
    intervenant = uow.intervenants.get(company_id, intervention.intervenant_id)
    zone = ZoneInfo(uow.companies.get(company_id).timezone)
    quantity = Quantity.hours_minutes(intervention.minutes) if tarif.unit is Unit.HOUR else Quantity.pieces(1)
    return InvoiceLine(
        tarif_id=tarif.id, label=tarif.label, quantity=quantity, unit_price_ht=tarif.price_ht,
        vat_rate=tarif.vat_rate, intervention_id=intervention.id,
        performed_on=intervention.start.astimezone(zone).date(),
        intervenant_matricule=intervenant.matricule, intervenant_name=intervenant.full_name,
        tax_credit_eligible=tarif.tax_credit_eligible,
    )


def _invoice_interventions(uow: UnitOfWork, invoice: Invoice, interventions: list[Intervention]) -> None:
    uow.invoices.add(invoice)
    for intervention in interventions:
        intervention.mark_invoiced(invoice.id)


class InvoiceFromDevisHandler:
    """The devis's interventions declared done and not yet invoiced: work is invoiced once it has
    taken place (and the card then debited). Those still planned stay for a later invoice of the same
    devis; billing ahead of the work is not this document."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: InvoiceFromDevis) -> Invoice:
        with self.uow() as uow:
            devis = uow.devis.get(cmd.company_id, cmd.devis_id)
            if devis.status is not DevisStatus.ACCEPTED:
                raise InvalidTransition("Seul un devis accepté se facture.", status=devis.status.value)
            booked = uow.interventions.for_devis(cmd.company_id, devis.id)
            done = sorted((i for i in booked if i.status is InterventionStatus.DONE and i.invoice_id is None),
                          key=lambda i: i.start)
            if not done:
                raise _nothing_done(devis.id, booked)
            invoice = Invoice(company_id=cmd.company_id, client_id=devis.client_id, source=InvoiceSource.DEVIS,
                              lines=[intervention_line(uow, cmd.company_id, i) for i in done], devis_id=devis.id,
                              created_at=uow.clock.now())
            _invoice_interventions(uow, invoice, done)
            uow.commit()
            return invoice


def _nothing_done(devis_id: str, booked: list[Intervention]) -> NothingToInvoice:
    """Why a devis has nothing to invoice now, and what to do about it."""
    planned = sum(1 for i in booked if i.status is InterventionStatus.PLANNED)
    if planned:
        return NothingToInvoice(
            f"Rien à facturer sur ce devis : aucune intervention réalisée et non facturée, {planned} encore "
            "prévue(s). Une intervention se facture une fois faite : déclarez-la réalisée (ogust intervention done "
            "ID) après qu'elle a eu lieu, puis facturez.", devis_id=devis_id, still_planned=planned)
    if any(i.invoice_id for i in booked):
        return NothingToInvoice("Les interventions de ce devis sont déjà facturées.", devis_id=devis_id)
    if booked:  # every intervention was cancelled: the devis lines are not owed
        return NothingToInvoice("Les interventions de ce devis sont annulées.", devis_id=devis_id)
    # an invoice names the day and the intervenant of each service (art. D.7233-1)
    return NothingToInvoice("Ce devis n'a aucune intervention au planning : une facture indique le jour et "
                            "l'intervenant de chaque prestation.", devis_id=devis_id)


MAX_INVOICE_LINES = 500


class ManualInvoiceHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ManualInvoice) -> Invoice:
        if not cmd.lines:
            raise InvalidValue("Une facture a au moins une ligne.", field="lines")
        if len(cmd.lines) > MAX_INVOICE_LINES:
            raise InvalidValue(f"Une facture a au plus {MAX_INVOICE_LINES} lignes.", field="lines")
        for spec in cmd.lines:
            check_quantity(spec.quantity, "lines.quantity")
            if spec.label is not None:
                check_text(spec.label, "lines.label", "Libellé")
            if spec.performed_on is not None:
                check_year(spec.performed_on.year, "lines.performed_on")
        with self.uow() as uow:
            uow.clients.get(cmd.company_id, cmd.client_id).require_not_erased()
            lines = []
            for spec in cmd.lines:
                tarif = uow.tarifs.by_code(cmd.company_id, spec.tarif_code)
                if tarif is None:
                    raise NotFound("tarif", spec.tarif_code)
                if spec.quantity <= 0:
                    raise InvalidValue(f"Quantité invalide pour {spec.tarif_code} : {spec.quantity} "
                                       "(minutes ou nombre, positif).", field="quantity")
                _require_when_and_who(spec, tarif)
                intervenant = uow.intervenants.get(cmd.company_id, spec.intervenant_id) if spec.intervenant_id else None
                lines.append(InvoiceLine(
                    tarif_id=tarif.id, label=spec.label or tarif.label, quantity=Quantity(spec.quantity, tarif.unit),
                    unit_price_ht=tarif.price_ht, vat_rate=tarif.vat_rate, performed_on=spec.performed_on,
                    intervenant_matricule=intervenant.matricule if intervenant else None,
                    intervenant_name=intervenant.full_name if intervenant else None,
                    tax_credit_eligible=tarif.tax_credit_eligible,
                ))
            invoice = Invoice(company_id=cmd.company_id, client_id=cmd.client_id, source=InvoiceSource.MANUAL,
                              lines=lines, created_at=uow.clock.now())
            uow.invoices.add(invoice)
            uow.commit()
            return invoice


def _require_when_and_who(spec: ManualInvoiceLine, tarif: Tarif) -> None:
    """A service à la personne is invoiced with the day it was performed and the intervenant who did
    it (art. D.7233-1 du code du travail), which the attestation fiscale lists too; a line of a tarif
    that opens no right to the tax credit (ancillary fees: dossier, travel) may go without."""
    if not tarif.tax_credit_eligible:
        return
    missing = [what for what, given in (("la date de l'intervention", spec.performed_on),
                                        ("l'intervenant", spec.intervenant_id)) if not given]
    if missing:
        raise InvalidValue(
            f"Ligne {tarif.code} : une prestation de services à la personne se facture avec "
            f"{' et '.join(missing)} (art. D.7233-1 du code du travail).",
            field="lines.performed_on" if spec.performed_on is None else "lines.intervenant_id")


class ContractInvoiceHandler:
    """The client's done and not yet invoiced interventions between two dates (inclusive)."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ContractInvoice) -> Invoice:
        if cmd.period_end < cmd.period_start:
            raise InvalidValue("La période se termine avant de commencer.", field="period_end")
        check_year(cmd.period_start.year, "period_start")
        check_year(cmd.period_end.year, "period_end")
        with self.uow() as uow:
            uow.clients.get(cmd.company_id, cmd.client_id)
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            start, end = period_instants(cmd.period_start, cmd.period_end, zone)
            interventions = sorted(
                uow.interventions.done_not_invoiced(cmd.company_id, cmd.client_id, start, end), key=lambda i: i.start
            )
            if not interventions:
                undeclared = uow.interventions.count_begun_still_planned(cmd.company_id, start, end, uow.clock.now(),
                                                                         cmd.client_id)
                hint = (f" {undeclared} intervention(s) de la période commencée(s) mais encore « prévue(s) » : "
                        "déclarez-les réalisées d'abord." if undeclared else "")
                raise NothingToInvoice(
                    f"Aucune intervention réalisée et non facturée du {cmd.period_start:%d/%m/%Y} "
                    f"au {cmd.period_end:%d/%m/%Y}.{hint}", client_id=cmd.client_id, not_declared_done=undeclared,
                )
            invoice = Invoice(
                company_id=cmd.company_id, client_id=cmd.client_id, source=InvoiceSource.CONTRACT,
                lines=[intervention_line(uow, cmd.company_id, i) for i in interventions],
                period_start=cmd.period_start, period_end=cmd.period_end, created_at=uow.clock.now(),
            )
            _invoice_interventions(uow, invoice, interventions)
            uow.commit()
            return invoice


class ValidateInvoiceHandler:
    """Number the invoice (gapless, per company and year) and freeze it, with the client's name and
    address of today. The outbox then publishes it to the shop, debits the saved card and emails the client."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ValidateInvoice) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            invoice.require_draft()
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            today = uow.clock.now().astimezone(zone).date()
            client = uow.clients.get(cmd.company_id, invoice.client_id)
            invoice.validate(uow.sequences.next_number(cmd.company_id, "FA", today.year), today, client)
            uow.commit()
            return invoice


class DiscardDraftInvoiceHandler:
    """Supprimer un brouillon: a draft is no invoice (no number, never sent); its interventions are
    released, to be invoiced again or cancelled. A validated invoice is corrected by a credit note."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: DiscardDraftInvoice) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            invoice.require_draft()
            for intervention_id in {line.intervention_id for line in invoice.lines if line.intervention_id}:
                uow.interventions.get(cmd.company_id, intervention_id).release_from(invoice.id)
            uow.invoices.remove(invoice)
            uow.commit()
            return invoice


class RetryPaymentHandler:
    """A new debit attempt, asked by an operator after a decline or an authentication request."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: RetryPayment) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            attempts = uow.payment_attempts.for_invoice(cmd.company_id, invoice.id)
            refuse_if_debit_abandoned(uow, invoice, attempts)
            invoice.request_payment_retry(len(attempts) + 1, attempts)
            uow.commit()
            return invoice


class RecordPaymentHandler:
    """Enregistrer un règlement: a cheque, a transfer, CESU or cash — all that is left due (the invoice
    is paid and published to the shop as such, no "carte débitée" email; its pending card debit then
    finds it paid and does nothing) or a part of it (the card debit asks only for the rest). The
    attestation fiscale of the year of receipt counts each payment (cash excepted)."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: RecordPayment) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            # the day the money came in, at noon in the company's zone: the same day in any zone around it
            received_at = datetime.combine(cmd.received_on, time(12), zone)
            attempts = uow.payment_attempts.for_invoice(cmd.company_id, invoice.id)
            refuse_if_debit_abandoned(uow, invoice, attempts)
            payment = invoice.record_payment(cmd.method, received_at, uow.clock.now(), attempts, cmd.reference,
                                             cmd.amount)
            uow.payments.add(payment)
            uow.commit()
            return invoice
