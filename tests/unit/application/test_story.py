"""The help article's whole story, on the core with fakes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ogust.application import commands as c
from ogust.application.handlers.attestations import GenerateAttestationHandler, ValidateAttestationHandler
from ogust.application.handlers.invoicing import InvoiceFromDevisHandler, ValidateInvoiceHandler
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import CreateIntervenantHandler
from ogust.application.handlers.setup import CreateTarifHandler, LinkShopAccountHandler, MapShopServiceHandler
from ogust.application.handlers.shop_sync import ExportToShopHandler, SyncIntervenantHandler, TransmitClientHandler
from ogust.application.ports import ChargeOutcome, EmailKind
from ogust.application.shop_sync_service import ShopSyncService
from ogust.domain.address import Address
from ogust.domain.errors import (
    PriceMismatch,
    ServiceNotMapped,
    ServiceNotOffered,
    SlotInPast,
    SlotUnavailable,
    TarifMismatch,
)
from ogust.domain.intervenant import ShopProfile
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from tests.unit.application.conftest import declare_done

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def setup(uow, company, shop):
    create_tarif = CreateTarifHandler(uow)
    create_tarif(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500), VatRate.INTERMEDIATE_10))
    LinkShopAccountHandler(uow, shop)(c.LinkShopAccount(company.id, "acc_demo", "s" * 32))
    MapShopServiceHandler(uow, shop)(c.MapShopService(company.id, "svc_menage", "MEN"))
    marie = CreateIntervenantHandler(uow)(c.CreateIntervenant(
        company.id, "Marie", "Curie", "M001",
        profile=ShopProfile("Douce", ("svc_menage",), ("75002",), ("repassage",))))
    return marie


def order(company, marie, order_id="ord_1", start=T0, hours=2, price=2750, pm="pm_ok"):
    return c.PlaceOrder(
        company.id, order_id,
        c.OrderCustomer("shop_cli_1", "Jean@Example.fr", "Jean", "Dupont", Address("3 rue Haute", "75002", "Paris")),
        (c.OrderItem("svc_menage", marie.id, start, start + timedelta(hours=hours), Money(price)),),
        "cus_1", pm,
    )


def test_mapping_refuses_a_different_price(uow, company, shop):
    CreateTarifHandler(uow)(c.CreateTarif(company.id, "GAR", "Garde", Unit.HOUR, Money(2100), VatRate.INTERMEDIATE_10))
    LinkShopAccountHandler(uow, shop)(c.LinkShopAccount(company.id, "acc_demo"))
    with pytest.raises(TarifMismatch) as refused:
        MapShopServiceHandler(uow, shop)(c.MapShopService(company.id, "svc_garde", "GAR"))
    assert "prix TTC" in refused.value.message
    assert uow.mappings.list(company.id) == []


def test_sync_sends_skills_and_second_run_sends_nothing(uow, company, shop, processor, setup):
    service = ShopSyncService(SyncIntervenantHandler(uow), TransmitClientHandler(uow), ExportToShopHandler(uow),
                              processor)
    report = service.sync_intervenant(c.SyncIntervenant(company.id, setup.id), timeout=2)
    assert report.outcome == "sent"
    assert shop.intervenants[setup.id]["skills"] == ["repassage"]
    again = service.export(c.ExportToShop(company.id), timeout=2)
    assert [r.outcome for r in again] == ["unchanged"]


def test_order_creates_client_devis_intervention_once(uow, company, setup, gateway):
    place = PlaceOrderHandler(uow, gateway)
    first = place(order(company, setup))
    again = place(order(company, setup))
    assert not first.replayed and again.replayed
    assert (again.client_id, again.devis_id, again.intervention_ids) == (first.client_id, first.devis_id,
                                                                         first.intervention_ids)
    devis = uow.devis.get(company.id, first.devis_id)
    assert devis.status.value == "accepted" and devis.total_ttc == Money(5500)
    intervention = uow.interventions.get(company.id, first.intervention_ids[0])
    assert intervention.intervenant_id == setup.id
    assert len(uow.clients.list(company.id)) == 1


@pytest.mark.parametrize("kwargs,error", [
    (dict(start=T0 - timedelta(days=30)), SlotInPast),
    (dict(price=2700), PriceMismatch),
])
def test_order_refusals_write_nothing(uow, company, setup, gateway, kwargs, error):
    with pytest.raises(error):
        PlaceOrderHandler(uow, gateway)(order(company, setup, **kwargs))
    assert uow.devis.list(company.id) == [] and uow.clients.list(company.id) == []


def test_overlap_unmapped_and_not_offered_are_refused(uow, company, setup, gateway):
    place = PlaceOrderHandler(uow, gateway)
    place(order(company, setup))
    with pytest.raises(SlotUnavailable):
        place(order(company, setup, "ord_2", start=T0 + timedelta(hours=1)))
    bad = order(company, setup, "ord_3", start=T0 + timedelta(days=1))
    unmapped = c.PlaceOrder(company.id, "ord_3", bad.customer,
                            (c.OrderItem("svc_garde", setup.id, bad.items[0].start, bad.items[0].end, Money(2200)),))
    with pytest.raises(ServiceNotMapped):
        place(unmapped)


def test_invoice_validated_is_published_debited_once_and_emailed(uow, company, shop, gateway, mailer, processor, setup):
    result = PlaceOrderHandler(uow, gateway)(order(company, setup))
    declare_done(uow, company.id, *result.intervention_ids)
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(company.id, result.devis_id))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(company.id, invoice.id))
    processor.run_until_idle()
    processor.run_until_idle()
    invoice = uow.invoices.get(company.id, invoice.id)
    assert invoice.number == "FA-2026-000001" and invoice.status is InvoiceStatus.PAID
    assert len(gateway.charges) == 1
    assert [n.kind for n in mailer.sent] == [EmailKind.DEBIT_CONFIRMED]
    assert mailer.sent[0].context["download_url"].endswith(invoice.id)
    published = [d for d in shop.documents.values() if d.id == invoice.id]
    assert published and published[0].status == "paid"


def test_declined_card_sets_status_and_emails(uow, company, gateway, mailer, processor, setup):
    gateway.outcomes["pm_declined"] = ChargeOutcome.DECLINED
    result = PlaceOrderHandler(uow, gateway)(order(company, setup, pm="pm_declined"))
    declare_done(uow, company.id, *result.intervention_ids)
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(company.id, result.devis_id))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(company.id, invoice.id))
    processor.run_until_idle()
    assert uow.invoices.get(company.id, invoice.id).status is InvoiceStatus.PAYMENT_FAILED
    assert [n.kind for n in mailer.sent] == [EmailKind.DEBIT_FAILED]


def test_attestation_counts_what_was_paid(uow, company, shop, gateway, mailer, processor, setup):
    result = PlaceOrderHandler(uow, gateway)(order(company, setup))
    declare_done(uow, company.id, *result.intervention_ids)
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(company.id, result.devis_id))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(company.id, invoice.id))
    processor.run_until_idle()
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(company.id, result.client_id, 2026))
    assert attestation.amount_paid == Money(5500)
    assert [(l.intervenant_matricule, l.month, l.minutes) for l in attestation.lines] == [("M001", 11, 120)]
    uow.clock.advance(days=70)  # January: the year is over
    ValidateAttestationHandler(uow)(c.ValidateAttestation(company.id, attestation.id))
    processor.run_until_idle()
    assert mailer.sent[-1].kind is EmailKind.ATTESTATION_AVAILABLE
    assert any(d.kind == "attestation" for d in shop.documents.values())


def test_intervenant_must_offer_the_service(uow, company, setup, gateway):
    from ogust.application.handlers.people import UpdateIntervenantHandler
    UpdateIntervenantHandler(uow)(c.UpdateIntervenant(company.id, setup.id, (("profile", ShopProfile()),)))
    with pytest.raises(ServiceNotOffered):
        PlaceOrderHandler(uow, gateway)(order(company, setup))
