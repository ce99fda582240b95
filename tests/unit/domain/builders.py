"""Small builders for domain tests: plain objects, no fakes."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity, Unit

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
COMPANY = "co-1"
ADDRESS = Address("3 rue Haute", "75002", "Paris")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0, tz=UTC) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def line(minutes: int = 120, price: int = 2500, vat: VatRate = VatRate.INTERMEDIATE_10, *, eligible: bool = True,
         performed_on: date | None = date(2026, 3, 10), matricule: str = "M001", name: str = "Marie Curie",
         unit: Unit = Unit.HOUR) -> InvoiceLine:
    return InvoiceLine("tarif-1", "Ménage", Quantity(minutes, unit), Money(price), vat,
                       performed_on=performed_on, intervenant_matricule=matricule, intervenant_name=name,
                       tax_credit_eligible=eligible)


def invoice(*lines: InvoiceLine, client_id: str = "cli-1") -> Invoice:
    return Invoice(company_id=COMPANY, client_id=client_id, source=InvoiceSource.MANUAL,
                   lines=list(lines) or [line()])


def payment(inv: Invoice, cents: int | None = None, received_at: datetime = at(2026, 3, 20),
            method: PaymentMethod = PaymentMethod.CARD) -> Payment:
    return Payment(company_id=COMPANY, invoice_id=inv.id, client_id=inv.client_id,
                   amount=Money(inv.total_ttc.cents if cents is None else cents), received_at=received_at,
                   method=method)


def client(**overrides) -> Client:
    fields = dict(company_id=COMPANY, first_name="Jean", last_name="Dupont", email="jean@example.fr",
                  address=ADDRESS)
    return Client(**(fields | overrides))


def intervenant(**overrides) -> Intervenant:
    fields = dict(company_id=COMPANY, first_name="Marie", last_name="Curie", matricule="M001",
                  profile=ShopProfile("Douce", ("svc_menage",), ("75002",), ("repassage",)))
    return Intervenant(**(fields | overrides))


def intervention(start: datetime, minutes: int = 120, **overrides) -> Intervention:
    fields = dict(company_id=COMPANY, client_id="cli-1", intervenant_id="int-1", tarif_id="tarif-1",
                  start=start, end=start + timedelta(minutes=minutes), address=ADDRESS)
    return Intervention(**(fields | overrides))


def tarif(price_ht: int = 2500, vat: VatRate = VatRate.INTERMEDIATE_10, unit: Unit = Unit.HOUR, **overrides) -> Tarif:
    fields = dict(company_id=COMPANY, code="MEN", label="Ménage", unit=unit, price_ht=Money(price_ht), vat_rate=vat)
    return Tarif(**(fields | overrides))
