"""The unit of work and repository ports. Committing writes the events' outbox jobs with the change."""
from __future__ import annotations

import abc
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from ogust.application.outbox import Effect, JobStatus, OutboxJob, jobs_for
from ogust.application.ports import Clock
from ogust.domain.aggregate import Aggregate
from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote
from ogust.domain.devis import Devis
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.payment import Payment, PaymentAttempt
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import Tarif

T = TypeVar("T", bound=Aggregate)

if TYPE_CHECKING:
    from ogust.application.access import ApiKeyRepository


class Repository(Protocol[T]):
    def add(self, item: T) -> None: ...

    def find(self, company_id: str, item_id: str) -> T | None: ...

    def get(self, company_id: str, item_id: str) -> T:
        """Like find, but raises NotFound."""

    def list(self, company_id: str) -> list[T]: ...


class CompanyRepository(Protocol):
    def add(self, item: Company) -> None: ...
    def find(self, company_id: str) -> Company | None: ...
    def get(self, company_id: str) -> Company: ...
    def list(self) -> list[Company]: ...
    def by_shop_account(self, shop_account_id: str) -> Company | None: ...


class TarifRepository(Repository[Tarif], Protocol):
    def by_code(self, company_id: str, code: str) -> Tarif | None: ...


class MappingRepository(Repository[ShopServiceMapping], Protocol):
    def by_shop_service(self, company_id: str, shop_service_id: str) -> ShopServiceMapping | None: ...


class IntervenantRepository(Repository[Intervenant], Protocol):
    def by_matricule(self, company_id: str, matricule: str) -> Intervenant | None: ...

    def page(self, company_id: str, after: tuple[str, str, str] | None, limit: int) -> list[Intervenant]:
        """In name order: the ``limit`` after ``after``, the (last name, first name, id) of the last one seen."""

    def count(self, company_id: str) -> int: ...

    def get_many(self, company_id: str, ids: Iterable[str]) -> list[Intervenant]:
        """The company's records among ``ids``, in one query (the missing ones are left out)."""


class ClientRepository(Repository[Client], Protocol):
    def by_shop_client_id(self, company_id: str, shop_client_id: str) -> Client | None: ...
    def by_email(self, company_id: str, email: str) -> Client | None: ...

    def page(self, company_id: str, after: tuple[str, str, str] | None, limit: int) -> list[Client]:
        """In name order: the ``limit`` after ``after``, the (last name, first name, id) of the last one seen."""

    def count(self, company_id: str) -> int: ...

    def get_many(self, company_id: str, ids: Iterable[str]) -> list[Client]:
        """The company's records among ``ids``, in one query (the missing ones are left out)."""


class DevisRepository(Repository[Devis], Protocol):
    def by_shop_order(self, company_id: str, shop_order_id: str) -> Devis | None: ...
    def for_client(self, company_id: str, client_id: str) -> list[Devis]: ...


class InterventionRepository(Repository[Intervention], Protocol):
    def for_intervenant(
        self, company_id: str, intervenant_id: str, start: datetime, end: datetime
    ) -> list[Intervention]:
        """Interventions of the intervenant that intersect [start, end)."""

    def for_devis(self, company_id: str, devis_id: str) -> list[Intervention]: ...

    def for_client(self, company_id: str, client_id: str) -> list[Intervention]: ...

    def done_not_invoiced(self, company_id: str, client_id: str, start: datetime,
                          end: datetime) -> list[Intervention]: ...

    def clients_with_done_not_invoiced(self, company_id: str, start: datetime, end: datetime,
                                       after: str | None = None, limit: int | None = None) -> list[str]:
        """Ordered by id; a page with ``after`` (last id of the previous page) and ``limit``."""

    def count_clients_with_done_not_invoiced(self, company_id: str, start: datetime, end: datetime) -> int: ...

    def count_begun_still_planned(self, company_id: str, start: datetime, end: datetime, now: datetime,
                                  client_id: str | None = None) -> int:
        """Interventions starting within [start, end] that had begun by ``now`` but are still planned:
        never declared done, so never invoiced (of one client, or of all)."""

    def begun_still_planned(self, company_id: str, start: datetime, end: datetime, now: datetime,
                            limit: int) -> list[Intervention]:
        """The first ``limit`` of them, by start."""


class InvoiceRepository(Repository[Invoice], Protocol):
    def by_number(self, company_id: str, number: str) -> Invoice | None: ...

    def by_numbers(self, company_id: str, numbers: Iterable[str]) -> list[Invoice]:
        """The company's invoices among these numbers, in one query (the missing ones are left out)."""

    def remove(self, invoice: Invoice) -> None:
        """Delete a draft (never numbered, never sent), its lines with it."""
    def with_status(self, company_id: str, statuses: Iterable[InvoiceStatus]) -> list[Invoice]: ...
    def for_client(self, company_id: str, client_id: str) -> list[Invoice]: ...

    def get_many(self, company_id: str, ids: Iterable[str]) -> list[Invoice]:
        """The company's invoices among ``ids`` (the missing ones are left out)."""

    def contract_ids(self, company_id: str, period_start: date, period_end: date, status: InvoiceStatus,
                     after: str | None = None, limit: int | None = None) -> list[str]:
        """Ids of the contract invoices of exactly this period in ``status``, ordered by id (pages)."""

    def contract_counts(self, company_id: str, period_start: date, period_end: date) -> dict[InvoiceStatus, int]:
        """How many contract invoices of exactly this period are in each status."""

    def issued_between(self, company_id: str, first: date, last: date, after: str | None = None,
                       limit: int = 500) -> list[Invoice]:
        """The invoices issued from ``first`` to ``last`` (included), by number; a page after ``after``."""


class AttestationRepository(Repository[Attestation], Protocol):
    def for_client_year(self, company_id: str, client_id: str, year: int) -> Attestation | None:
        """The latest revision (an attestation rectificative replaces the one before)."""

    def by_number(self, company_id: str, number: str) -> Attestation | None: ...

    def for_clients_year(self, company_id: str, client_ids: Iterable[str], year: int) -> list[Attestation]:
        """Every revision, each client's in order: the last one of a client is its current attestation."""


class CreditNoteRepository(Repository[CreditNote], Protocol):
    def by_number(self, company_id: str, number: str) -> CreditNote | None: ...

    def for_invoice(self, company_id: str, invoice_id: str) -> list[CreditNote]:
        """Oldest first."""

    def for_invoices(self, company_id: str, invoice_ids: Iterable[str]) -> list[CreditNote]: ...

    def refunded_between(self, company_id: str, client_ids: Iterable[str] | None, start: datetime,
                         end: datetime) -> list[CreditNote]:
        """The credit notes of these clients (of all, with None) refunded from ``start`` (included) to
        ``end`` (excluded)."""

    def issued_between(self, company_id: str, first: date, last: date) -> list[CreditNote]:
        """The credit notes issued from ``first`` to ``last`` (included), by number."""


class PaymentAttemptRepository(Repository[PaymentAttempt], Protocol):
    def for_invoice(self, company_id: str, invoice_id: str) -> list[PaymentAttempt]:
        """Oldest first."""

    def by_payment_intent(self, payment_intent_id: str) -> PaymentAttempt | None: ...


class PaymentRepository(Repository[Payment], Protocol):
    def for_client(self, company_id: str, client_id: str) -> list[Payment]: ...
    def for_invoice(self, company_id: str, invoice_id: str) -> list[Payment]: ...

    def for_invoices(self, company_id: str, invoice_ids: Iterable[str]) -> list[Payment]:
        """The payments of these invoices, in one query."""

    def clients_paid_between(self, company_id: str, start: datetime, end: datetime, after: str | None = None,
                             limit: int | None = None) -> list[str]:
        """Clients with a payment received within [start, end), by id; a page with ``after`` and ``limit``."""

    def count_clients_paid_between(self, company_id: str, start: datetime, end: datetime) -> int: ...

    def for_clients_between(self, company_id: str, client_ids: Iterable[str], start: datetime,
                            end: datetime) -> list[Payment]:
        """The payments of these clients received within [start, end)."""

    def received_between(self, company_id: str, start: datetime, end: datetime) -> list[Payment]:
        """The company's payments received within [start, end), by date."""


class SequenceRepository(Protocol):
    def next_number(self, company_id: str, prefix: str, year: int) -> str:
        """The next number of the series, in this transaction: gapless, chronological."""


class EmailLog(Protocol):
    """Pending → sent record per email, keyed by its stable Message-ID."""

    def status(self, message_id: str) -> str | None: ...
    def record(self, company_id: str, message_id: str, kind: str, to_email: str, status: str,
               at: datetime, error: str | None = None) -> None: ...
    def list(self, company_id: str) -> list[dict[str, object]]: ...

    def anonymise(self, company_id: str, to_email: str, replacement: str) -> int:
        """GDPR erasure: replace the address in the log; how many rows changed."""


class AuditTrail(Protocol):
    """The audit log as the use cases see it: written by the unit of work at each commit, read
    elsewhere; the only change it allows is the GDPR redaction of an erased person's values."""

    def redact_client(self, company_id: str, client_id: str) -> None:
        """GDPR erasure, at this commit: the entries (past ones, and this commit's) of the client and
        of what names or locates them (its interventions' addresses, its documents' client identity)
        keep who, when, what and which fields changed; those values are replaced. Once per entry."""


class Inbox(Protocol):
    """Messages received from outside (webhook events), remembered to process each once."""

    def seen(self, source: str, message_id: str) -> bool: ...
    def add(self, source: str, message_id: str, at: datetime) -> None: ...


class OutboxStore(Protocol):
    def add(self, job: OutboxJob) -> None:
        """Enqueue, unless a job with the same company and key exists already."""

    def claim(self, worker: str, now: datetime, lease_until: datetime, limit: int,
              effects: Iterable[str] | None = None) -> list[OutboxJob]:
        """Lease up to ``limit`` due jobs to ``worker`` (conditional update: never twice at once)."""

    def claim_keys(self, worker: str, now: datetime, lease_until: datetime, company_id: str,
                   keys: Iterable[str], early: bool = False) -> list[OutboxJob]:
        """Lease the company's claimable jobs among ``keys`` (a batch's own jobs, same guarantee);
        ``early``: a job never tried yet, held back until later (``UnitOfWork.hold``), too."""

    def renew(self, job_id: str, worker: str, now: datetime, lease_until: datetime) -> bool:
        """Extend a lease this worker still holds; False when it expired or was taken over."""

    def complete(self, job_id: str, worker: str, now: datetime) -> bool: ...

    def release(self, job_id: str, worker: str, error: str, retry_at: datetime | None) -> bool:
        """Back to pending at ``retry_at``, or dead when it is None."""

    def get(self, job_id: str) -> OutboxJob | None: ...

    def by_key(self, company_id: str, key: str) -> OutboxJob | None: ...

    def list(self, company_id: str | None = None, status: JobStatus | None = None,
             limit: int = 200) -> list[OutboxJob]:
        """Newest first."""

    def retry(self, job_id: str, now: datetime) -> bool:
        """Put a dead (or pending) job back to pending, due now."""

    def counts(self, company_id: str | None = None) -> dict[str, int]: ...


class UnitOfWork(abc.ABC):
    """``with uow: ...; uow.commit()``. Leaving the block without commit rolls back."""

    companies: CompanyRepository
    tarifs: TarifRepository
    mappings: MappingRepository
    intervenants: IntervenantRepository
    clients: ClientRepository
    devis: DevisRepository
    interventions: InterventionRepository
    invoices: InvoiceRepository
    attestations: AttestationRepository
    payment_attempts: PaymentAttemptRepository
    payments: PaymentRepository
    credit_notes: CreditNoteRepository
    sequences: SequenceRepository
    emails: EmailLog
    audit: AuditTrail
    inbox: Inbox
    outbox: OutboxStore
    clock: Clock
    api_keys: ApiKeyRepository  # issue 5 (access); see ogust.application.access

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *args: object) -> None:
        self._holds = {}  # for this unit of work only
        self.rollback()

    def hold(self, effect: Effect, until: datetime) -> None:
        """The jobs of ``effect`` this unit of work writes are due at ``until``, not at once: the
        month end holds its debits back from the workers, to make them itself under the payment
        provider's rate limit (it claims them early; if it stops, the workers take them then)."""
        self._holds = {**getattr(self, "_holds", {}), effect.value: until}

    def commit(self) -> None:
        """Write the outbox jobs of every event raised in this unit of work, then commit it all."""
        now = self.clock.now()
        holds: dict[str, datetime] = getattr(self, "_holds", {})
        for aggregate in list(self._seen()):
            for event in aggregate.pull_events():
                for job in jobs_for(event, now):
                    job.available_at = holds.get(job.effect, job.available_at)
                    self.outbox.add(job)
        self._commit()

    @abc.abstractmethod
    def _seen(self) -> Iterable[Aggregate]: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)
