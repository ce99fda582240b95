"""Reads an operator needs. They return domain objects; entrypoints shape them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ogust.application.debits import abandoned_debit
from ogust.application.handlers import UowFactory
from ogust.application.outbox import JobStatus, OutboxJob
from ogust.application.periods import month_period, period_instants
from ogust.application.ports import EMAIL_STATUS_FR, EmailKind
from ogust.application.references import attestation_by_ref, client_by_ref, intervenant_by_ref, invoice_by_ref
from ogust.domain.attestation import Attestation, AttestationStatus
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.devis import Devis
from ogust.domain.errors import InvalidValue, NotFound
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import AWAITING_PAYMENT, Invoice, InvoiceStatus
from ogust.domain.payment import Payment, PaymentAttempt
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import Tarif
from ogust.domain.validation import MIN_YEAR, check_year


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    client: Client
    attempts: list[PaymentAttempt]
    payments: list[Payment] = field(default_factory=list)  # received for it, by card or otherwise
    abandoned_debit_job_id: str | None = None  # a debit given up: « ogust outbox retry » resumes it


@dataclass(frozen=True)
class ToDeclare:
    """An intervention that has begun but is still planned: to declare done (or cancel) before it is invoiced."""
    intervention: Intervention
    intervenant: Intervenant
    client: Client


TO_DECLARE_SHOWN = 500
_EVER = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)  # no intervention starts before (a domain rule)


class Queries:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def company(self, configured_id: str | None = None) -> Company:
        """The configured company, or the only one there is."""
        with self.uow() as uow:
            if configured_id:
                return uow.companies.get(configured_id)
            companies = uow.companies.list()
        if len(companies) == 1:
            return companies[0]
        if not companies:
            raise NotFound("entreprise", "aucune entreprise créée (ogust company create, ou ogust demo)")
        raise InvalidValue("Plusieurs entreprises : précisez OGUST_COMPANY_ID.", field="company")

    def company_by_shop_account(self, shop_account_id: str) -> Company:
        with self.uow() as uow:
            company = uow.companies.by_shop_account(shop_account_id)
        if company is None:
            raise NotFound("compte boutique", shop_account_id)
        return company

    def companies(self) -> list[Company]:
        with self.uow() as uow:
            return uow.companies.list()

    def tarifs(self, company_id: str) -> list[Tarif]:
        with self.uow() as uow:
            return sorted(uow.tarifs.list(company_id), key=lambda t: t.code)

    def mappings(self, company_id: str) -> list[tuple[ShopServiceMapping, Tarif]]:
        with self.uow() as uow:
            return [(m, uow.tarifs.get(company_id, m.tarif_id))
                    for m in sorted(uow.mappings.list(company_id), key=lambda m: m.shop_service_id)]

    def intervenants(self, company_id: str) -> list[Intervenant]:
        with self.uow() as uow:
            return sorted(uow.intervenants.list(company_id), key=lambda i: (i.last_name, i.first_name))

    def intervenant(self, company_id: str, intervenant_id: str) -> Intervenant:
        with self.uow() as uow:
            return uow.intervenants.get(company_id, intervenant_id)

    def intervenant_ref(self, company_id: str, ref: str) -> Intervenant:
        """By id or by matricule."""
        with self.uow() as uow:
            return intervenant_by_ref(uow, company_id, ref)

    def tarif_ref(self, company_id: str, ref: str) -> Tarif:
        """By id or by code."""
        with self.uow() as uow:
            found = uow.tarifs.find(company_id, ref) or uow.tarifs.by_code(company_id, ref)
        if found is None:
            raise NotFound("tarif", ref)
        return found

    def planning(self, company_id: str, intervenant_id: str, start: datetime | None = None,
                 end: datetime | None = None) -> list[Intervention]:
        """From ``start`` (a month ago) to ``end`` (three months after ``start``)."""
        if start is not None:
            check_year(start.year, "from")  # before any arithmetic: year 1 at +14:00 is before datetime.min in UTC
        if end is not None:
            check_year(end.year, "to")
        start = start or self.uow().clock.now() - timedelta(days=31)
        end = end or start + timedelta(days=93)
        if end <= start:
            raise InvalidValue("La fin de la période est avant son début.", field="end")
        with self.uow() as uow:
            uow.intervenants.get(company_id, intervenant_id)
            return sorted(uow.interventions.for_intervenant(company_id, intervenant_id, start, end),
                          key=lambda i: i.start)

    def to_declare(self, company_id: str, month: tuple[int, int] | None = None,
                   limit: int = TO_DECLARE_SHOWN) -> tuple[list[ToDeclare], int]:
        """Interventions begun but still planned — of ``month`` (year, month) or of any date — the first
        ``limit`` by start, and how many there are in all."""
        with self.uow() as uow:
            now = uow.clock.now()
            start, end = _EVER, now
            if month is not None:
                zone = ZoneInfo(uow.companies.get(company_id).timezone)
                start, end = period_instants(*month_period(*month), zone)
            found = uow.interventions.begun_still_planned(company_id, start, end, now, limit)
            total = uow.interventions.count_begun_still_planned(company_id, start, end, now) \
                if len(found) == limit else len(found)
            intervenants = {r.id: r for r in uow.intervenants.get_many(company_id, {i.intervenant_id for i in found})}
            clients = {r.id: r for r in uow.clients.get_many(company_id, {i.client_id for i in found})}
            return [ToDeclare(i, intervenants[i.intervenant_id], clients[i.client_id]) for i in found], total

    def clients(self, company_id: str) -> list[Client]:
        with self.uow() as uow:
            return sorted(uow.clients.list(company_id), key=lambda c: (c.last_name, c.first_name))

    def client(self, company_id: str, client_id: str) -> Client:
        with self.uow() as uow:
            return uow.clients.get(company_id, client_id)

    def client_names(self, company_id: str) -> dict[str, str]:
        """Each client's name by id, for lists of documents that show whose they are."""
        with self.uow() as uow:
            return {c.id: c.full_name for c in uow.clients.list(company_id)}

    def client_ref(self, company_id: str, ref: str) -> Client:
        """By id or by email."""
        with self.uow() as uow:
            return client_by_ref(uow, company_id, ref)

    def devis_list(self, company_id: str) -> list[Devis]:
        with self.uow() as uow:
            return sorted(uow.devis.list(company_id), key=lambda d: d.created_at or datetime.min)

    def devis(self, company_id: str, devis_id: str) -> tuple[Devis, list[Intervention]]:
        with self.uow() as uow:
            devis = uow.devis.get(company_id, devis_id)
            return devis, sorted(uow.interventions.for_devis(company_id, devis_id), key=lambda i: i.start)

    def intervention(self, company_id: str, intervention_id: str) -> Intervention:
        with self.uow() as uow:
            return uow.interventions.get(company_id, intervention_id)

    def invoices(self, company_id: str, status: InvoiceStatus | None = None, unpaid: bool = False) -> list[Invoice]:
        """``unpaid``: those that still ask for money (validated, declined, awaiting 3-D Secure, with
        something left to pay) — the receivables."""
        with self.uow() as uow:
            if unpaid:
                found = [i for i in uow.invoices.with_status(company_id, AWAITING_PAYMENT) if i.left_to_pay.cents > 0
                         and (status is None or i.status is status)]
            else:
                found = uow.invoices.with_status(company_id, [status]) if status else uow.invoices.list(company_id)
            return sorted(found, key=lambda i: (i.number is None, i.number or "", i.created_at or datetime.min))

    def invoice(self, company_id: str, ref: str) -> InvoiceView:
        """By id or by number (FA-2026-000001)."""
        with self.uow() as uow:
            invoice = invoice_by_ref(uow, company_id, ref)
            payments = sorted(uow.payments.for_invoice(company_id, invoice.id), key=lambda p: p.received_at)
            attempts = uow.payment_attempts.for_invoice(company_id, invoice.id)
            abandoned = abandoned_debit(uow, invoice, attempts)
            return InvoiceView(invoice, uow.clients.get(company_id, invoice.client_id), attempts, payments,
                               abandoned[1].id if abandoned else None)

    def validated_attestation(self, company_id: str, client_id: str, year: int) -> Attestation | None:
        """The client's attestation of ``year`` when it is validated: a payment of that year recorded
        now is not on it (an attestation rectificative would be)."""
        with self.uow() as uow:
            found = uow.attestations.for_client_year(company_id, client_id, year)
            return found if found is not None and found.status is AttestationStatus.VALIDATED else None

    def attestations(self, company_id: str, year: int | None = None) -> list[Attestation]:
        with self.uow() as uow:
            return [a for a in uow.attestations.list(company_id) if year is None or a.year == year]

    def attestation(self, company_id: str, ref: str) -> Attestation:
        with self.uow() as uow:
            return attestation_by_ref(uow, company_id, ref)

    def document(self, company_id: str, kind: str, document_id: str) -> tuple[object, Company, Client]:
        """A document with its company and client, for rendering."""
        with self.uow() as uow:
            company = uow.companies.get(company_id)
            repo = {"invoice": uow.invoices, "attestation": uow.attestations, "devis": uow.devis}.get(kind)
            if repo is None:
                raise NotFound("document", kind)
            document = repo.get(company_id, document_id)
            return document, company, uow.clients.get(company_id, document.client_id)

    def outbox(self, company_id: str | None = None, status: JobStatus | None = None,
               limit: int = 200) -> list[OutboxJob]:
        with self.uow() as uow:
            return uow.outbox.list(company_id, status, limit)

    def outbox_counts(self, company_id: str | None = None) -> dict[str, int]:
        """Jobs per status: the installation's, or one company's."""
        with self.uow() as uow:
            return uow.outbox.counts(company_id) if company_id else uow.outbox.counts()

    def emails(self, company_id: str) -> list[dict[str, object]]:
        """The email log, oldest first, each with its subject and status said in French."""
        with self.uow() as uow:
            rows = uow.emails.list(company_id)
        kinds = {kind.value: kind for kind in EmailKind}
        return [{**row, "subject": kinds[row["kind"]].subject_fr if row["kind"] in kinds else str(row["kind"]),
                 "status_label": EMAIL_STATUS_FR.get(str(row["status"]), str(row["status"]))} for row in rows]


class OutboxAdmin:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def retry(self, job_id: str, company_id: str | None = None) -> OutboxJob:
        """With ``company_id``, another company's job is not found."""
        with self.uow() as uow:
            if company_id is not None:
                job = uow.outbox.get(job_id)
                if job is None or job.company_id != company_id:
                    raise NotFound("tâche", job_id)
            if not uow.outbox.retry(job_id, uow.clock.now()):
                job = uow.outbox.get(job_id)
                if job is None:
                    raise NotFound("tâche", job_id)
                raise InvalidValue(f"La tâche est « {job.status.label_fr} » : rien à relancer.", field="job")
            uow.commit()
            return uow.outbox.get(job_id)

    def retry_dead(self, company_id: str, limit: int = 1000) -> list[OutboxJob]:
        """Every effect of the company given up (after an outage), back in the queue: the ``limit``
        most recent at a time."""
        with self.uow() as uow:
            dead = uow.outbox.list(company_id, JobStatus.DEAD, limit)
            now = uow.clock.now()
            retried = [job.id for job in dead if uow.outbox.retry(job.id, now)]
            uow.commit()
            return [uow.outbox.get(job_id) for job_id in retried]
