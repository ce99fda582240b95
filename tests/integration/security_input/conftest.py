"""ogust's API in process (ASGI) on an SQLite file of the test's own, with one company and a little data,
no shop and no worker: what bad input can reach, and what it must never break."""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.adapters.persistence.database import upgrade_database
from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit
from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.api.body_limit import BodySizeLimit
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.fakes import FakeShopApi

STRIPE_SECRET = "sk_test_ogust_secret_never_shown_123456"
WEBHOOK_SECRET = "whsec_ogust_never_shown_0123456789"
MAX_BODY = 256 * 1024
SERVICES = [ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR)]


def offline_settings(database_url: str, var_dir: Path) -> Settings:
    """No shop, no SMTP (emails go to files), Stripe on a port where nobody answers."""
    return Settings(
        var_dir=var_dir, database_url=database_url, base_url="http://testserver",
        secret_key="test-secret-key-0123456789", company_id=None, shop_url=None, shop_api_key="",
        stripe_api_key=STRIPE_SECRET, stripe_api_base="http://127.0.0.1:9", stripe_webhook_secret=WEBHOOK_SECRET,
        smtp_host=None, smtp_port=25, smtp_username=None, smtp_password=None, smtp_starttls=False,
        mail_sender="Aide & Vous <factures@aide-et-vous.example>", mail_dir=var_dir / "mail",
        run_worker_in_api=False,
    )


@dataclass
class OfflineApi:
    container: Container
    company_id: str
    client_id: str
    intervenant_id: str
    invoice_id: str
    app: object  # the ASGI app, with the body size limit in front
    shop: FakeShopApi
    gateway: FakePaymentGateway


SERVED_ON = date(2026, 4, 6)  # the day of the services the tests invoice by hand


@pytest.fixture
def offline_api(tmp_path: Path) -> Iterator[OfflineApi]:
    url = f"sqlite:///{tmp_path / 'ogust.db'}"
    upgrade_database(url)
    yield from offline_api_on(url, tmp_path / "var")


def offline_api_on(url: str, var_dir: Path) -> Iterator[OfflineApi]:
    """The same, in a company of its own on a migrated database (the session's, for both backends)."""
    container = build_container(offline_settings(url, var_dir))
    shop, gateway = FakeShopApi(services=SERVICES), FakePaymentGateway(any_card_usable=True)
    container.shop.override(providers.Object(shop))
    container.payments.override(providers.Object(gateway))
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    container.create_tarif()(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                           VatRate.INTERMEDIATE_10))
    intervenant = container.create_intervenant()(c.CreateIntervenant(company.id, "Marie", "Curie", "M001",
                                                                      "marie@example.fr", "06 12 34 56 78"))
    client = container.create_client()(c.CreateClient(company.id, "Jean", "Dupont", "jean.dupont@example.fr",
                                                      Address("3 rue Haute", "69003", "Lyon"), "04 78 00 00 00"))
    invoice = container.manual_invoice()(c.ManualInvoice(company.id, client.id,
                                                         (c.ManualInvoiceLine("MEN", 90, SERVED_ON, intervenant.id),)))
    app = create_app(container, run_worker=False)
    assert any(getattr(m, "cls", None) is BodySizeLimit for m in app.user_middleware)  # the product's own limit
    yield OfflineApi(container, company.id, client.id, intervenant.id, invoice.id, app, shop, gateway)
    container.engine().dispose()


def headers_for(container: Container, company_id: str) -> dict[str, str]:
    """``Authorization: Bearer <operator key>``: made by the API keys' test helper (tests.support.access,
    or tests.support.api_keys), else by the container's ``api_keys``; no header where keys do not exist."""
    for name in ("tests.support.api_keys", "tests.support.access"):
        try:
            helper = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(helper, "api_key") and hasattr(helper, "bearer"):
            return helper.bearer(helper.api_key(container, company_id, "operator"))
    keys = getattr(container, "api_keys", None)
    if keys is None:
        return {}
    return {"Authorization": f"Bearer {keys().create(company_id, 'tests', ('operator',)).token}"}


@pytest.fixture
def api_headers(offline_api: OfflineApi) -> dict[str, str]:
    return headers_for(offline_api.container, offline_api.company_id)


@pytest.fixture
def http(offline_api: OfflineApi, api_headers: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(offline_api.app, raise_server_exceptions=False, headers=api_headers) as client:
        yield client
