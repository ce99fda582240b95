"""A GDPR erasure in ogust reaches the reference shop over HTTP, through the outbox: the shop's copy
of the client is anonymised, the published invoice stays (and its link still downloads it); the
shop down delays the erasure, never loses it. On SQLite, and PostgreSQL when configured."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.adapters.shop.http_shop_api import HttpShopApi
from ogust.application import commands as c
from ogust.application.gdpr import EraseClient
from ogust.application.outbox import Effect, JobStatus, OutboxJob
from ogust.domain.address import Address
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.integration.shop.conftest import FaultyTransport, ShopAccount
from tests.support.databases import BACKENDS
from tests.support.invoicing import served
from tests.support.shop_server import RunningShop

pytestmark = pytest.mark.integration

PERSONAL = ("Jeanne", "Martin", "3 rue Haute", "69004")


@pytest.fixture(scope="module", params=BACKENDS)
def erasure_database(request: pytest.FixtureRequest, migrated_database: Callable[[str], str]) -> str:
    """This module's own database: its worker performs every due job there, and only its tests' jobs."""
    return migrated_database(request.param)


@dataclass
class Office:
    container: Container
    company_id: str
    client_id: str
    email: str
    shop: RunningShop
    account: ShopAccount
    transport: FaultyTransport  # between ogust and the shop: script 5xx or timeouts in it

    def shop_view(self) -> dict:
        return self.shop.admin.account(self.account.id)

    def jobs(self, effect: Effect) -> list[OutboxJob]:
        with self.container.uow() as uow:
            return [j for j in uow.outbox.list(self.company_id) if j.effect == effect.value]

    def transmitted(self) -> str:
        report = self.container.shop_sync().transmit_client(c.TransmitClient(self.company_id, self.client_id))
        assert report.outcome == "sent"
        return self.container.queries().client(self.company_id, self.client_id).shop_client_id

    def paid_invoice(self) -> Invoice:
        draft = self.container.manual_invoice()(c.ManualInvoice(
            self.company_id, self.client_id, served(self.container, self.company_id, 120, date(2026, 4, 6))))
        self.container.validate_invoice()(c.ValidateInvoice(self.company_id, draft.id))
        self.container.processor().run_until_idle()  # debited, published in the shop
        paid = self.container.queries().invoice(self.company_id, draft.id).invoice
        assert paid.status is InvoiceStatus.PAID
        return paid

    def erase(self) -> None:
        self.container.erase_client()(EraseClient(self.company_id, self.client_id))


@pytest.fixture
def office(erasure_database: str, tmp_path: Path, shop: RunningShop, account: ShopAccount) -> Iterator[Office]:
    var = tmp_path / "var"
    container = build_container(Settings(
        var_dir=var, database_url=erasure_database, base_url="http://testserver",
        secret_key="test-secret-key-0123456789", company_id=None, shop_url=shop.base_url, shop_api_key="",
        stripe_api_key="sk_test_unused", stripe_api_base="http://127.0.0.1:9", stripe_webhook_secret=None,
        smtp_host=None, smtp_port=25, smtp_username=None, smtp_password=None, smtp_starttls=False,
        mail_sender="Aide & Vous <factures@aide-et-vous.example>", mail_dir=var / "mail", run_worker_in_api=False,
    ))
    transport = FaultyTransport()
    api = HttpShopApi(shop.base_url, account.api_key, transport=transport, sleep=lambda _: None)
    container.shop.override(providers.Object(api))  # the real shop over HTTP, with a place to break it
    container.payments.override(providers.Object(FakePaymentGateway(any_card_usable=True)))
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    container.create_tarif()(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                           VatRate.INTERMEDIATE_10))
    container.link_shop()(c.LinkShopAccount(company.id, account.id, "s" * 32, api_key=account.api_key))
    email = f"jeanne.{uuid.uuid4().hex[:8]}@example.fr"
    client = container.create_client()(c.CreateClient(company.id, "Jeanne", "Martin", email,
                                                      Address("3 rue Haute", "69004", "Lyon"), "04 78 00 00 00"))
    with container.uow() as uow:
        uow.clients.get(company.id, client.id).save_payment_method("cus_jeanne", "pm_jeanne")
        uow.commit()
    try:
        yield Office(container, company.id, client.id, email, shop, account, transport)
    finally:
        api.close()
        container.engine().dispose()


def test_the_shops_copy_is_anonymised_and_the_published_invoice_stays(office: Office):
    shop_client_id = office.transmitted()
    invoice = office.paid_invoice()
    [record] = office.shop_view()["clients"]
    assert (record["shop_client_id"], record["last_name"], record["email"]) == (shop_client_id, "Martin", office.email)

    office.erase()
    office.container.processor().run_until_idle()

    [job] = office.jobs(Effect.SHOP_ERASE_CLIENT)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)
    assert [r.method for r in office.transport.requests].count("DELETE") == 1
    view = office.shop_view()
    assert view["clients"] == []
    [erased] = view["erased_clients"]
    assert (erased["shop_client_id"], erased["ogust_id"]) == (shop_client_id, office.client_id)
    text = json.dumps(view, ensure_ascii=False)
    for personal in (*PERSONAL, office.email):
        assert personal not in text, personal
    assert httpx.get(f"{office.shop.base_url}/accounts/{office.account.id}/clients/{shop_client_id}").status_code == 404

    # the invoice is still in the shop (10 years), and its link still downloads it from ogust
    [document] = view["documents"][shop_client_id]
    assert (document["id"], document["number"], document["status"]) == (invoice.id, invoice.number, "paid")
    url = document["download_url"]
    with TestClient(create_app(office.container, run_worker=False)) as ogust:
        response = ogust.get(url[url.index("/documents/"):])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_shop_down_delays_the_erasure_and_loses_nothing(office: Office):
    shop_client_id = office.transmitted()
    office.erase()
    office.transport.faults.extend([503] * 4)  # every try of the first attempt (3 retries)
    office.container.processor().run_until_idle()

    [job] = office.jobs(Effect.SHOP_ERASE_CLIENT)
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "injoignable" in job.last_error and "Boutique indisponible" in job.last_error
    assert [c["last_name"] for c in office.shop_view()["clients"]] == ["Martin"]  # not yet
    assert office.container.queries().client(office.company_id, office.client_id).shop_client_id is None

    office.container.outbox_admin().retry(job.id)  # now rather than after its backoff
    office.container.processor().run_until_idle()
    [job] = office.jobs(Effect.SHOP_ERASE_CLIENT)
    assert (job.status, job.attempts) == (JobStatus.DONE, 1)  # retried by hand: a new series of attempts
    view = office.shop_view()
    assert view["clients"] == [] and [c["shop_client_id"] for c in view["erased_clients"]] == [shop_client_id]


def test_a_client_never_transmitted_costs_the_shop_no_call(office: Office):
    office.erase()
    office.container.processor().run_until_idle()
    [job] = office.jobs(Effect.SHOP_ERASE_CLIENT)
    assert job.status is JobStatus.DONE
    assert [r.method for r in office.transport.requests] == ["GET"]  # the account checked at linking, no more
    assert office.shop_view()["clients"] == [] and office.shop_view()["erased_clients"] == []
