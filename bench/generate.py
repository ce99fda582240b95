"""Data for the benchmarks: throwaway databases, and a company with as many clients, interventions,
invoices and payments as asked. Everything goes in through the domain objects and the ORM mapping
(so it stays right when the schema changes), in large chunks per transaction."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.database import make_engine, make_session_factory, normalise_url, upgrade_database
from ogust.domain.address import Address
from ogust.domain.aggregate import new_id
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.invoice import InvoiceSource, InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity, Unit

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
HOME = Address("5 place Bellecour", "69002", "Lyon")
SHOP_ACCOUNT = "acc_bench"
WEBHOOK_SECRET = "bench-webhook-secret-0123456789"
CHUNK = 5000  # objects per transaction


# ---------------------------------------------------------------- databases
def new_database(server: str | None, workdir: Path) -> str:
    """A fresh, migrated database: an SQLite file in ``workdir``, or a database created on the
    PostgreSQL server of ``server`` (its URL)."""
    if not server or make_url(server).get_backend_name() == "sqlite":
        workdir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
    else:
        base = normalise_url(server)
        name = f"ogust_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    return url


def drop_database(url: str) -> None:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


def sessions(url: str) -> sessionmaker:
    return make_session_factory(make_engine(url))


# ---------------------------------------------------------------- the company
@dataclass(frozen=True)
class BenchCompany:
    id: str
    tarif_id: str
    intervenants: tuple[tuple[str, str, str], ...]  # (id, matricule, full name)


def company(factory: sessionmaker, intervenants: int = 20) -> BenchCompany:
    """The company, linked to the shop account ``acc_bench``, a tarif mapped to ``svc_menage``
    (27,50 € TTC an hour, as the reference shop sells it) and intervenants offering it."""
    made = Company(name="Aide & Vous Services", address=Address("12 rue des Lilas", "69003", "Lyon"),
                   siret="73282932000074", sap_declaration_number="SAP123456789",
                   sap_declaration_date=date(2021, 3, 1), email="contact@aide-et-vous.example")
    made.link_shop(SHOP_ACCOUNT, WEBHOOK_SECRET)
    tarif = Tarif(made.id, "MEN", "Ménage", Unit.HOUR, Money(2500), VatRate.INTERMEDIATE_10)
    people = [Intervenant(made.id, f"Prénom{n}", f"Intervenant{n:03d}", f"M{n:03d}", email=f"m{n}@example.fr",
                          profile=ShopProfile("", ("svc_menage",), ("69002",), ("repassage",)))
              for n in range(intervenants)]
    with factory() as session:
        session.add_all([made, tarif, ShopServiceMapping(made.id, "svc_menage", "Ménage", tarif.id), *people])
        session.commit()
    return BenchCompany(made.id, tarif.id, tuple((p.id, p.matricule, p.full_name) for p in people))


def _chunks(objects: Iterable[object], factory: sessionmaker) -> None:
    """Saved about CHUNK at a time; a list is a group that references itself: never split."""
    batch: list[object] = []
    for obj in objects:
        if isinstance(obj, list):
            batch.extend(obj)
        else:
            batch.append(obj)
        if len(batch) >= CHUNK:
            _save(factory, batch)
            batch = []
    if batch:
        _save(factory, batch)


def _save(factory: sessionmaker, batch: list[object]) -> None:
    with factory() as session:
        session: Session
        session.add_all(batch)
        session.commit()


def clients(factory: sessionmaker, company_: BenchCompany, count: int, cards: bool = True,
            prefix: str = "Client") -> list[str]:
    ids: list[str] = []

    def made() -> Iterator[Client]:
        for n in range(count):
            client = Client(company_.id, f"Prénom{n}", f"{prefix}{n:06d}", f"{prefix.lower()}{n}@example.fr", HOME,
                            phone="04 78 00 00 00")
            if cards:
                client.save_payment_method(f"cus_bench{n}", f"pm_bench{n}")
            ids.append(client.id)
            yield client

    _chunks(made(), factory)
    return ids


# ---------------------------------------------------------------- the planning
Staff = tuple[str, str, str]  # (id, matricule, full name)
DAY_FROM, DAY_TO = 8, 20  # visits between 08:00 and 20:00, Paris time


class Rota:
    """Slots for the company's interventions that never overlap an intervenant's others (the database
    refuses that, migration 0015): each intervenant's month is filled visit after visit, 08:00–20:00;
    client ``n`` goes to intervenant ``n`` (modulo the staff), else to the next one with room left that
    month; when nobody has, the company hires one more, as a company of that size would employ."""

    def __init__(self, factory: sessionmaker, company_: BenchCompany) -> None:
        self.factory, self.company = factory, company_
        self.staff: list[Staff] = list(company_.intervenants)
        self.next_free: dict[tuple[str, int, int], datetime] = {}
        self.full: set[tuple[str, int, int]] = set()

    def slot(self, n: int, year: int, month: int, minutes: int) -> tuple[Staff, datetime]:
        for offset in range(len(self.staff)):
            who = self.staff[(n + offset) % len(self.staff)]
            start = self._fit(who[0], year, month, minutes)
            if start is not None:
                return who, start
        who = self._hire()
        start = self._fit(who[0], year, month, minutes)
        assert start is not None, "a visit longer than a working day"
        return who, start

    def _fit(self, who: str, year: int, month: int, minutes: int) -> datetime | None:
        key = (who, year, month)
        if key in self.full:
            return None
        start = self.next_free.get(key) or datetime(year, month, 1, DAY_FROM, tzinfo=PARIS)
        while start + timedelta(minutes=minutes) > start.replace(hour=DAY_TO, minute=0):
            start = (start + timedelta(days=1)).replace(hour=DAY_FROM, minute=0)
        if start.month != month:
            self.full.add(key)
            return None
        self.next_free[key] = start + timedelta(minutes=minutes)
        return start

    def _hire(self) -> Staff:
        n = len(self.staff)
        hired = Intervenant(self.company.id, f"Prénom{n}", f"Intervenant{n:03d}", f"M{n:03d}",
                            email=f"m{n}@example.fr", profile=ShopProfile("", ("svc_menage",), ("69002",), ()))
        _save(self.factory, [hired])
        self.staff.append((hired.id, hired.matricule, hired.full_name))
        return self.staff[-1]


# ---------------------------------------------------------------- month end
def month_end(factory: sessionmaker, company_: BenchCompany, client_ids: list[str], year: int, month: int,
              per_client: int = 1) -> None:
    """``per_client`` done, not yet invoiced interventions of the month for each client."""
    rota = Rota(factory, company_)

    def made() -> Iterator[Intervention]:
        for n, client_id in enumerate(client_ids):
            for _ in range(per_client):
                (who, _, _), start = rota.slot(n, year, month, 120)
                yield Intervention(company_.id, client_id, who, company_.tarif_id, start, start + timedelta(hours=2),
                                   HOME, status=InterventionStatus.DONE)

    _chunks(made(), factory)


# ---------------------------------------------------------------- a year, paid
def paid_year(factory: sessionmaker, company_: BenchCompany, client_ids: list[str], year: int,
              interventions_per_client: int = 50) -> int:
    """For each client, ``interventions_per_client`` done interventions spread over the year,
    invoiced month by month (one contract invoice a month) and paid by card within the month.
    Rows go in through SQLAlchemy Core, many per statement: the ORM would take minutes for a
    million rows. Money is computed by the domain's own rules. Returns how many rows were written."""
    price = Money(2500)
    rate = VatRate.INTERMEDIATE_10
    rows = {"interventions": [], "invoices": [], "invoice_lines": [], "payments": []}
    written = 0
    number = 0

    def flush() -> None:
        nonlocal written
        with factory() as session:
            for name in ("invoices", "interventions", "invoice_lines", "payments"):
                if rows[name]:
                    session.execute(t.metadata.tables[name].insert(), rows[name])
                    written += len(rows[name])
                    rows[name].clear()
            session.commit()

    rota = Rota(factory, company_)
    for n, client_id in enumerate(client_ids):
        by_month: dict[int, list[tuple[str, datetime, int, Staff]]] = {}
        for k in range(interventions_per_client):
            month = 1 + k * 12 // interventions_per_client
            minutes = 90 + 30 * (k % 3)
            who, start = rota.slot(n, year, month, minutes)
            by_month.setdefault(month, []).append((new_id(), start, minutes, who))
        for month, done in sorted(by_month.items()):
            number += 1
            invoice_id = new_id()
            first = date(year, month, 1)
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            paid_at = datetime(year, month, 28, 10, 0, tzinfo=UTC)
            total = Money(0)
            for position, (intervention_id, start, minutes, (who_id, matricule, name)) in enumerate(done):
                amount_ht = Quantity(minutes, Unit.HOUR).price(price)
                total = total + amount_ht + rate.tax_on(amount_ht)
                rows["interventions"].append({
                    "id": intervention_id, "version": 1, "company_id": company_.id, "client_id": client_id,
                    "intervenant_id": who_id, "tarif_id": company_.tarif_id, "starts_at": start,
                    "ends_at": start + timedelta(minutes=minutes), "address_street": HOME.street,
                    "address_postal_code": HOME.postal_code, "address_city": HOME.city,
                    "address_country": HOME.country, "devis_id": None, "status": InterventionStatus.DONE,
                    "invoice_id": invoice_id})
                rows["invoice_lines"].append({
                    "id": new_id(), "invoice_id": invoice_id, "position": position, "tarif_id": company_.tarif_id,
                    "label": "Ménage", "quantity_value": minutes, "quantity_unit": Unit.HOUR,
                    "unit_price_ht_cents": price.cents, "currency": "EUR", "vat_rate": rate,
                    "intervention_id": intervention_id, "performed_on": start.date(),
                    "intervenant_matricule": matricule, "intervenant_name": name, "tax_credit_eligible": True})
            rows["invoices"].append({
                "id": invoice_id, "version": 1, "company_id": company_.id, "client_id": client_id,
                "source": InvoiceSource.CONTRACT, "devis_id": None, "period_start": first, "period_end": last,
                "created_at": datetime(year, month, 28, 8, 0, tzinfo=UTC), "number": f"FA-{year}-{number:06d}",
                "issued_on": last, "due_on": last, "status": InvoiceStatus.PAID, "paid_at": paid_at,
                "payment_reference": f"pi_{number}", "payment_failure": None})
            rows["payments"].append({
                "id": new_id(), "version": 1, "company_id": company_.id, "invoice_id": invoice_id,
                "client_id": client_id, "amount_cents": total.cents, "currency": "EUR", "received_at": paid_at,
                "method": PaymentMethod.CARD, "reference": f"pi_{number}"})
        if len(rows["invoice_lines"]) >= 20 * CHUNK:
            flush()
    flush()
    return written


def shop_people(factory: sessionmaker, company_: BenchCompany, count: int) -> list[str]:
    """Clients never sent to the shop (the intervenants of ``company`` are not either)."""
    return clients(factory, company_, count, cards=False, prefix="Export")
