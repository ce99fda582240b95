"""SQLAlchemy repositories: every query is scoped to a company; ``get`` raises NotFound."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, Table, bindparam, func, select, tuple_, update
from sqlalchemy.orm import Session

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.conflicts import conflicts_as_domain_errors
from ogust.adapters.persistence.statements import insert_unless_exists
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote, RefundStatus
from ogust.domain.devis import Devis
from ogust.domain.errors import NotFound
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.payment import Payment, PaymentAttempt
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import Tarif
from ogust.domain.validation import MAX_INTERVENTION

T = TypeVar("T", bound=Aggregate)

# Statements of the hot paths (an order reads seven records), built once with bound parameters:
# building a statement and computing its cache key cost more than running it.
_PREBUILT: dict[tuple, Select] = {}


def _prebuilt(key: tuple, build: Callable[[], Select]) -> Select:
    statement = _PREBUILT.get(key)
    if statement is None:
        statement = _PREBUILT[key] = build()
    return statement


class _Repository(Generic[T]):
    entity: ClassVar[type]
    table: ClassVar[Table]
    what: ClassVar[str]

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: T) -> None:
        self.session.add(item)

    def find(self, company_id: str, item_id: str) -> T | None:
        with conflicts_as_domain_errors(self.session):
            if self._identity(item_id) in self.session.identity_map:
                item = self.session.get(self.entity, item_id)
            else:
                item = self.session.scalars(self._by_id(), {"id": item_id}).first()
        return item if item is not None and item.company_id == company_id else None

    def _identity(self, item_id: str) -> tuple:
        return (self.entity, (item_id,), None)

    def _by_id(self) -> Select:
        return _prebuilt((type(self), "id"), lambda: select(self.entity).where(self.table.c.id == bindparam("id")))

    def _first_where(self, company_id: str, **equal: Any) -> T | None:
        """The first (in ``_order``) of the company's records whose columns equal ``equal``."""
        statement = _prebuilt((type(self), "first", *equal), lambda: self._select(
            bindparam("company_id"), *(self.table.c[name] == bindparam(name) for name in equal)
        ).order_by(*self._order()).limit(1))
        with conflicts_as_domain_errors(self.session):
            return self.session.scalars(statement, {"company_id": company_id, **equal}).first()

    def _one_where(self, company_id: str, **key: Any) -> T | None:
        """The company's record whose unique key columns equal ``key`` (a unique index finds it)."""
        statement = _prebuilt((type(self), "one", *key), lambda: self._select(
            bindparam("company_id"), *(self.table.c[name] == bindparam(name) for name in key)))
        with conflicts_as_domain_errors(self.session):
            return self.session.scalars(statement, {"company_id": company_id, **key}).first()

    def get(self, company_id: str, item_id: str) -> T:
        item = self.find(company_id, item_id)
        if item is None:
            raise NotFound(self.what, item_id)
        return item

    def list(self, company_id: str) -> list[T]:
        return self._all(self._select(company_id))

    def _select(self, company_id: str, *criteria: Any) -> Select:
        return select(self.entity).where(self.table.c.company_id == company_id, *criteria)

    def _all(self, statement: Select, *order_by: Any) -> list[T]:
        with conflicts_as_domain_errors(self.session):
            return list(self.session.scalars(statement.order_by(*(order_by or self._order()))))

    def _first(self, statement: Select) -> T | None:
        with conflicts_as_domain_errors(self.session):
            return self.session.scalars(statement.order_by(*self._order()).limit(1)).first()

    def _ids(self, statement: Select) -> list[str]:
        with conflicts_as_domain_errors(self.session):
            return list(self.session.scalars(statement))

    def _order(self) -> tuple:
        return (self.table.c.id,)


class SqlAlchemyCompanyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: Company) -> None:
        self.session.add(item)

    def find(self, company_id: str) -> Company | None:
        with conflicts_as_domain_errors(self.session):
            if (Company, (company_id,), None) in self.session.identity_map:
                return self.session.get(Company, company_id)
            statement = _prebuilt((type(self), "id"),
                                  lambda: select(Company).where(t.companies.c.id == bindparam("id")))
            return self.session.scalars(statement, {"id": company_id}).first()

    def get(self, company_id: str) -> Company:
        company = self.find(company_id)
        if company is None:
            raise NotFound("entreprise", company_id)
        return company

    def list(self) -> list[Company]:
        with conflicts_as_domain_errors(self.session):
            return list(self.session.scalars(select(Company).order_by(t.companies.c.name, t.companies.c.id)))

    def by_shop_account(self, shop_account_id: str) -> Company | None:
        """The company linked to this shop account (one query, whatever the number of companies)."""
        with conflicts_as_domain_errors(self.session):
            return self.session.scalars(select(Company).where(t.companies.c.shop_account_id == shop_account_id)
                                        .order_by(t.companies.c.id).limit(1)).first()


class SqlAlchemyTarifRepository(_Repository[Tarif]):
    entity, table, what = Tarif, t.tarifs, "tarif"

    def by_code(self, company_id: str, code: str) -> Tarif | None:
        return self._first(self._select(company_id, t.tarifs.c.code == code))

    def _order(self) -> tuple:
        return (t.tarifs.c.code,)


class SqlAlchemyMappingRepository(_Repository[ShopServiceMapping]):
    entity, table, what = ShopServiceMapping, t.shop_service_mappings, "association de service"

    def by_shop_service(self, company_id: str, shop_service_id: str) -> ShopServiceMapping | None:
        return self._first_where(company_id, shop_service_id=shop_service_id)

    def _order(self) -> tuple:
        return (t.shop_service_mappings.c.shop_service_id,)


class _ByName:
    """Pages in name order (last name, first name, id), for batches that must not load everyone."""

    table: ClassVar[Table]
    session: Session

    def page(self, company_id: str, after: tuple[str, str, str] | None, limit: int) -> list:
        """The ``limit`` records after ``after`` — the (last name, first name, id) of the previous
        page's last record — in name order."""
        c = self.table.c
        statement = self._select(company_id)  # type: ignore[attr-defined]
        if after is not None:
            statement = statement.where(tuple_(c.last_name, c.first_name, c.id) > tuple_(*after))
        return self._all(statement.limit(limit))  # type: ignore[attr-defined]

    def count(self, company_id: str) -> int:
        c = self.table.c
        with conflicts_as_domain_errors(self.session):
            return self.session.scalar(select(func.count()).where(c.company_id == company_id)) or 0

    def get_many(self, company_id: str, ids: Iterable[str]) -> list:
        """The company's records among ``ids``, in one query (the missing ones are left out), by id:
        in name order, SQLite would walk every record of the company to find a chunk's."""
        return self._all(self._select(company_id, self.table.c.id.in_(list(ids))), self.table.c.id)  # type: ignore[attr-defined]


class SqlAlchemyIntervenantRepository(_ByName, _Repository[Intervenant]):
    entity, table, what = Intervenant, t.intervenants, "intervenant"

    def by_matricule(self, company_id: str, matricule: str) -> Intervenant | None:
        return self._first(self._select(company_id, t.intervenants.c.matricule == matricule))

    def _order(self) -> tuple:
        c = t.intervenants.c
        return (c.last_name, c.first_name, c.id)


class SqlAlchemyClientRepository(_ByName, _Repository[Client]):
    entity, table, what = Client, t.clients, "client"

    def by_shop_client_id(self, company_id: str, shop_client_id: str) -> Client | None:
        return self._one_where(company_id, shop_client_id=shop_client_id)

    def by_email(self, company_id: str, email: str) -> Client | None:
        return self._one_where(company_id, email=email.strip().lower())

    def _order(self) -> tuple:
        c = t.clients.c
        return (c.last_name, c.first_name, c.id)


class SqlAlchemyDevisRepository(_Repository[Devis]):
    entity, table, what = Devis, t.devis, "devis"

    def by_shop_order(self, company_id: str, shop_order_id: str) -> Devis | None:
        return self._first_where(company_id, shop_order_id=shop_order_id)

    def for_client(self, company_id: str, client_id: str) -> list[Devis]:
        return self._all(self._select(company_id, t.devis.c.client_id == client_id))

    def _order(self) -> tuple:
        return (t.devis.c.created_at, t.devis.c.id)


class SqlAlchemyInterventionRepository(_Repository[Intervention]):
    entity, table, what = Intervention, t.interventions, "intervention"
    c = t.interventions.c  # the columns

    def for_intervenant(self, company_id: str, intervenant_id: str, start: datetime,
                        end: datetime) -> list[Intervention]:
        """Interventions of the intervenant that intersect [start, end), cancelled ones included.

        One that intersects starts before ``end`` and, lasting at most MAX_INTERVENTION (a domain
        rule), after ``start - MAX_INTERVENTION``: both bounds on the planning index, so the scan
        reads a day or two of the intervenant's planning, not all their past interventions (in UTC:
        across a change of time a wall-clock day is 23 or 25 hours)."""
        c = self.c
        statement = _prebuilt((type(self), "for_intervenant"), lambda: self._select(
            bindparam("company_id"), c.intervenant_id == bindparam("intervenant_id"),
            c.starts_at > bindparam("earliest"), c.starts_at < bindparam("end"),
            c.ends_at > bindparam("start")).order_by(*self._order()))
        with conflicts_as_domain_errors(self.session):
            return list(self.session.scalars(statement, {"company_id": company_id, "intervenant_id": intervenant_id,
                                                         "start": start, "end": end,
                                                         "earliest": start.astimezone(UTC) - MAX_INTERVENTION}))

    def for_devis(self, company_id: str, devis_id: str) -> list[Intervention]:
        return self._all(self._select(company_id, self.c.devis_id == devis_id))

    def for_client(self, company_id: str, client_id: str) -> list[Intervention]:
        return self._all(self._select(company_id, self.c.client_id == client_id))

    def done_not_invoiced(self, company_id: str, client_id: str, start: datetime, end: datetime) -> list[Intervention]:
        """Done, not invoiced, starting within [start, end] (both ends included)."""
        return self._all(self._select(company_id, self.c.client_id == client_id, *self._to_invoice(start, end)))

    def clients_with_done_not_invoiced(self, company_id: str, start: datetime, end: datetime,
                                       after: str | None = None, limit: int | None = None) -> list[str]:
        """Ordered by id; a page of them with ``after`` (the last id of the previous page) and ``limit``."""
        c = self.c
        statement = select(c.client_id).distinct().where(c.company_id == company_id, *self._to_invoice(start, end))
        if after is not None:
            statement = statement.where(c.client_id > after)
        return self._ids(statement.order_by(c.client_id).limit(limit))

    def count_clients_with_done_not_invoiced(self, company_id: str, start: datetime, end: datetime) -> int:
        c = self.c
        clients = select(c.client_id).distinct().where(c.company_id == company_id, *self._to_invoice(start, end))
        with conflicts_as_domain_errors(self.session):
            return self.session.scalar(select(func.count()).select_from(clients.subquery())) or 0

    def count_begun_still_planned(self, company_id: str, start: datetime, end: datetime, now: datetime,
                                  client_id: str | None = None) -> int:
        of_client = () if client_id is None else (self.c.client_id == client_id,)
        with conflicts_as_domain_errors(self.session):
            return self.session.scalar(select(func.count()).where(
                self.c.company_id == company_id, *of_client, *self._begun_still_planned(start, end, now))) or 0

    def begun_still_planned(self, company_id: str, start: datetime, end: datetime, now: datetime,
                            limit: int) -> list[Intervention]:
        with conflicts_as_domain_errors(self.session):
            return list(self.session.scalars(self._select(company_id, *self._begun_still_planned(start, end, now))
                                             .order_by(*self._order()).limit(limit)))

    def _begun_still_planned(self, start: datetime, end: datetime, now: datetime) -> tuple:
        c = self.c
        return (c.status == InterventionStatus.PLANNED, c.starts_at >= start, c.starts_at <= min(end, now))

    def _to_invoice(self, start: datetime, end: datetime) -> tuple:
        c = self.c
        return (c.status == InterventionStatus.DONE, c.invoice_id.is_(None), c.starts_at >= start, c.starts_at <= end)

    def _order(self) -> tuple:
        return (self.c.starts_at, self.c.id)


class SqlAlchemyInvoiceRepository(_Repository[Invoice]):
    entity, table, what = Invoice, t.invoices, "facture"

    def remove(self, invoice: Invoice) -> None:
        with conflicts_as_domain_errors(self.session):
            self.session.flush()  # the interventions it released first: nothing refers to it any more
            self.session.delete(invoice)

    def by_number(self, company_id: str, number: str) -> Invoice | None:
        return self._first(self._select(company_id, t.invoices.c.number == number))

    def by_numbers(self, company_id: str, numbers: Iterable[str]) -> list[Invoice]:
        return self._all(self._select(company_id, t.invoices.c.number.in_(list(numbers))), t.invoices.c.number)

    def with_status(self, company_id: str, statuses: Iterable[InvoiceStatus]) -> list[Invoice]:
        return self._all(self._select(company_id, t.invoices.c.status.in_(list(statuses))))

    def for_client(self, company_id: str, client_id: str) -> list[Invoice]:
        return self._all(self._select(company_id, t.invoices.c.client_id == client_id))

    def get_many(self, company_id: str, ids: Iterable[str]) -> list[Invoice]:
        """The company's invoices among ``ids``, with their lines: two queries, whatever their number
        (by id, read through the primary key)."""
        return self._all(self._select(company_id, t.invoices.c.id.in_(list(ids))), t.invoices.c.id)

    def contract_ids(self, company_id: str, period_start: date, period_end: date, status: InvoiceStatus,
                     after: str | None = None, limit: int | None = None) -> list[str]:
        """Ids of the contract invoices of exactly this period in ``status``, ordered by id (pages)."""
        c = t.invoices.c
        statement = select(c.id).where(*self._period(company_id, period_start, period_end), c.status == status)
        if after is not None:
            statement = statement.where(c.id > after)
        return self._ids(statement.order_by(c.id).limit(limit))

    def issued_between(self, company_id: str, first: date, last: date, after: str | None = None,
                       limit: int = 500) -> list[Invoice]:
        c = t.invoices.c
        criteria = [c.number.is_not(None), c.issued_on >= first, c.issued_on <= last]
        if after is not None:
            criteria.append(c.number > after)
        return self._all(self._select(company_id, *criteria).limit(limit), c.number)

    def contract_counts(self, company_id: str, period_start: date, period_end: date) -> dict[InvoiceStatus, int]:
        """How many contract invoices of exactly this period are in each status (absent: none)."""
        c = t.invoices.c
        statement = (select(c.status, func.count()).where(*self._period(company_id, period_start, period_end))
                     .group_by(c.status))
        with conflicts_as_domain_errors(self.session):
            return {status: count for status, count in self.session.execute(statement)}

    @staticmethod
    def _period(company_id: str, period_start: date, period_end: date) -> tuple:
        c = t.invoices.c
        return (c.company_id == company_id, c.source == InvoiceSource.CONTRACT, c.period_start == period_start,
                c.period_end == period_end)

    def _order(self) -> tuple:
        return (t.invoices.c.created_at, t.invoices.c.id)


class SqlAlchemyAttestationRepository(_Repository[Attestation]):
    entity, table, what = Attestation, t.attestations, "attestation"

    def for_client_year(self, company_id: str, client_id: str, year: int) -> Attestation | None:
        """The latest revision (an attestation rectificative replaces the one before)."""
        c = t.attestations.c
        return self._first(self._select(company_id, c.client_id == client_id, c.year == year)
                           .order_by(c.revision.desc()))

    def by_number(self, company_id: str, number: str) -> Attestation | None:
        return self._first(self._select(company_id, t.attestations.c.number == number))

    def for_clients_year(self, company_id: str, client_ids: Iterable[str], year: int) -> list[Attestation]:
        """Every revision, each client's in order: the last one of a client is its current attestation."""
        c = t.attestations.c
        return self._all(self._select(company_id, c.client_id.in_(list(client_ids)), c.year == year),
                         c.client_id, c.revision)

    def _order(self) -> tuple:
        c = t.attestations.c
        return (c.year, c.created_at, c.id)


class SqlAlchemyPaymentAttemptRepository(_Repository[PaymentAttempt]):
    entity, table, what = PaymentAttempt, t.payment_attempts, "tentative de paiement"

    def for_invoice(self, company_id: str, invoice_id: str) -> list[PaymentAttempt]:
        """Oldest first."""
        return self._all(self._select(company_id, t.payment_attempts.c.invoice_id == invoice_id))

    def by_payment_intent(self, payment_intent_id: str) -> PaymentAttempt | None:
        """Across companies: Stripe's PaymentIntent ids are unique (used by the webhook)."""
        c = t.payment_attempts.c
        return self._first(select(PaymentAttempt).where(c.payment_intent_id == payment_intent_id))

    def _order(self) -> tuple:
        c = t.payment_attempts.c
        return (c.invoice_id, c.number)


class SqlAlchemyPaymentRepository(_Repository[Payment]):
    entity, table, what = Payment, t.payments, "paiement"

    def for_client(self, company_id: str, client_id: str) -> list[Payment]:
        return self._all(self._select(company_id, t.payments.c.client_id == client_id))

    def for_invoice(self, company_id: str, invoice_id: str) -> list[Payment]:
        return self._all(self._select(company_id, t.payments.c.invoice_id == invoice_id))

    def for_invoices(self, company_id: str, invoice_ids: Iterable[str]) -> list[Payment]:
        return self._all(self._select(company_id, t.payments.c.invoice_id.in_(list(invoice_ids))))

    def clients_paid_between(self, company_id: str, start: datetime, end: datetime, after: str | None = None,
                             limit: int | None = None) -> list[str]:
        """Clients with a payment received within [start, end), by id; a page with ``after`` and ``limit``."""
        c = t.payments.c
        statement = select(c.client_id).distinct().where(c.company_id == company_id, c.received_at >= start,
                                                         c.received_at < end)
        if after is not None:
            statement = statement.where(c.client_id > after)
        return self._ids(statement.order_by(c.client_id).limit(limit))

    def count_clients_paid_between(self, company_id: str, start: datetime, end: datetime) -> int:
        c = t.payments.c
        clients = select(c.client_id).distinct().where(c.company_id == company_id, c.received_at >= start,
                                                       c.received_at < end)
        with conflicts_as_domain_errors(self.session):
            return self.session.scalar(select(func.count()).select_from(clients.subquery())) or 0

    def for_clients_between(self, company_id: str, client_ids: Iterable[str], start: datetime,
                            end: datetime) -> list[Payment]:
        """The payments of these clients received within [start, end): one query for a whole page."""
        c = t.payments.c
        return self._all(self._select(company_id, c.client_id.in_(list(client_ids)), c.received_at >= start,
                                      c.received_at < end))

    def received_between(self, company_id: str, start: datetime, end: datetime) -> list[Payment]:
        c = t.payments.c
        return self._all(self._select(company_id, c.received_at >= start, c.received_at < end), c.received_at, c.id)

    def _order(self) -> tuple:
        return (t.payments.c.received_at, t.payments.c.id)


class SqlAlchemyCreditNoteRepository(_Repository[CreditNote]):
    entity, table, what = CreditNote, t.credit_notes, "avoir"

    def by_number(self, company_id: str, number: str) -> CreditNote | None:
        return self._first(self._select(company_id, t.credit_notes.c.number == number))

    def for_invoice(self, company_id: str, invoice_id: str) -> list[CreditNote]:
        """Oldest first."""
        return self._all(self._select(company_id, t.credit_notes.c.invoice_id == invoice_id))

    def for_invoices(self, company_id: str, invoice_ids: Iterable[str]) -> list[CreditNote]:
        """The credit notes of any of these invoices, in one query (batches), invoice by invoice: in
        number order alone, SQLite would walk every credit note of the company."""
        c = t.credit_notes.c
        return self._all(self._select(company_id, c.invoice_id.in_(list(invoice_ids))), c.invoice_id, c.number, c.id)

    def refunded_between(self, company_id: str, client_ids: Iterable[str] | None, start: datetime,
                         end: datetime) -> list[CreditNote]:
        c = t.credit_notes.c
        which = [c.client_id.in_(list(client_ids))] if client_ids is not None else []
        return self._all(self._select(company_id, *which, c.refund_status == RefundStatus.SUCCEEDED,
                                      c.refunded_at >= start, c.refunded_at < end), c.client_id, c.number, c.id)

    def issued_between(self, company_id: str, first: date, last: date) -> list[CreditNote]:
        c = t.credit_notes.c
        return self._all(self._select(company_id, c.issued_on >= first, c.issued_on <= last), c.number, c.id)

    def _order(self) -> tuple:
        c = t.credit_notes.c
        return (c.number, c.id)


class SqlAlchemySequenceRepository:
    """Gapless numbers: the row is created if missing, then bumped by one atomic UPDATE … RETURNING.
    The row stays locked until the transaction ends, so a number taken by a transaction that rolls
    back is given again, and numbers follow the order of the commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self, company_id: str, prefix: str, year: int) -> str:
        seq = t.number_sequences
        with conflicts_as_domain_errors(self.session):
            insert_unless_exists(self.session, seq, ("company_id", "prefix", "year"), {
                "id": new_id(), "company_id": company_id, "prefix": prefix, "year": year,
                "last_value": 0, "version": 1,
            })
            value = self.session.execute(
                update(seq)
                .where(seq.c.company_id == company_id, seq.c.prefix == prefix, seq.c.year == year)
                .values(last_value=seq.c.last_value + 1, version=seq.c.version + 1)
                .returning(seq.c.last_value)
            ).scalar_one()
        return f"{prefix}-{year}-{value:06d}"
