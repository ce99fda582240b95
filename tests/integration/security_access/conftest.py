"""Two companies in one installation (the session's database), each with its keys, a client, an
invoice and a shop account; ogust's API in process (TestClient), wired to the session's real parts."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import pytest
from fastapi.testclient import TestClient

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.support.access import api_key, bearer
from tests.support.localstripe import CARD_SUCCEEDS, LocalStripe
from tests.support.shop_server import RunningShop


@dataclass
class Tenant:
    company_id: str
    shop_account_id: str
    webhook_secret: str
    client_id: str
    invoice_id: str
    intervenant_id: str
    operator: dict[str, str]  # Authorization headers of an operator key
    reader: dict[str, str]
    shop: dict[str, str]


@pytest.fixture
def shop_key() -> str:
    return f"key-{uuid.uuid4().hex}"


@pytest.fixture
def container(platform_settings: Settings, shop_key: str) -> Iterator[Container]:
    built = build_container(replace(platform_settings, shop_api_key=shop_key))
    yield built
    built.engine().dispose()


@pytest.fixture
def api(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container, run_worker=False)) as client:
        yield client


def make_tenant(container: Container, shop_server: RunningShop, localstripe: LocalStripe, shop_key: str,
                name: str) -> Tenant:
    account = f"acc_{uuid.uuid4().hex[:10]}"
    shop_server.admin.create_account(account, api_key=shop_key)
    company = container.create_company()(c.CreateCompany(
        name, Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789", date(2021, 3, 1),
        "contact@example.fr"))
    container.create_tarif()(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                           VatRate.INTERMEDIATE_10))
    secret = f"secret-{uuid.uuid4().hex}"
    with container.uow() as uow:  # linked directly: the container's shop adapter opens only A's account
        uow.companies.get(company.id).link_shop(account, secret)
        uow.commit()
    email = f"claire.{uuid.uuid4().hex[:8]}@example.fr"
    client = container.create_client()(c.CreateClient(company.id, "Claire", "Dubois", email,
                                                      Address("5 place Bellecour", "69002", "Lyon")))
    customer, method = localstripe.create_customer_with_card(CARD_SUCCEEDS, email)
    with container.uow() as uow:
        uow.clients.get(company.id, client.id).save_payment_method(customer, method)
        uow.commit()
    marie = container.create_intervenant()(c.CreateIntervenant(company.id, "Marie", "Curie", "M001", "", ""))
    invoice = container.manual_invoice()(c.ManualInvoice(company.id, client.id, (
        c.ManualInvoiceLine("MEN", 120, date(2026, 4, 6), marie.id),)))
    return Tenant(company.id, account, secret, client.id, invoice.id, marie.id,
                  bearer(api_key(container, company.id, "operator")), bearer(api_key(container, company.id, "read")),
                  bearer(api_key(container, company.id, "shop")))


@pytest.fixture
def tenants(container: Container, shop_server: RunningShop, localstripe_server: LocalStripe,
            shop_key: str) -> tuple[Tenant, Tenant]:
    """Company A and company B. Both shop accounts open with the same shop key: ogust's shop adapter
    holds one key; the tests here never need B's shop."""
    a = make_tenant(container, shop_server, localstripe_server, shop_key, "Aide & Vous Services")
    b_key = f"key-{uuid.uuid4().hex}"
    b = make_tenant(container, shop_server, localstripe_server, b_key, "Services Bis")
    return a, b


@pytest.fixture
def cli_env(platform_settings: Settings, tmp_path, shop_key: str):
    """``ogust …`` for a company, on the session's database: returns the output (exit code 0 asserted)."""
    from click.testing import CliRunner

    from ogust.entrypoints.cli import main

    s = platform_settings

    def for_company(company_id: str, expect: int = 0):
        env = {"OGUST_VAR_DIR": str(tmp_path / "var"), "OGUST_DATABASE_URL": s.database_url,
               "OGUST_SECRET_KEY": s.secret_key, "OGUST_COMPANY_ID": company_id,
               "OGUST_STRIPE_API_KEY": s.stripe_api_key, "OGUST_STRIPE_API_BASE": s.stripe_api_base,
               "OGUST_SHOP_URL": s.shop_url, "OGUST_SHOP_API_KEY": shop_key, "OGUST_MAIL_DIR": str(tmp_path / "mail")}

        def ogust(*args: str) -> str:
            result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
            assert result.exit_code == expect, result.output
            return result.output
        return ogust

    return for_company
