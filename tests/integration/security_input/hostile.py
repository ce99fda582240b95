"""Hostile requests, sent straight to ogust's ASGI app (no HTTP client in between to tidy them up: raw
NUL bytes in the path, headers that httpx would refuse, bodies that are not UTF-8), on the session's
database (SQLite, and PostgreSQL when OGUST_TEST_DATABASE_URL is set), and what they may answer."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from dependency_injector import providers
from sqlalchemy import func, select

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.adapters.persistence import tables as t
from ogust.adapters.shop.signing import sign
from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.container import Container, build_container
from tests.fakes import FakeShopApi
from tests.integration.security_input.conftest import SERVICES, WEBHOOK_SECRET, offline_settings
from tests.support.access import api_key

PROBLEM = "application/problem+json"
ADDRESS = {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Target:
    """ogust in process on the session's database: a company of its own with a client, an intervenant,
    a tarif, a draft invoice and a linked shop account."""
    container: Container
    app: object
    company_id: str
    client_id: str
    intervenant_id: str
    invoice_id: str
    shop_account_id: str
    shop_secret: str
    authorization: bytes
    tarif_id: str = ""
    refs: dict[str, str] = field(default_factory=dict)
    path_values: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, raw_path: bytes, query: bytes = b"", body: bytes = b"",
             headers: list[tuple[bytes, bytes]] | None = None, authorized: bool = True,
             content_type: bytes | None = b"application/json", chunked: bool = False) -> Answer:
        sent = list(headers or [])
        names = {name.lower() for name, _ in sent}
        if authorized and b"authorization" not in names:
            sent.append((b"authorization", self.authorization))
        if content_type is not None and b"content-type" not in names:
            sent.append((b"content-type", content_type))
        if not chunked:
            sent.append((b"content-length", str(len(body)).encode()))
        return asyncio.run(_call(self.app, method, raw_path, query, sent, body))

    def order_headers(self, body: bytes, account: str | None = None) -> list[tuple[bytes, bytes]]:
        """The shop's signature of ``body`` (and the account it is signed for)."""
        stamp = int(time.time())
        return [(b"x-ogust-timestamp", str(stamp).encode()),
                (b"x-ogust-signature", sign(self.shop_secret, stamp, body).encode()),
                (b"x-ogust-account", (account or self.shop_account_id).encode())]

    def rows(self) -> dict[str, int]:
        """How many rows each table holds (the whole database: nothing may be written anywhere)."""
        with self.container.engine().connect() as connection:
            return {table.name: connection.scalar(select(func.count()).select_from(table))
                    for table in t.metadata.sorted_tables}


def stripe_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    stamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return [(b"stripe-signature", f"t={stamp},v1={digest}".encode())]


async def _call(app, method: str, raw_path: bytes, query: bytes, headers: list[tuple[bytes, bytes]],
                body: bytes) -> Answer:
    # as uvicorn builds it: the path percent-decoded (invalid UTF-8 replaced), the raw bytes kept
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": unquote(raw_path.decode("latin-1")), "raw_path": raw_path,
             "root_path": "", "query_string": query, "headers": [(k.lower(), v) for k, v in headers],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {}}
    chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)] or [b""]
    messages = [{"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
                for i, chunk in enumerate(chunks)]
    start: dict = {}
    parts: list[bytes] = []

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # the client waits for the answer
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    try:
        await app(scope, receive, send)
    except Exception as error:  # noqa: BLE001 - what a server would turn into a 500
        return Answer(500, {}, repr(error).encode())
    headers_out = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
    return Answer(start.get("status", 500), headers_out, b"".join(parts))


def build_target(database_url: str, var_dir: Path) -> Iterator[Target]:
    container = build_container(offline_settings(database_url, var_dir))
    container.shop.override(providers.Object(FakeShopApi(services=list(SERVICES))))
    container.payments.override(providers.Object(FakePaymentGateway(any_card_usable=True)))
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    tarif = container.create_tarif()(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                                   VatRate.INTERMEDIATE_10))
    account, secret = f"acc_{uuid.uuid4().hex[:12]}", f"secret-{uuid.uuid4().hex}"
    with container.uow() as uow:
        uow.companies.get(company.id).link_shop(account, secret)
        uow.commit()
    marie = container.create_intervenant()(c.CreateIntervenant(company.id, "Marie", "Curie", "M001",
                                                                "marie@example.fr", "06 12 34 56 78"))
    jean = container.create_client()(c.CreateClient(company.id, "Jean", "Dupont", "jean.dupont@example.fr",
                                                    Address("3 rue Haute", "69003", "Lyon"), "04 78 00 00 00"))
    invoice = container.manual_invoice()(c.ManualInvoice(company.id, jean.id, (
        c.ManualInvoiceLine("MEN", 90, date(2026, 4, 6), marie.id),)))
    key = api_key(container, company.id, "operator")
    target = Target(container, create_app(container, run_worker=False), company.id, jean.id, marie.id, invoice.id,
                    account, secret, f"Bearer {key}".encode())
    target.tarif_id = tarif.id
    target.path_values = {"client_id": jean.id, "intervenant_id": marie.id, "invoice_id": invoice.id,
                          "invoice_ref": invoice.id, "ref": invoice.id, "kind": "clients"}
    # a ``{ref}`` names the record of its resource (an id, a number, a matricule or an email)
    target.refs = {"/api/clients/": jean.id, "/api/intervenants/": marie.id, "/api/invoices/": invoice.id}
    yield target
    container.engine().dispose()


def valid_bodies(target: Target) -> dict[str, dict]:
    """A body each operation would take (``METHOD /path`` as in the OpenAPI document)."""
    order = {"order_id": f"cmd-{uuid.uuid4().hex[:8]}", "account_id": target.shop_account_id,
             "customer": {"shop_client_id": "cli-1", "email": "lea@example.fr", "first_name": "Léa",
                          "last_name": "Martin", "phone": "06 12 34 56 78", "address": ADDRESS},
             "payment": {"stripe_customer_id": "cus_lea", "stripe_payment_method_id": "pm_lea"},
             "items": [{"service_id": "svc_menage", "intervenant_id": target.intervenant_id,
                        "start": "2030-01-07T09:00:00+01:00", "end": "2030-01-07T11:00:00+01:00",
                        "unit_price_ttc_cents": 2750}]}
    profile = {"presentation": "Bonjour", "services": ["svc_menage"], "zones": ["69003"], "skills": ["repassage"]}
    return {
        "POST /api/companies": {"name": "Autre", "address": ADDRESS, "siret": "73282932000074",
                                "sap_declaration_number": "SAP1", "sap_declaration_date": "2021-03-01",
                                "email": "autre@example.fr"},
        "POST /api/tarifs": {"code": "JAR", "label": "Jardinage", "unit": "hour", "price_ht_cents": 3000,
                             "vat_rate": "20"},
        "POST /api/shop/link": {"shop_account_id": "acc_autre", "webhook_secret": "s" * 32, "api_key": "k" * 16},
        "POST /api/shop/mappings": {"shop_service_id": "svc_menage", "tarif_code": "MEN"},
        "POST /api/intervenants": {"first_name": "Ada", "last_name": "Lovelace", "matricule": "M9",
                                   "email": "ada@example.fr", "phone": "06 12 34 56 78", "profile": profile},
        "PATCH /api/intervenants/{ref}": {"first_name": "Marie", "email": "m@example.fr",
                                                     "phone": "06 12 34 56 79", "profile": profile},
        "POST /api/clients": {"first_name": "Zoé", "last_name": "Lefèvre", "email": "zoe@example.fr",
                              "address": ADDRESS, "phone": "06 12 34 56 78"},
        "PATCH /api/clients/{ref}": {"first_name": "Jeanne", "email": "jeanne@example.fr",
                                           "phone": "06 12 34 56 77", "address": ADDRESS},
        "POST /api/shop/export": {"ids": [target.client_id]},
        "POST /api/shop/orders": order,
        "POST /api/interventions": {"client_id": target.client_id, "intervenant_id": target.intervenant_id,
                                    "tarif_id": target.tarif_id, "start": "2030-01-08T09:00:00+01:00",
                                    "end": "2030-01-08T11:00:00+01:00"},
        "POST /api/invoices/from-devis": {"devis_id": "devis-inconnu"},
        "POST /api/invoices/manual": {"client_id": target.client_id, "lines": [
            {"tarif_code": "MEN", "quantity": 60, "performed_on": "2026-04-06",
             "intervenant_id": target.intervenant_id, "label": "Ménage"}]},
        "POST /api/invoices/contract": {"client_id": target.client_id, "period_start": "2026-04-01",
                                        "period_end": "2026-04-30"},
        "POST /api/invoices/{ref}/payments": {"method": "cheque", "received_on": "2026-04-10",
                                                      "reference": "1234567"},
        "POST /api/attestations": {"client_id": target.client_id, "year": 2026},
        "POST /api/attestations/batch": {"year": 2026},
        "POST /api/month-end": {"month": "2026-04", "concurrency": 2, "rate": 5},
        "POST /api/invoices/{ref}/credit-notes": {"reason": "Geste commercial", "amount_cents": 100},
        "POST /api/credit-notes/{ref}/refund": {"method": "cheque", "refunded_on": "2026-04-10", "reference": "1"},
        "POST /api/stripe/webhook": {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                                     "data": {"object": {"object": "payment_intent", "id": "pi_1",
                                                         "metadata": {"idempotency_key": "k"}}}},
    }


def leaves(value, path: tuple = ()) -> Iterator[tuple]:
    """The path of every string and number inside ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield path


def replaced(value, path: tuple, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy
