"""The help article's main story through the real unit of work: order → devis → invoice →
validation → debit, e-mail and publication by the outbox worker → attestation. Fakes stand in for
the shop, Stripe and the mail server only."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ogust.adapters.persistence.database import make_engine, make_session_factory, upgrade_database
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application import commands as c
from ogust.application.effects.registry import build_effects
from ogust.application.handlers.attestations import GenerateAttestationHandler, ValidateAttestationHandler
from ogust.application.handlers.invoicing import InvoiceFromDevisHandler, ValidateInvoiceHandler
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import CreateIntervenantHandler
from ogust.application.handlers.planning import MarkInterventionDoneHandler
from ogust.application.handlers.setup import (
    CreateCompanyHandler,
    CreateTarifHandler,
    LinkShopAccountHandler,
    MapShopServiceHandler,
)
from ogust.application.outbox import JobStatus
from ogust.application.ports import ChargeOutcome, ChargeResult, EmailKind
from ogust.application.worker import OutboxProcessor, WorkerSettings
from ogust.domain.address import Address
from ogust.domain.intervenant import ShopProfile
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit
from tests.fakes import FakeLinks, FakeMailer, FakeShopApi, FixedClock
from tests.support.databases import BACKENDS

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


class SucceedingGateway:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def charge(self, request):
        self.keys.append(request.idempotency_key)
        return ChargeResult(ChargeOutcome.SUCCEEDED, f"pi_{len(self.keys)}")

    def payment_method_usable(self, customer_id, payment_method_id):
        return True


@pytest.fixture(params=BACKENDS)
def make_uow(request, empty_database):
    """A database of its own: the worker takes every due job, it must see only this story's."""
    url = empty_database(request.param)
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))

    def make() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(factory, clock)
    make.clock = clock  # type: ignore[attr-defined]  # the story moves it to January
    yield make
    engine.dispose()


def test_order_to_attestation(make_uow) -> None:
    shop = FakeShopApi([ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR)])
    gateway, mailer = SucceedingGateway(), FakeMailer()
    company = CreateCompanyHandler(make_uow)(c.CreateCompany(
        "Aide & Vous", Address("1 rue de la Paix", "75002", "Paris"), "73282932000074", "SAP123456789",
        date(2020, 1, 15), "contact@aide-et-vous.fr"))
    CreateTarifHandler(make_uow)(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                               VatRate.INTERMEDIATE_10))
    LinkShopAccountHandler(make_uow, shop)(c.LinkShopAccount(company.id, "acc_demo", "s" * 32))
    MapShopServiceHandler(make_uow, shop)(c.MapShopService(company.id, "svc_menage", "MEN"))
    marie = CreateIntervenantHandler(make_uow)(c.CreateIntervenant(
        company.id, "Marie", "Curie", "M001", profile=ShopProfile("Douce", ("svc_menage",), ("75002",), ())))

    order = c.PlaceOrder(
        company.id, "ord_1",
        c.OrderCustomer("shop_cli_1", "Jean@Example.fr", "Jean", "Dupont", Address("3 rue Haute", "75002", "Paris")),
        (c.OrderItem("svc_menage", marie.id, START, START + timedelta(hours=2), Money(2750)),),
        "cus_1", "pm_ok",
    )
    place = PlaceOrderHandler(make_uow, gateway)
    placed = place(order)
    assert place(order).replayed

    now, make_uow.clock.current = make_uow.clock.current, START + timedelta(hours=2)  # the visit took place
    MarkInterventionDoneHandler(make_uow)(c.MarkInterventionDone(company.id, placed.intervention_ids[0]))
    make_uow.clock.current = now
    invoice = InvoiceFromDevisHandler(make_uow)(c.InvoiceFromDevis(company.id, placed.devis_id))
    ValidateInvoiceHandler(make_uow)(c.ValidateInvoice(company.id, invoice.id))
    processor = OutboxProcessor(make_uow, build_effects(make_uow, shop, gateway, mailer, FakeLinks()),
                                WorkerSettings(backoff_base_seconds=1), name="story-worker")
    processor.run_until_idle()

    with make_uow() as uow:
        paid = uow.invoices.get(company.id, invoice.id)
        assert (paid.number, paid.status, paid.total_ttc) == ("FA-2026-000001", InvoiceStatus.PAID, Money(5500))
        assert [p.amount for p in uow.payments.for_client(company.id, placed.client_id)] == [Money(5500)]
        assert {j.status for j in uow.outbox.list(company.id)} == {JobStatus.DONE}
    assert len(gateway.keys) == 1
    assert [n.kind for n in mailer.sent] == [EmailKind.DEBIT_CONFIRMED]

    attestation = GenerateAttestationHandler(make_uow)(c.GenerateAttestation(company.id, placed.client_id, 2026))
    assert attestation.amount_paid == Money(5500)
    assert [(line.intervenant_matricule, line.month, line.minutes) for line in attestation.lines] == [("M001", 11, 120)]
    make_uow.clock.current = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # validated once the year is over
    ValidateAttestationHandler(make_uow)(c.ValidateAttestation(company.id, attestation.id))
    processor.run_until_idle()
    assert mailer.sent[-1].kind is EmailKind.ATTESTATION_AVAILABLE
    with make_uow() as uow:
        assert uow.attestations.get(company.id, attestation.id).number == "AF-2026-000001"
        assert [row["status"] for row in uow.emails.list(company.id)] == ["sent", "sent"]
