"""A company of its own per test, in the session's database, with a card-paid invoice on localstripe."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import pytest

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.support.invoicing import served
from tests.support.localstripe import CARD_SUCCEEDS, LocalStripe
from tests.support.shop_server import RunningShop

WEBHOOK_SECRET = "documents-webhook-secret-0123"


@dataclass
class Billing:
    container: Container
    company_id: str
    client_id: str
    customer_id: str


@pytest.fixture
def shop_account(shop_server: RunningShop) -> tuple[str, str]:
    """A shop account with an API key of its own (one key opens one account): (account id, key)."""
    account_id, api_key = f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}"
    shop_server.admin.create_account(account_id, api_key=api_key)
    return account_id, api_key


@pytest.fixture
def container(platform_settings: Settings, shop_account: tuple[str, str]) -> Iterator[Container]:
    """ogust on the session's database and servers, talking to this test's shop account."""
    built = build_container(replace(platform_settings, shop_api_key=shop_account[1]))
    yield built
    built.engine().dispose()


@pytest.fixture
def billing(container: Container, localstripe_server: LocalStripe, shop_account: tuple[str, str]) -> Billing:
    """As ``ogust demo`` seeds it (company, tarif, shop link), plus a client whose card is saved."""
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    container.create_tarif()(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                           VatRate.INTERMEDIATE_10))
    container.link_shop()(c.LinkShopAccount(company.id, shop_account[0], WEBHOOK_SECRET))
    email = f"claire.{uuid.uuid4().hex[:8]}@example.fr"
    client = container.create_client()(c.CreateClient(company.id, "Claire", "Dubois", email,
                                                      Address("5 place Bellecour", "69002", "Lyon")))
    customer, method = localstripe_server.create_customer_with_card(CARD_SUCCEEDS, email)
    with container.uow() as uow:
        uow.clients.get(company.id, client.id).save_payment_method(customer, method)
        uow.commit()
    return Billing(container, company.id, client.id, customer)


def paid_invoice(billing: Billing, minutes: int = 150) -> Invoice:
    """A manual invoice, validated, then debited on the saved card by the outbox worker."""
    container = billing.container
    invoice = container.manual_invoice()(c.ManualInvoice(billing.company_id, billing.client_id, served(
        container, billing.company_id, minutes, date(2026, 4, 6))))
    container.validate_invoice()(c.ValidateInvoice(billing.company_id, invoice.id))
    container.processor().run_until_idle()
    paid = container.queries().invoice(billing.company_id, invoice.id).invoice
    assert paid.status is InvoiceStatus.PAID, paid.payment_failure
    return paid
