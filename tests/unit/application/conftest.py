from __future__ import annotations

from datetime import UTC, date, datetime

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
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


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


# ---------------------------------------------------------------- a company ready to take orders
from datetime import timedelta  # noqa: E402

from ogust.adapters.payments.fake_gateway import FakePaymentGateway  # noqa: E402
from ogust.application import commands as c  # noqa: E402
from ogust.application.handlers.people import CreateIntervenantHandler  # noqa: E402
from ogust.application.handlers.setup import CreateTarifHandler, LinkShopAccountHandler, MapShopServiceHandler  # noqa: E402
from ogust.domain.intervenant import ShopProfile  # noqa: E402

FORFAIT = ShopService("svc_forfait", "Forfait vitres", Money(6000), VatRate.STANDARD_20, Unit.FLAT)
SOON = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # a week after the fixed clock


@pytest.fixture
def cards():
    """A payment gateway that knows the cards: every pm_… id is usable unless removed."""
    return FakePaymentGateway(any_card_usable=True)


@pytest.fixture
def ready(uow, company, shop):
    """Tarifs MEN (25,00 € HT/h, 10 %) and VIT (50,00 € HT flat, 20 %), the shop linked, both mapped."""
    shop.services.append(FORFAIT)
    create = CreateTarifHandler(uow)
    create(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500), VatRate.INTERMEDIATE_10))
    create(c.CreateTarif(company.id, "VIT", "Vitres", Unit.FLAT, Money(5000), VatRate.STANDARD_20))
    create(c.CreateTarif(company.id, "HORS", "Hors crédit d'impôt", Unit.HOUR, Money(3000), VatRate.STANDARD_20,
                         tax_credit_eligible=False))
    LinkShopAccountHandler(uow, shop)(c.LinkShopAccount(company.id, "acc_demo", "s" * 32))
    MapShopServiceHandler(uow, shop)(c.MapShopService(company.id, "svc_menage", "MEN"))
    MapShopServiceHandler(uow, shop)(c.MapShopService(company.id, "svc_forfait", "VIT"))
    return company


@pytest.fixture
def marie(uow, ready):
    return CreateIntervenantHandler(uow)(c.CreateIntervenant(
        ready.id, "Marie", "Curie", "M001",
        profile=ShopProfile("Douce", ("svc_menage", "svc_forfait"), ("75002",), ("repassage",))))


@pytest.fixture
def ada(uow, ready):
    return CreateIntervenantHandler(uow)(c.CreateIntervenant(
        ready.id, "Ada", "Lovelace", "M002", profile=ShopProfile("", ("svc_menage",))))


def customer(shop_client_id="shop_cli_1", email="Jean@Example.fr"):
    return c.OrderCustomer(shop_client_id, email, "Jean", "Dupont", Address("3 rue Haute", "75002", "Paris"))


def item(who, start=SOON, minutes=120, service="svc_menage", price=2750):
    return c.OrderItem(service, who.id, start, start + timedelta(minutes=minutes), Money(price))


def order(company, *items, order_id="ord_1", who=None, pm="pm_ok", cus="cus_1", cust=None):
    return c.PlaceOrder(company.id, order_id, cust or customer(), tuple(items), cus, pm)


REPOSITORIES = ("companies", "tarifs", "mappings", "intervenants", "clients", "devis", "interventions", "invoices",
                "attestations", "payment_attempts", "payments")


def contents(uow) -> dict[str, object]:
    """How many records each repository holds, plus the outbox, numbering, email log and inbox."""
    counts: dict[str, object] = {name: len(getattr(uow, name).items) for name in REPOSITORIES}
    counts["outbox"] = len(uow.outbox.jobs)
    counts["sequences"] = dict(uow.sequences.last)
    counts["emails"] = len(uow.emails.rows)
    counts["inbox"] = len(uow.inbox.ids)
    return counts


# ---------------------------------------------------------------- invoices waiting for their debit
from ogust.application.handlers.invoicing import InvoiceFromDevisHandler, ValidateInvoiceHandler  # noqa: E402
from ogust.application.handlers.orders import PlaceOrderHandler  # noqa: E402
from ogust.application.outbox import Effect  # noqa: E402


@pytest.fixture
def worker(uow, shop, cards, mailer):
    """The outbox worker with the scriptable payment gateway ``cards``."""
    return OutboxProcessor(uow, build_effects(uow, shop, cards, mailer, FakeLinks()),
                           WorkerSettings(backoff_base_seconds=1), name="w1")


def declare_done(uow, company_id, *intervention_ids):
    """``ogust intervention done`` at the end of each visit: the clock is set there for the call only,
    and set back (the test's own "now" goes on)."""
    from ogust.application.handlers.planning import MarkInterventionDoneHandler

    now = uow.clock.current
    try:
        for intervention_id in intervention_ids:
            uow.clock.current = max(now, uow.interventions.get(company_id, intervention_id).end)
            MarkInterventionDoneHandler(uow)(c.MarkInterventionDone(company_id, intervention_id))
    finally:
        uow.clock.current = now


def validated_invoice(uow, ready, marie, cards, pm="pm_ok", with_card=True):
    """An order of 2 h (55,00 € TTC), done, invoiced from its devis and validated: its debit is queued."""
    cmd = order(ready, item(marie), pm=pm)
    if not with_card:
        cmd = c.PlaceOrder(cmd.company_id, cmd.shop_order_id, cmd.customer, cmd.items)
    result = PlaceOrderHandler(uow, cards)(cmd)
    declare_done(uow, ready.id, *result.intervention_ids)
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    return ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))


def charge_job(uow, invoice, attempt=None):
    suffix = "validated" if attempt is None else f"retry:{attempt}"
    return uow.outbox.by_key(invoice.company_id, f"{Effect.CHARGE_INVOICE.value}|invoice:{invoice.id}:{suffix}")


def attempts(uow, invoice):
    return uow.payment_attempts.for_invoice(invoice.company_id, invoice.id)
