"""ogust deployed as the README's « Deployment » section says, for the race tests: one PostgreSQL
database, TWO API processes (``ogust serve``, no worker inside) and TWO ``ogust worker`` processes,
all configured by OGUST_* variables; a company linked to a shop account, its tarif mapped, three
intervenants and an operator's API key. The test process arranges data through its own container
and races the API from sender processes (``senders.py``)."""
from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from ogust.adapters.persistence.tables import invoices
from ogust.application import commands as c
from ogust.application.periods import month_period
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.intervenant import ShopProfile
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.container import Container
from ogust.entrypoints.settings import Settings
from ogust_shop.webhook import signature
from tests.integration.races.senders import Answer, Call
from tests.support.access import api_key
from tests.support.localstripe import LocalStripe
from tests.support.processes import ogust_env, start_ogust
from tests.support.shop_server import free_port

HOME = Address("12 rue des Lilas", "69003", "Lyon")
TARIF_CODE = "MEN"
PRICE_TTC_CENTS = 2750  # 25,00 € HT + 10 % VAT, per hour
WEBHOOK_SECRET = "races-webhook-secret-0123456789abcdef"


@dataclass
class OgustProcess:
    """One ``ogust`` process of the deployment, its output in a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log[-3000:]}")

    def stop(self) -> int | None:
        """SIGTERM (the worker finishes its round, uvicorn its requests), SIGKILL after 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


@dataclass
class Deployment:
    apis: list[str]  # the API processes' base URLs
    processes: list[OgustProcess]
    env: dict[str, str]
    log_dir: Path

    def stop(self) -> None:
        """SIGTERM to every process at once, then wait for each (SIGKILL after 20 s)."""
        for process in self.processes:
            if process.process.poll() is None:
                process.process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.stop()

    def tracebacks(self) -> dict[str, str]:
        """Each process whose log shows a traceback: the log's end."""
        return {p.name: p.log[-4000:] for p in self.processes if "Traceback" in p.log}


def deploy(settings: Settings, log_dir: Path, apis: int = 2, workers: int = 2,
           timeout: float = 90.0) -> Deployment:
    """Start the API and worker processes and wait until every one is up."""
    env = ogust_env(settings, RUN_WORKER="false", PYTHONUNBUFFERED="1")
    processes: list[OgustProcess] = []
    urls: list[str] = []
    try:
        for n in range(workers):
            log = log_dir / f"worker-{n + 1}.log"
            processes.append(OgustProcess(f"worker-{n + 1}", start_ogust(["worker"], env, log), log))
        for n in range(apis):
            port = free_port()
            log = log_dir / f"api-{n + 1}.log"
            processes.append(OgustProcess(f"api-{n + 1} (:{port})", start_ogust(
                ["serve", "--host", "127.0.0.1", "--port", str(port)], env, log), log))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + timeout
        waiting = list(zip(processes, [None] * workers + urls, strict=True))
        while waiting:
            for process, url in list(waiting):
                process.alive()
                if _up(process, url):
                    waiting.remove((process, url))
            if time.monotonic() > deadline:
                raise AssertionError(f"not up within {timeout} s: {[p.name for p, _ in waiting]}\n"
                                     + "\n".join(p.log[-1500:] for p, _ in waiting))
            time.sleep(0.1)
    except BaseException:
        Deployment(urls, processes, env, log_dir).stop()
        raise
    return Deployment(urls, processes, env, log_dir)


def _up(process: OgustProcess, url: str | None) -> bool:
    if url is None:
        return "démarré" in process.log
    try:
        return httpx.get(f"{url}/health", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass(frozen=True)
class Buyer:
    """A customer of the shop, as its orders describe them."""

    shop_client_id: str
    email: str
    first_name: str = "Jeanne"
    last_name: str = "Martin"

    @classmethod
    def new(cls, first_name: str = "Jeanne") -> Buyer:
        tag = uuid.uuid4().hex[:10]
        return cls(f"cli_{tag}", f"{first_name.lower()}.{tag}@example.fr", first_name)

    def as_customer(self) -> dict[str, Any]:
        return {"shop_client_id": self.shop_client_id, "email": self.email, "first_name": self.first_name,
                "last_name": self.last_name,
                "address": {"street": HOME.street, "postal_code": HOME.postal_code, "city": HOME.city}}


@dataclass
class RaceOffice:
    """The company under race, and every answer its races got (for the final check)."""

    container: Container
    settings: Settings
    company_id: str
    shop_account: str
    key: str
    tarif_id: str
    intervenants: dict[str, str]  # matricule → id
    stripe: LocalStripe
    deployment: Deployment
    answers: list[Answer] = field(default_factory=list)

    # ------------------------------------------------------------ calls
    def api(self, n: int) -> str:
        """The API process for sender ``n`` of a round: the two racers of a round reach different processes."""
        return self.deployment.apis[n % len(self.deployment.apis)]

    def operator(self, label: str, n: int, method: str, path: str, body: object | None = None,
                 delay: float = 0.0, key: str | None = None) -> Call:
        """An operator's call (``key``: another key than the operator's, for a hostile one)."""
        headers = {"Authorization": f"Bearer {key or self.key}"}
        raw = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            raw = json.dumps(body).encode()
        return Call(label, method, f"{self.api(n)}/api{path}", headers, raw, delay)

    def order(self, label: str, n: int, order_id: str, buyer: Buyer, items: Iterable[tuple[str, Any, Any]],
              price_cents: int = PRICE_TTC_CENTS, secret: str = WEBHOOK_SECRET, delay: float = 0.0,
              sent_at: int | None = None) -> Call:
        """A signed order from the shop: ``items`` as (intervenant id, start, end)."""
        body = {"order_id": order_id, "account_id": self.shop_account, "customer": buyer.as_customer(),
                "items": [{"service_id": "svc_menage", "intervenant_id": who, "start": start.isoformat(),
                           "end": end.isoformat(), "unit_price_ttc_cents": price_cents}
                          for who, start, end in items]}
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(time.time()) if sent_at is None else sent_at
        headers = {"Content-Type": "application/json", "X-Ogust-Timestamp": str(timestamp),
                   "X-Ogust-Signature": signature(secret, timestamp, raw)}
        return Call(label, "POST", f"{self.api(n)}/api/shop/orders", headers, raw, delay)

    def process_of(self, answer: Answer) -> str:
        """Which API process answered (by its address)."""
        return next(f"api-{n + 1}" for n, url in enumerate(self.deployment.apis) if answer.url.startswith(url))

    def record(self, answers: list[Answer]) -> list[Answer]:
        self.answers.extend(answers)
        return answers

    # ------------------------------------------------------------ arranging (in this process)
    def client(self, card: bool = False, first_name: str = "Jeanne") -> Client:
        """A client of the company, with a card saved at ordering on localstripe if ``card``."""
        email = f"{first_name.lower()}.{uuid.uuid4().hex[:10]}@example.fr"
        client = self.container.create_client()(c.CreateClient(self.company_id, first_name, "Martin", email, HOME))
        if card:
            customer, method = self.stripe.create_customer_with_card("4242424242424242", email)
            with self.container.uow() as uow:
                uow.clients.get(self.company_id, client.id).save_payment_method(customer, method)
                uow.commit()
        return client

    def draft(self, client: Client, minutes: int = 120, on: date | None = None) -> str:
        """A draft manual invoice: ``minutes`` of ménage by M001 (2 h: 55,00 € TTC)."""
        line = c.ManualInvoiceLine(TARIF_CODE, minutes, on or date.today(), self.intervenants["M001"])
        return self.container.manual_invoice()(c.ManualInvoice(self.company_id, client.id, (line,))).id

    def validated(self, client: Client, minutes: int = 120) -> str:
        invoice_id = self.draft(client, minutes)
        self.container.validate_invoice()(c.ValidateInvoice(self.company_id, invoice_id))
        return invoice_id

    def done(self, client: Client, start: datetime, hours: int = 2, matricule: str = "M002") -> str:
        """An intervention of the past, declared done (to be invoiced at the month's end)."""
        intervention = Intervention(self.company_id, client.id, self.intervenants[matricule], self.tarif_id, start,
                                    start + timedelta(hours=hours), HOME, status=InterventionStatus.DONE)
        with self.container.uow() as uow:
            uow.interventions.add(intervention)
            uow.commit()
        return intervention.id

    def contract_draft(self, client: Client, year: int, month: int) -> str:
        first, last = month_period(year, month)
        return self.container.contract_invoice()(c.ContractInvoice(self.company_id, client.id, first, last)).id

    def invoices_of(self, clients: list[Client]) -> Callable[[], list[str]]:
        """A cheap look, to poll: the ids of the clients' invoices."""
        ids = [client.id for client in clients]

        def look() -> list[str]:
            with self.container.engine().connect() as connection:
                return list(connection.execute(select(invoices.c.id).where(
                    invoices.c.company_id == self.company_id, invoices.c.client_id.in_(ids))).scalars())

        return look

    def start_month_end(self, year: int, month: int, log: Path) -> subprocess.Popen[bytes]:
        """``ogust --queue-only invoice run --month`` as an operator starts it beside the workers."""
        return start_ogust(["--queue-only", "invoice", "run", "--month", f"{year}-{month:02d}", "--json"],
                           self.deployment.env, log)

    # ------------------------------------------------------------ waiting
    def effects_settled(self, timeout: float = 90.0) -> dict[str, int]:
        """Wait until the workers have nothing pending nor under way for the company (a job backed off
        after a collision comes due again within seconds); the outbox's counts."""
        deadline = time.monotonic() + timeout
        while True:
            counts = self.container.queries().outbox_counts(self.company_id)
            if counts.get("pending", 0) + counts.get("processing", 0) == 0:
                return counts
            for process in self.deployment.processes:
                process.alive()
            if time.monotonic() > deadline:
                raise AssertionError(f"the workers did not settle within {timeout} s: {counts}")
            time.sleep(0.2)


def set_up_company(container: Container, settings: Settings, shop_account: str, stripe: LocalStripe,
                   deployment_of: Any) -> RaceOffice:
    """The company, its tarif mapped to the shop's ménage, three intervenants who offer it, an
    operator key; then the processes, which read the company from OGUST_COMPANY_ID."""
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", HOME, "73282932000074", "SAP123456789", date(2021, 3, 1),
        "contact@aide-et-vous.example"))
    tarif = container.create_tarif()(c.CreateTarif(company.id, TARIF_CODE, "Ménage", Unit.HOUR, Money(2500),
                                                   VatRate.INTERMEDIATE_10))
    container.link_shop()(c.LinkShopAccount(company.id, shop_account, WEBHOOK_SECRET))
    container.map_service()(c.MapShopService(company.id, "svc_menage", TARIF_CODE))
    profile = ShopProfile("", ("svc_menage",), ("69003",), ())
    intervenants = {
        matricule: container.create_intervenant()(c.CreateIntervenant(company.id, first, last, matricule,
                                                                       profile=profile)).id
        for matricule, first, last in (("M001", "Marie", "Curie"), ("M002", "Paul", "Martin"),
                                       ("M003", "Louise", "Michel"))
    }
    settings = replace(settings, company_id=company.id)
    return RaceOffice(container, settings, company.id, shop_account, api_key(container, company.id, name="races"),
                      tarif.id, intervenants, stripe, deployment_of(settings))
