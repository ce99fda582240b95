"""The CLI reads numbers and dates as an operator types them — a decimal comma (``--vat 5,5``), a French
date (``--on 08/12/2026``), French unit names — and the API and the CLI share one set of payment
method codes (``virement``, ``especes``…), the API's old English ones still accepted (issue 18)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.domain.money import VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit
from ogust.entrypoints.cli import billing_commands, people_commands, setup_commands
from ogust.entrypoints.cli.base import Cli

pytestmark = pytest.mark.integration

TODAY = datetime.now(ZoneInfo("Europe/Paris")).date()


def run(api, group, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(group, list(args), obj=Cli(_container=api.container))
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.parametrize("vat,unit,expected", [("5,5", "forfait", (VatRate.REDUCED_5_5, Unit.FLAT)),
                                               ("5.5", "heure", (VatRate.REDUCED_5_5, Unit.HOUR)),
                                               ("20", "HOUR", (VatRate.STANDARD_20, Unit.HOUR)),
                                               ("10%", "flat", (VatRate.INTERMEDIATE_10, Unit.FLAT))])
def test_a_tarif_with_a_decimal_comma_and_french_unit_names(offline_api, vat, unit, expected):
    run(offline_api, setup_commands.tarif, "create", "REP", "--label", "Repassage", "--unit", unit,
        "--price-ht", "12,50", "--vat", vat)
    with offline_api.container.uow() as uow:
        [made] = [t for t in uow.tarifs.list(offline_api.company_id) if t.code == "REP"]
    assert (made.vat_rate, made.unit, made.price_ht.cents) == (*expected, 1250)


def test_a_rate_that_does_not_exist_is_bad_usage_and_creates_nothing(offline_api):
    out = run(offline_api, setup_commands.tarif, "create", "REP", "--label", "R", "--unit", "heure",
              "--price-ht", "10", "--vat", "7", code=2)
    assert "'7'" in out and "5,5" in out
    with offline_api.container.uow() as uow:
        assert [t.code for t in uow.tarifs.list(offline_api.company_id)] == ["MEN"]


def test_french_dates_in_options_and_in_an_invoice_line(offline_api):
    made = run(offline_api, billing_commands.invoice, "manual", "jean.dupont@example.fr", "--line",
               f"MEN:60:{TODAY:%d/%m/%Y}:M001", "--json")
    assert f'"performed_on": "{TODAY.isoformat()}"' in made or TODAY.isoformat() in made
    out = run(offline_api, people_commands.intervenant, "planning", "M001", "--from", "01/01/2026", "--to",
              "31/01/2026")
    assert "Aucune intervention" in out or "/01/2026" in out
    bad = run(offline_api, people_commands.intervenant, "planning", "M001", "--from", "31/02/2026", code=2)
    assert "date illisible" in bad and "JJ/MM/AAAA" in bad


def test_a_payment_by_virement_with_a_french_date(offline_api):
    run(offline_api, billing_commands.invoice, "validate", offline_api.invoice_id)
    run(offline_api, billing_commands.invoice, "pay", offline_api.invoice_id, "--method", "virement", "--on",
        f"{TODAY:%d/%m/%Y}", "--amount", "10,50")
    with offline_api.container.uow() as uow:
        [payment] = uow.payments.for_invoice(offline_api.company_id, offline_api.invoice_id)
    assert payment.method is PaymentMethod.TRANSFER and payment.amount.cents == 1050


def test_the_api_speaks_the_same_codes_and_keeps_the_old_ones(offline_api):
    from fastapi.testclient import TestClient

    from tests.integration.security_input.conftest import headers_for

    http = TestClient(offline_api.app, headers=headers_for(offline_api.container, offline_api.company_id))
    number = http.post(f"/api/invoices/{offline_api.invoice_id}/validate").json()["number"]
    first = http.post(f"/api/invoices/{number}/payments", json={"method": "especes", "received_on": TODAY.isoformat(),
                                                                "amount_cents": 100})
    assert first.status_code == 201, first.text
    second = http.post(f"/api/invoices/{number}/payments", json={"method": "transfer", "received_on": TODAY.isoformat(),
                                                                 "amount_cents": 100})
    assert second.status_code == 201, second.text
    shown = [(p["method"], p["method_label"]) for p in second.json()["payments"]]
    assert sorted(shown) == [("especes", "espèces"), ("virement", "virement")]
    refused = http.post(f"/api/invoices/{number}/payments", json={"method": "carte", "received_on": TODAY.isoformat()})
    assert refused.status_code == 422
    tarif = http.post("/api/tarifs", json={"code": "FOR", "label": "Forfait", "unit": "forfait",
                                           "price_ht_cents": 1000, "vat_rate": "20"})
    assert tarif.status_code == 201, tarif.text
    assert (tarif.json()["unit"], tarif.json()["unit_label"]) == ("flat", "forfait")


@pytest.mark.parametrize("month", [f"{TODAY:%Y-%m}", f"{TODAY:%m/%Y}"])
def test_a_month_as_aaaa_mm_or_mm_aaaa(offline_api, month):
    out = run(offline_api, billing_commands.intervention, "to-declare", "--month", month, "--json")
    assert '"interventions"' in out


@pytest.mark.parametrize("month", ["13/2026", "2026-00", "octobre", "10/1899"])
def test_a_month_that_is_not_one_is_bad_usage(offline_api, month):
    out = run(offline_api, billing_commands.intervention, "to-declare", "--month", month, code=2)
    assert "mois illisible" in out and "MM/AAAA" in out
