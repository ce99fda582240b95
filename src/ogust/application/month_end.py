"""Month end, in one go: invoice every done, not yet invoiced intervention of the month (one
contract invoice per client, month boundaries in the company's time zone), validate those invoices,
then debit the saved cards — several at once, under the payment gateway's rate limit.

Resumable: each phase starts from what the database says. Clients invoiced already are not
invoiced again, drafts left by an interrupted run are validated, and the debit goes through the
invoice's own outbox charge job (leased like any worker's, so an ``ogust worker`` and this run
never debit the same invoice at once) and its payment-attempt row with a deterministic
idempotency key — a second debit is impossible. Memory stays flat: everything is read by pages
of ids, each invoice in its own short transaction.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from ogust.application.commands import ContractInvoice, RunMonthEnd, ValidateInvoice
from ogust.application.effects.payments import ChargeInvoiceEffect
from ogust.application.handlers import UowFactory
from ogust.application.handlers.invoicing import ContractInvoiceHandler, ValidateInvoiceHandler
from ogust.application.outbox import Effect, JobStatus, OutboxJob, charge_job_key
from ogust.application.page_garbage import PageGarbage
from ogust.application.periods import month_period, period_instants
from ogust.application.ports import PaymentGateway
from ogust.application.rate_limit import RateLimitedGateway, TokenBucket
from ogust.application.unit_of_work import UnitOfWork
from ogust.application.worker import OutboxProcessor, WorkerSettings, worker_name
from ogust.domain.errors import DomainError, InvalidValue
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.payment import MINIMUM_CARD_DEBIT

PHASES = ("generate", "validate", "debit")
DEBITS_HELD_AT_LEAST = timedelta(minutes=15)


class MonthEndProgress(Protocol):
    def phase(self, name: str, total: int) -> None:
        """A phase starts (``generate``, ``validate``, ``debit``) with ``total`` items to go through."""

    def advance(self, count: int = 1) -> None: ...


@dataclass(frozen=True)
class InvoiceIssue:
    invoice_id: str
    number: str | None
    client_id: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    kind: str  # "client" (not invoiced) | "invoice" (not validated or not debited)
    ref: str  # the client id, or the invoice number (its id while a draft)
    reason: str


@dataclass
class MonthEndReport:
    month: str
    created: int = 0
    validated: int = 0
    paid: int = 0
    failed: list[InvoiceIssue] = field(default_factory=list)
    needs_authentication: list[InvoiceIssue] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    interrupted: bool = False
    month_invoices: dict[str, int] = field(default_factory=dict)  # the month's contract invoices by status, at the end
    # interventions of the month begun but still planned, at the end: never declared done, so not invoiced
    not_declared_done: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time spent per phase
    # in euros, this run: invoices validated (TTC), cards debited, debits declined
    validated_ttc: Money = field(default_factory=Money.zero)
    debited: Money = field(default_factory=Money.zero)
    declined: Money = field(default_factory=Money.zero)


@dataclass(frozen=True)
class _Debit:
    invoice_id: str
    number: str | None
    client_id: str
    outcome: str  # "paid" | "failed" | "needs_authentication" | "skipped"
    reason: str = ""
    amount: Money = field(default_factory=Money.zero)  # what the debit asked for


class _NoProgress:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


class MonthEndRun:
    def __init__(self, uow: UowFactory, gateway: PaymentGateway, worker_settings: WorkerSettings | None = None,
                 page_size: int = 200, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.uow = uow
        self.gateway = gateway
        self.worker_settings = worker_settings or WorkerSettings()
        self.page_size = page_size
        self._clock = clock
        self._sleep = sleep

    def __call__(self, cmd: RunMonthEnd, progress: MonthEndProgress | None = None,
                 stop: threading.Event | None = None) -> MonthEndReport:
        if cmd.concurrency < 1:
            raise InvalidValue("Il faut au moins un débit à la fois.", field="concurrency")
        if cmd.rate is not None and cmd.rate <= 0:
            raise InvalidValue("La cadence des débits est positive.", field="rate")
        first, last = month_period(cmd.year, cmd.month)
        progress = progress or _NoProgress()
        stop = stop or threading.Event()
        report = MonthEndReport(month=f"{cmd.year}-{cmd.month:02d}")
        with self.uow() as uow:
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
        for name, phase in (("generate", self._generate), ("validate", self._validate), ("debit", self._debit)):
            if stop.is_set():
                report.interrupted = True
                break
            started = self._clock()
            phase(cmd, first, last, zone, report, progress, stop)
            report.seconds[name] = round(self._clock() - started, 3)
        with self.uow() as uow:
            counts = uow.invoices.contract_counts(cmd.company_id, first, last)
            report.not_declared_done = uow.interventions.count_begun_still_planned(
                cmd.company_id, *period_instants(first, last, zone), uow.clock.now())
        report.month_invoices = {status.value: counts[status] for status in InvoiceStatus if counts.get(status)}
        return report

    # ------------------------------------------------------------ 1. one contract invoice per client
    def _generate(self, cmd: RunMonthEnd, first: date, last: date, zone: ZoneInfo, report: MonthEndReport,
                  progress: MonthEndProgress, stop: threading.Event) -> None:
        start, end = period_instants(first, last, zone)
        with self.uow() as uow:
            total = uow.interventions.count_clients_with_done_not_invoiced(cmd.company_id, start, end)
        progress.phase("generate", total)
        generate = ContractInvoiceHandler(self.uow)

        def page(after: str | None) -> list[str]:
            with self.uow() as uow:
                return uow.interventions.clients_with_done_not_invoiced(cmd.company_id, start, end, after,
                                                                        self.page_size)

        for client_id in _pages(page):
            if stop.is_set():
                report.interrupted = True
                return
            try:
                generate(ContractInvoice(cmd.company_id, client_id, first, last))
                report.created += 1
            except DomainError as error:
                report.skipped.append(Skipped("client", client_id, error.message))
            progress.advance(1)

    # ------------------------------------------------------------ 2. validate the month's drafts
    def _validate(self, cmd: RunMonthEnd, first: date, last: date, zone: ZoneInfo, report: MonthEndReport,
                  progress: MonthEndProgress, stop: threading.Event) -> None:
        with self.uow() as uow:
            total = uow.invoices.contract_counts(cmd.company_id, first, last).get(InvoiceStatus.DRAFT, 0)
        progress.phase("validate", total)
        validate = ValidateInvoiceHandler(self._holding_debits(cmd, total))

        def page(after: str | None) -> list[str]:
            with self.uow() as uow:
                return uow.invoices.contract_ids(cmd.company_id, first, last, InvoiceStatus.DRAFT, after,
                                                 self.page_size)

        for invoice_id in _pages(page):
            if stop.is_set():
                report.interrupted = True
                return
            try:
                validated = validate(ValidateInvoice(cmd.company_id, invoice_id))
                report.validated += 1
                report.validated_ttc = report.validated_ttc + validated.total_ttc
            except DomainError as error:
                report.skipped.append(Skipped("invoice", invoice_id, error.message))
            progress.advance(1)

    def _holding_debits(self, cmd: RunMonthEnd, total: int) -> UowFactory:
        """Units of work that hold the debits they queue back from the workers (``UnitOfWork.hold``):
        this run makes them itself, under the rate limit — a worker taking them as soon as the invoice
        is validated would debit at its own pace. Held long enough for the run to reach them (twice
        what the rate allows, 15 minutes at least); interrupted, the run is run again, or the workers
        take them then. Without a rate limit, nothing is held."""
        if cmd.rate is None:
            return self.uow
        hold = timedelta(seconds=max(DEBITS_HELD_AT_LEAST.total_seconds(), 2 * total / cmd.rate))

        def factory() -> UnitOfWork:
            uow = self.uow()
            uow.hold(Effect.CHARGE_INVOICE, uow.clock.now() + hold)
            return uow

        return factory

    # ------------------------------------------------------------ 3. debit, several at once, under the rate limit
    def _debit(self, cmd: RunMonthEnd, first: date, last: date, zone: ZoneInfo, report: MonthEndReport,
               progress: MonthEndProgress, stop: threading.Event) -> None:
        with self.uow() as uow:
            total = uow.invoices.contract_counts(cmd.company_id, first, last).get(InvoiceStatus.VALIDATED, 0)
        progress.phase("debit", total)
        gateway = self.gateway
        if cmd.rate is not None:
            gateway = RateLimitedGateway(gateway, TokenBucket(cmd.rate, clock=self._clock, sleep=self._sleep))
        processor = OutboxProcessor(self.uow, {Effect.CHARGE_INVOICE.value: ChargeInvoiceEffect(self.uow, gateway)},
                                    self.worker_settings, name=f"month-end:{worker_name()}")

        def page(after: str | None) -> list[str]:
            with self.uow() as uow:
                return uow.invoices.contract_ids(cmd.company_id, first, last, InvoiceStatus.VALIDATED, after,
                                                 self.page_size)

        in_flight: set[Future[_Debit]] = set()
        window = 2 * cmd.concurrency  # debits handed to the pool ahead of time, no more (flat memory)

        def collect(done: set[Future[_Debit]]) -> None:
            for future in done:
                _record(report, future.result())
                progress.advance(1)

        with ThreadPoolExecutor(max_workers=cmd.concurrency, thread_name_prefix="ogust-month-end") as pool:
            try:
                for invoice_id in _pages(page):
                    if stop.is_set():
                        report.interrupted = True
                        break
                    while len(in_flight) >= window:
                        done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                        collect(done)
                    in_flight.add(pool.submit(self._debit_one, processor, cmd.company_id, invoice_id))
            finally:
                # what was handed to the pool finishes (a debit is never left half-recorded)
                done, _ = wait(in_flight)
                collect(done)

    def _debit_one(self, processor: OutboxProcessor, company_id: str, invoice_id: str) -> _Debit:
        """Lease the invoice's charge job and perform it — the very job a worker would perform."""
        key = charge_job_key(company_id, invoice_id)
        with self.uow() as uow:
            now = uow.clock.now()
            jobs = uow.outbox.claim_keys(processor.name, now,
                                         now + timedelta(seconds=self.worker_settings.lease_seconds),
                                         company_id, [key], early=True)
            uow.commit()
        for job in jobs:
            processor.perform(job)
        with self.uow() as uow:
            invoice = uow.invoices.get(company_id, invoice_id)
            job = uow.outbox.by_key(company_id, key)
            client = uow.clients.get(company_id, invoice.client_id)
            has_card = client.has_card
            now = uow.clock.now()
        return _debit_outcome(invoice, job, bool(jobs), has_card, now)




def _pages(fetch: Callable[[str | None], list[str]]) -> Iterator[str]:
    """Every id, page after page (keyset: each page starts after the last id of the previous one)."""
    after: str | None = None
    garbage = PageGarbage()
    while True:
        ids = fetch(after)
        if not ids:
            return
        yield from ids
        after = ids[-1]
        garbage.page_done()  # what the page's units of work left is in reference cycles (see page_garbage)


def _debit_outcome(invoice: Invoice, job: OutboxJob | None, claimed: bool, has_card: bool, now: datetime) -> _Debit:
    base = (invoice.id, invoice.number, invoice.client_id)
    if invoice.status is InvoiceStatus.PAID:
        return _Debit(*base, "paid", amount=invoice.amount_due)
    if invoice.status is InvoiceStatus.PAYMENT_FAILED:
        return _Debit(*base, "failed", invoice.payment_failure or "carte refusée", invoice.amount_due)
    if invoice.status is InvoiceStatus.NEEDS_AUTHENTICATION:
        return _Debit(*base, "needs_authentication", "la banque demande une authentification forte : "
                                                     "un lien de paiement est envoyé au client")
    if not has_card:
        return _Debit(*base, "skipped", "pas de carte enregistrée : le client paie autrement")
    if invoice.amount_due.cents <= 0:
        return _Debit(*base, "skipped", "rien à débiter : ses avoirs couvrent la facture")
    if invoice.amount_due < MINIMUM_CARD_DEBIT:
        return _Debit(*base, "skipped", f"{invoice.amount_due} : moins que le minimum d'un débit par carte "
                                        f"({MINIMUM_CARD_DEBIT}), le client paie autrement")
    if job is None:
        return _Debit(*base, "skipped", "aucun débit en file pour cette facture")
    if job.status is JobStatus.PROCESSING:
        left = max(math.ceil((job.lease_until - now).total_seconds()), 0) if job.lease_until else 0
        return _Debit(*base, "skipped", f"débit en cours dans un autre processus (ogust worker, ou une fin de mois "
                                        f"arrêtée), réservé encore {left} s : relancez ensuite s'il ne se fait pas")
    if job.status is JobStatus.DEAD:
        return _Debit(*base, "skipped", f"débit abandonné : {job.last_error} (ogust outbox retry {job.id})")
    if job.status is JobStatus.PENDING and job.attempts > 0:
        return _Debit(*base, "skipped", f"débit à reprendre automatiquement : {job.last_error}")
    if job.status is JobStatus.PENDING and job.available_at > now:
        return _Debit(*base, "skipped", "débit prévu plus tard")
    return _Debit(*base, "skipped", "débit non effectué" + ("" if claimed else " (tâche non disponible)"))


def _record(report: MonthEndReport, debit: _Debit) -> None:
    if debit.outcome == "paid":
        report.paid += 1
        report.debited = report.debited + debit.amount
    elif debit.outcome == "failed":
        report.declined = report.declined + debit.amount
        report.failed.append(InvoiceIssue(debit.invoice_id, debit.number, debit.client_id, debit.reason))
    elif debit.outcome == "needs_authentication":
        report.needs_authentication.append(InvoiceIssue(debit.invoice_id, debit.number, debit.client_id,
                                                        debit.reason))
    else:
        report.skipped.append(Skipped("invoice", debit.number or debit.invoice_id, debit.reason))
