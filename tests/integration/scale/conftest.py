"""A company set up like the demo's (tarif mapped to the shop's service, an intervenant), linked to
a fresh shop account, in the session's database; clients with cards saved on localstripe and done
interventions are added by each test."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pytest

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.intervenant import ShopProfile
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.support.shop_server import RunningShop

HOME = Address("5 place Bellecour", "69002", "Lyon")


@dataclass
class Company:
    container: Container
    id: str
    tarif_id: str
    intervenant_id: str

    def client(self, name: str, card: tuple[str, str] | None = None) -> Client:
        """A client (with the Stripe ids of the card saved at ordering, if any)."""
        client = self.container.create_client()(c.CreateClient(
            self.id, name, "Client", f"{name.lower()}.{uuid.uuid4().hex[:6]}@example.fr", HOME))
        if card:
            with self.container.uow() as uow:
                stored = uow.clients.get(self.id, client.id)
                stored.save_payment_method(*card)
                uow.commit()
        return client

    carers: dict[str, str] = field(default_factory=dict)  # client id → the intervenant who visits them

    def done(self, client_id: str, start: datetime, hours: int = 2,
             status: InterventionStatus = InterventionStatus.DONE) -> str:
        """An intervention at ``client_id``'s, by an intervenant of the client's own: tests give many
        clients the same hour, and an intervenant's interventions never overlap (migration 0015)."""
        intervention = Intervention(self.id, client_id, self._carer(client_id), self.tarif_id, start,
                                    start + timedelta(hours=hours), HOME, status=status)
        with self.container.uow() as uow:
            uow.interventions.add(intervention)
            uow.commit()
        return intervention.id

    def _carer(self, client_id: str) -> str:
        if client_id not in self.carers:
            if not self.carers:  # the company's own intervenant for the first client
                self.carers[client_id] = self.intervenant_id
            else:
                self.carers[client_id] = self.container.create_intervenant()(c.CreateIntervenant(
                    self.id, "Aide", f"N{len(self.carers)}", f"M-{uuid.uuid4().hex[:8]}")).id
        return self.carers[client_id]


@dataclass(frozen=True)
class ShopAccount:
    id: str
    api_key: str


@pytest.fixture
def account(shop_server: RunningShop) -> ShopAccount:
    """A shop account of this test's own, with its own API key (one API key opens one account)."""
    created = ShopAccount(f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}")
    shop_server.admin.create_account(created.id, api_key=created.api_key)
    return created


@pytest.fixture
def settings(platform_settings: Settings, account: ShopAccount) -> Settings:
    """The platform's settings (the session's database), talking to this test's shop account."""
    return replace(platform_settings, shop_api_key=account.api_key, extra={"shop_account": account.id})


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings)
    yield built
    built.engine().dispose()


@pytest.fixture
def company(container: Container, settings: Settings) -> Company:
    return set_up_company(container, settings.extra["shop_account"])


def set_up_company(container: Container, shop_account: str) -> Company:
    created = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    tarif = container.create_tarif()(c.CreateTarif(created.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                                   VatRate.INTERMEDIATE_10))
    container.link_shop()(c.LinkShopAccount(created.id, shop_account))
    container.map_service()(c.MapShopService(created.id, "svc_menage", "MEN"))
    marie = container.create_intervenant()(c.CreateIntervenant(
        created.id, "Marie", "Curie", "M001", profile=ShopProfile("", ("svc_menage",), ("69003",), ())))
    return Company(container, created.id, tarif.id, marie.id)
