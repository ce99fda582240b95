from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ogust.application.effects.registry import build_effects
from ogust.application.ports import ChargeOutcome, ChargeResult
from ogust.application.worker import OutboxProcessor, WorkerSettings
from ogust.domain.address import Address
from ogust.domain.company import Company
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit
from tests.fakes import FakeLinks, FakeMailer, FakeShopApi, FakeUnitOfWork, FixedClock


class StubGateway:
    """Outcome per payment method id; records every charge key."""

    def __init__(self) -> None:
        self.outcomes: dict[str, ChargeOutcome] = {}
        self.charges: dict[str, ChargeResult] = {}

    def charge(self, request):
        if request.idempotency_key not in self.charges:
            outcome = self.outcomes.get(request.payment_method_id, ChargeOutcome.SUCCEEDED)
            self.charges[request.idempotency_key] = ChargeResult(
                outcome, f"pi_{len(self.charges) + 1}", "" if outcome is ChargeOutcome.SUCCEEDED else "carte refusée")
        return self.charges[request.idempotency_key]

    def payment_method_usable(self, customer_id, payment_method_id):
        return payment_method_id.startswith("pm_")


SERVICES = [
    ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR),
    ShopService("svc_garde", "Garde d'enfants", Money(2200), VatRate.INTERMEDIATE_10, Unit.HOUR),
]


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def uow(clock):
    return FakeUnitOfWork(clock)


@pytest.fixture
def company(uow):
    company = Company(name="Aide & Vous", address=Address("1 rue de la Paix", "75002", "Paris"),
                      siret="73282932000074", sap_declaration_number="SAP123456789",
                      sap_declaration_date=date(2020, 1, 15), email="contact@aide-et-vous.fr")
    uow.companies.add(company)
    return company


@pytest.fixture
def shop():
    return FakeShopApi(SERVICES)


@pytest.fixture
def gateway():
    return StubGateway()


@pytest.fixture
def mailer():
    return FakeMailer()


@pytest.fixture
def processor(uow, shop, gateway, mailer):
    effects = build_effects(uow, shop, gateway, mailer, FakeLinks())
    return OutboxProcessor(uow, effects, WorkerSettings(backoff_base_seconds=1))
