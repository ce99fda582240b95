"""In-memory fakes of the ports, for fast unit tests of the core. Never the only proof a flow works."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from ogust.application.outbox import JobStatus, OutboxJob
from ogust.application.ports import BulkOutcome, ShopDocument, ShopRejected, ShopUnavailable
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.aggregate import Aggregate
from ogust.domain.credit_note import RefundStatus
from ogust.domain.errors import ConcurrencyConflict, NotFound
from ogust.domain.intervention import InterventionStatus
from ogust.domain.invoice import InvoiceSource
from ogust.domain.payment import AttemptStatus
from ogust.domain.shop_service import ShopService


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeRepository:
    what = "enregistrement"

    def __init__(self) -> None:
        self.items: dict[str, Aggregate] = {}

    def add(self, item) -> None:
        self.items[item.id] = item

    def find(self, company_id, item_id):
        item = self.items.get(item_id)
        return item if item is not None and item.company_id == company_id else None

    def get(self, company_id, item_id):
        item = self.find(company_id, item_id)
        if item is None:
            raise NotFound(self.what, item_id)
        return item

    def list(self, company_id):
        return [i for i in self.items.values() if i.company_id == company_id]

    def _first(self, company_id, **criteria):
        for item in self.list(company_id):
            if all(getattr(item, k) == v for k, v in criteria.items()):
                return item
        return None


class FakeCompanies(FakeRepository):
    what = "entreprise"

    def find(self, company_id):
        return self.items.get(company_id)

    def get(self, company_id):
        if company_id not in self.items:
            raise NotFound(self.what, company_id)
        return self.items[company_id]

    def list(self):
        return list(self.items.values())

    def by_shop_account(self, shop_account_id):
        return next((c for c in self.items.values() if c.shop_account_id == shop_account_id), None)


class FakeTarifs(FakeRepository):
    what = "tarif"

    def by_code(self, company_id, code):
        return self._first(company_id, code=code)


class FakeMappings(FakeRepository):
    def by_shop_service(self, company_id, shop_service_id):
        return self._first(company_id, shop_service_id=shop_service_id)


class _ByName:
    def page(self, company_id, after, limit):
        ordered = sorted(self.list(company_id), key=lambda r: (r.last_name, r.first_name, r.id))
        return [r for r in ordered if after is None or (r.last_name, r.first_name, r.id) > tuple(after)][:limit]

    def count(self, company_id):
        return len(self.list(company_id))

    def get_many(self, company_id, ids):
        return [r for r in (self.find(company_id, record_id) for record_id in set(ids)) if r is not None]


class FakeIntervenants(_ByName, FakeRepository):
    what = "intervenant"

    def by_matricule(self, company_id, matricule):
        return self._first(company_id, matricule=matricule)


class FakeClients(_ByName, FakeRepository):
    what = "client"

    def by_shop_client_id(self, company_id, shop_client_id):
        return self._first(company_id, shop_client_id=shop_client_id)

    def by_email(self, company_id, email):
        return self._first(company_id, email=email)


class FakeDevis(FakeRepository):
    what = "devis"

    def add(self, item) -> None:
        if item.shop_order_id and self._first(item.company_id, shop_order_id=item.shop_order_id):
            raise ConcurrencyConflict("commande déjà reçue")
        super().add(item)

    def by_shop_order(self, company_id, shop_order_id):
        return self._first(company_id, shop_order_id=shop_order_id)

    def for_client(self, company_id, client_id):
        return [d for d in self.list(company_id) if d.client_id == client_id]


class FakeInterventions(FakeRepository):
    what = "intervention"

    def for_intervenant(self, company_id, intervenant_id, start, end):
        return [i for i in self.list(company_id)
                if i.intervenant_id == intervenant_id and i.start < end and start < i.end]

    def for_devis(self, company_id, devis_id):
        return [i for i in self.list(company_id) if i.devis_id == devis_id]

    def for_client(self, company_id, client_id):
        return [i for i in self.list(company_id) if i.client_id == client_id]

    def done_not_invoiced(self, company_id, client_id, start, end):
        return [i for i in self.list(company_id) if i.client_id == client_id and i.status is InterventionStatus.DONE
                and i.invoice_id is None and start <= i.start <= end]

    def clients_with_done_not_invoiced(self, company_id, start, end, after=None, limit=None):
        found = sorted({i.client_id for i in self.list(company_id) if i.status is InterventionStatus.DONE
                        and i.invoice_id is None and start <= i.start <= end})
        found = [client_id for client_id in found if after is None or client_id > after]
        return found[:limit] if limit is not None else found

    def count_clients_with_done_not_invoiced(self, company_id, start, end):
        return len(self.clients_with_done_not_invoiced(company_id, start, end))

    def count_begun_still_planned(self, company_id, start, end, now, client_id=None):
        return sum(1 for i in self.begun_still_planned(company_id, start, end, now, None)
                   if client_id is None or i.client_id == client_id)

    def begun_still_planned(self, company_id, start, end, now, limit):
        found = sorted((i for i in self.list(company_id)
                        if i.status is InterventionStatus.PLANNED and start <= i.start <= min(end, now)),
                       key=lambda i: (i.start, i.id))
        return found[:limit] if limit is not None else found


class FakeInvoices(FakeRepository):
    what = "facture"

    def remove(self, invoice):
        del self.items[invoice.id]

    def by_number(self, company_id, number):
        return self._first(company_id, number=number)

    def by_numbers(self, company_id, numbers):
        wanted = set(numbers)
        return sorted((i for i in self.list(company_id) if i.number in wanted), key=lambda i: i.number)

    def for_client(self, company_id, client_id):
        return [i for i in self.list(company_id) if i.client_id == client_id]

    def with_status(self, company_id, statuses):
        wanted = set(statuses)
        return [i for i in self.list(company_id) if i.status in wanted]

    def _of_period(self, company_id, period_start, period_end):
        return [i for i in self.list(company_id) if i.source is InvoiceSource.CONTRACT
                and (i.period_start, i.period_end) == (period_start, period_end)]

    def get_many(self, company_id, ids):
        return [i for i in (self.find(company_id, invoice_id) for invoice_id in set(ids)) if i is not None]

    def contract_ids(self, company_id, period_start, period_end, status, after=None, limit=None):
        found = sorted(i.id for i in self._of_period(company_id, period_start, period_end)
                       if i.status is status and (after is None or i.id > after))
        return found[:limit] if limit is not None else found

    def contract_counts(self, company_id, period_start, period_end):
        counts = {}
        for invoice in self._of_period(company_id, period_start, period_end):
            counts[invoice.status] = counts.get(invoice.status, 0) + 1
        return counts

    def issued_between(self, company_id, first, last, after=None, limit=500):
        found = sorted((i for i in self.list(company_id) if i.number and first <= i.issued_on <= last
                        and (after is None or i.number > after)), key=lambda i: i.number)
        return found[:limit]


class FakeAttestations(FakeRepository):
    what = "attestation"

    def for_client_year(self, company_id, client_id, year):
        found = [a for a in self.list(company_id) if a.client_id == client_id and a.year == year]
        return max(found, key=lambda a: a.revision, default=None)

    def by_number(self, company_id, number):
        return self._first(company_id, number=number)

    def for_clients_year(self, company_id, client_ids, year):
        wanted = set(client_ids)
        return sorted((a for a in self.list(company_id) if a.client_id in wanted and a.year == year),
                      key=lambda a: (a.client_id, a.revision))


class FakeAttempts(FakeRepository):
    def add(self, item) -> None:
        for other in self.items.values():
            if other.invoice_id == item.invoice_id and (
                other.number == item.number
                or (other.status is AttemptStatus.SUCCEEDED and item.status is AttemptStatus.SUCCEEDED)
            ):
                raise ConcurrencyConflict("tentative en double")
        super().add(item)

    def for_invoice(self, company_id, invoice_id):
        return sorted((a for a in self.list(company_id) if a.invoice_id == invoice_id), key=lambda a: a.number)

    def by_payment_intent(self, payment_intent_id):
        return next((a for a in self.items.values() if a.payment_intent_id == payment_intent_id), None)


class FakePayments(FakeRepository):
    def for_client(self, company_id, client_id):
        return [p for p in self.list(company_id) if p.client_id == client_id]

    def for_invoice(self, company_id, invoice_id):
        return [p for p in self.list(company_id) if p.invoice_id == invoice_id]

    def for_invoices(self, company_id, invoice_ids):
        wanted = set(invoice_ids)
        return [p for p in self.list(company_id) if p.invoice_id in wanted]

    def clients_paid_between(self, company_id, start, end, after=None, limit=None):
        found = sorted({p.client_id for p in self.list(company_id) if start <= p.received_at < end})
        found = [client_id for client_id in found if after is None or client_id > after]
        return found[:limit] if limit is not None else found

    def count_clients_paid_between(self, company_id, start, end):
        return len(self.clients_paid_between(company_id, start, end))

    def for_clients_between(self, company_id, client_ids, start, end):
        wanted = set(client_ids)
        return [p for p in self.list(company_id) if p.client_id in wanted and start <= p.received_at < end]

    def received_between(self, company_id, start, end):
        return sorted((p for p in self.list(company_id) if start <= p.received_at < end), key=lambda p: p.received_at)


class FakeCreditNotes(FakeRepository):
    what = "avoir"

    def add(self, item) -> None:
        if any(other.company_id == item.company_id and other.number == item.number and other.id != item.id
               for other in self.items.values()):
            raise ConcurrencyConflict("numéro d'avoir en double")
        super().add(item)

    def by_number(self, company_id, number):
        return self._first(company_id, number=number)

    def for_invoice(self, company_id, invoice_id):
        return sorted((n for n in self.list(company_id) if n.invoice_id == invoice_id), key=lambda n: n.number)

    def for_invoices(self, company_id, invoice_ids):
        wanted = set(invoice_ids)
        return sorted((n for n in self.list(company_id) if n.invoice_id in wanted), key=lambda n: n.number)

    def refunded_between(self, company_id, client_ids, start, end):
        wanted = set(client_ids) if client_ids is not None else None
        return sorted((n for n in self.list(company_id) if (wanted is None or n.client_id in wanted)
                       and n.refund_status is RefundStatus.SUCCEEDED and start <= n.refunded_at < end),
                      key=lambda n: (n.client_id, n.number))

    def issued_between(self, company_id, first, last):
        return sorted((n for n in self.list(company_id) if first <= n.issued_on <= last), key=lambda n: n.number)


class FakeSequences:
    def __init__(self) -> None:
        self.last: dict[tuple[str, str, int], int] = {}

    def next_number(self, company_id, prefix, year):
        key = (company_id, prefix, year)
        self.last[key] = self.last.get(key, 0) + 1
        return f"{prefix}-{year}-{self.last[key]:06d}"


class FakeEmailLog:
    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def status(self, message_id):
        row = self.rows.get(message_id)
        return row["status"] if row else None

    def record(self, company_id, message_id, kind, to_email, status, at, error=None):
        self.rows[message_id] = dict(company_id=company_id, message_id=message_id, kind=kind, to_email=to_email,
                                     status=status, at=at, error=error)

    def list(self, company_id):
        return [r for r in self.rows.values() if r["company_id"] == company_id]

    def anonymise(self, company_id, to_email, replacement):
        rows = [r for r in self.list(company_id) if r["to_email"] == to_email]
        for row in rows:
            row["to_email"], row["error"] = replacement, None
        return len(rows)


class FakeInbox:
    def __init__(self) -> None:
        self.ids: set[tuple[str, str]] = set()

    def seen(self, source, message_id):
        return (source, message_id) in self.ids

    def add(self, source, message_id, at):
        self.ids.add((source, message_id))


class FakeOutbox:
    def __init__(self) -> None:
        self.jobs: dict[str, OutboxJob] = {}

    def add(self, job: OutboxJob) -> None:
        if self.by_key(job.company_id, job.key) is None:
            self.jobs[job.id] = job

    def by_key(self, company_id, key):
        return next((j for j in self.jobs.values() if j.company_id == company_id and j.key == key), None)

    def claim(self, worker, now, lease_until, limit, effects: Iterable[str] | None = None):
        wanted = set(effects) if effects else None
        claimed = []
        for job in sorted(self.jobs.values(), key=lambda j: j.created_at):
            if len(claimed) >= limit:
                break
            if wanted and job.effect not in wanted:
                continue
            due = job.status is JobStatus.PENDING and job.available_at <= now
            expired = job.status is JobStatus.PROCESSING and job.lease_until and job.lease_until < now
            if due or expired:
                job.status, job.worker, job.lease_until = JobStatus.PROCESSING, worker, lease_until
                job.attempts += 1
                claimed.append(job)
        return claimed

    def claim_keys(self, worker, now, lease_until, company_id, keys, early=False):
        wanted = set(keys)
        claimed = []
        for job in sorted(self.jobs.values(), key=lambda j: j.created_at):
            if job.company_id != company_id or job.key not in wanted:
                continue
            due = job.status is JobStatus.PENDING and (job.available_at <= now or (early and job.attempts == 0))
            expired = job.status is JobStatus.PROCESSING and job.lease_until and job.lease_until < now
            if due or expired:
                job.status, job.worker, job.lease_until = JobStatus.PROCESSING, worker, lease_until
                job.attempts += 1
                claimed.append(job)
        return claimed

    def renew(self, job_id, worker, now, lease_until):
        job = self.jobs[job_id]
        if job.worker != worker or job.status is not JobStatus.PROCESSING or job.lease_until < now:
            return False
        job.lease_until = lease_until
        return True

    def complete(self, job_id, worker, now):
        job = self.jobs[job_id]
        if job.worker != worker or job.status is not JobStatus.PROCESSING:
            return False
        job.status, job.done_at, job.lease_until = JobStatus.DONE, now, None
        return True

    def release(self, job_id, worker, error, retry_at):
        job = self.jobs[job_id]
        if job.worker != worker or job.status is not JobStatus.PROCESSING:
            return False
        job.last_error, job.lease_until = error, None
        if retry_at is None:
            job.status = JobStatus.DEAD
        else:
            job.status, job.available_at = JobStatus.PENDING, retry_at
        return True

    def get(self, job_id):
        return self.jobs.get(job_id)

    def list(self, company_id=None, status=None, limit=200):
        return [j for j in reversed(self.jobs.values())
                if (company_id is None or j.company_id == company_id)
                and (status is None or j.status is status)][:limit]

    def retry(self, job_id, now):
        job = self.jobs.get(job_id)
        if job is None or job.status not in (JobStatus.DEAD, JobStatus.PENDING):
            return False
        job.status, job.available_at, job.attempts = JobStatus.PENDING, now, 0
        return True

    def counts(self, company_id=None):
        result: dict[str, int] = {}
        for job in self.jobs.values():
            if company_id is not None and job.company_id != company_id:
                continue
            result[job.status.value] = result.get(job.status.value, 0) + 1
        return result

    def of_effect(self, effect: str) -> list[OutboxJob]:
        return [j for j in self.jobs.values() if j.effect == effect]


class FakeAuditTrail:
    def __init__(self) -> None:
        self.redacted: list[tuple[str, str]] = []

    def redact_client(self, company_id, client_id):
        self.redacted.append((company_id, client_id))


class FakeUnitOfWork(UnitOfWork):
    """Shared state across units of work; commit counts commits. No isolation: use the real one for that."""

    def __init__(self, clock: FixedClock | None = None) -> None:
        self.clock = clock or FixedClock()
        self.companies = FakeCompanies()
        self.tarifs = FakeTarifs()
        self.mappings = FakeMappings()
        self.intervenants = FakeIntervenants()
        self.clients = FakeClients()
        self.devis = FakeDevis()
        self.interventions = FakeInterventions()
        self.invoices = FakeInvoices()
        self.attestations = FakeAttestations()
        self.payment_attempts = FakeAttempts()
        self.payments = FakePayments()
        self.credit_notes = FakeCreditNotes()
        self.sequences = FakeSequences()
        self.emails = FakeEmailLog()
        self.audit = FakeAuditTrail()
        self.inbox = FakeInbox()
        self.outbox = FakeOutbox()
        self.commits = 0

    def __call__(self) -> FakeUnitOfWork:
        return self

    def _seen(self):
        for repo in (self.companies, self.tarifs, self.mappings, self.intervenants, self.clients, self.devis,
                     self.interventions, self.invoices, self.attestations, self.payment_attempts, self.payments,
                     self.credit_notes):
            yield from repo.items.values()

    def _commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass


class FakeShopApi:
    def __init__(self, services: list[ShopService] | None = None, accounts: Iterable[str] = ("acc_demo",)) -> None:
        self.accounts = set(accounts)
        self.services = list(services or [])
        self.intervenants: dict[str, dict] = {}
        self.clients: dict[str, dict] = {}
        self.documents: dict[tuple[str, str], ShopDocument] = {}
        self.calls: list[str] = []
        self.fail_next: list[Exception] = []
        self.refuse: dict[str, str] = {}  # record id -> the shop's reason, in bulk upserts
        self.erased: list[tuple[str, str, str | None]] = []  # (account, ogust client id, shop client id)

    def _maybe_fail(self, call: str) -> None:
        self.calls.append(call)
        if self.fail_next:
            raise self.fail_next.pop(0)

    def account_exists(self, account_id, api_key=None):
        return account_id in self.accounts

    def list_services(self, account_id):
        return list(self.services)

    def upsert_intervenant(self, account_id, fields):
        self._maybe_fail("upsert_intervenant")
        self.intervenants[str(fields["id"])] = dict(fields)

    def upsert_client(self, account_id, fields):
        self._maybe_fail("upsert_client")
        self.clients[str(fields["id"])] = dict(fields)
        return f"shopcli_{fields['id'][:8]}"

    def publish_document(self, account_id, shop_client_id, document):
        self._maybe_fail("publish_document")
        self.documents[(shop_client_id, document.id)] = document

    def erase_client(self, account_id, client_id, shop_client_id=None):
        """Anonymises the copy (unknown or already erased: nothing to do); the documents stay."""
        self._maybe_fail("erase_client")
        self.erased.append((account_id, client_id, shop_client_id))
        if client_id in self.clients:
            self.clients[client_id] = {"id": client_id, "erased": True}

    def bulk_upsert_intervenants(self, account_id, records):
        self._maybe_fail("bulk_upsert_intervenants")
        return [self._bulk_one(self.intervenants, fields, None) for fields in records]

    def bulk_upsert_clients(self, account_id, records):
        self._maybe_fail("bulk_upsert_clients")
        return [self._bulk_one(self.clients, fields, f"shopcli_{fields['id'][:8]}") for fields in records]

    def _bulk_one(self, store, fields, shop_client_id):
        record_id = str(fields["id"])
        if record_id in self.refuse:
            return BulkOutcome(record_id, False, reason=self.refuse[record_id])
        store[record_id] = dict(fields)
        return BulkOutcome(record_id, True, shop_client_id)


class FakeMailer:
    def __init__(self) -> None:
        self.sent = []
        self.fail_next: list[Exception] = []

    def send(self, notification) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(notification)


class FakeLinks:
    def download_url(self, company_id, kind, document_id):
        return f"https://ogust.test/d/{kind}/{document_id}"

    def payment_url(self, company_id, invoice_id):
        return f"https://ogust.test/pay/{invoice_id}"


__all__ = ["ShopRejected", "ShopUnavailable"]
