"""The month's journals for the accountant (ogust accounting export): every invoice and credit note
issued in the month with its base and VAT per rate — a credit note negative — and every payment
received and refund given back, in CSV files a French spreadsheet opens as they are; their totals
agree with the documents."""
from __future__ import annotations

import csv
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.application import commands as c
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit
from ogust.entrypoints.cli import accounting_commands
from ogust.entrypoints.cli.base import Cli
from tests.fakes import FixedClock
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


def rows(path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with its mark: a spreadsheet reads the accents right
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file, delimiter=";"))


def test_the_months_sales_and_payments_journals(offline_api, tmp_path):
    api, container = offline_api, offline_api.container
    with clock_of(container, FixedClock(datetime(2026, 11, 10, 10, 0, tzinfo=PARIS))):
        container.create_tarif()(c.CreateTarif(api.company_id, "FRAIS", "Frais de dossier", Unit.FLAT, Money(1500),
                                               VatRate.STANDARD_20, tax_credit_eligible=False))
        first = container.validate_invoice()(c.ValidateInvoice(api.company_id, api.invoice_id))  # 41,25 at 10 %
        container.record_payment()(c.RecordPayment(api.company_id, first.id, PaymentMethod.CHEQUE, date(2026, 11, 10),
                                                   "1234567"))
        draft = container.manual_invoice()(c.ManualInvoice(api.company_id, api.client_id, (
            c.ManualInvoiceLine("MEN", 60, date(2026, 11, 3), api.intervenant_id), c.ManualInvoiceLine("FRAIS", 1))))
        second = container.validate_invoice()(c.ValidateInvoice(api.company_id, draft.id))  # 27,50 + 18,00
        note = container.issue_credit_note()(c.IssueCreditNote(api.company_id, second.id, "Geste", Money(1000)))
    with clock_of(container, FixedClock(datetime(2026, 11, 12, 10, 0, tzinfo=PARIS))):
        container.record_payment()(c.RecordPayment(api.company_id, second.id, PaymentMethod.TRANSFER,
                                                   date(2026, 11, 12), "VIR-9"))
    with clock_of(container, FixedClock(datetime(2026, 12, 2, 10, 0, tzinfo=PARIS))):
        result = CliRunner().invoke(accounting_commands.accounting, ["export", "--month", "2026-11", "-o",
                                                                     str(tmp_path / "compta")],
                                    obj=Cli(_container=container))
    assert result.exit_code == 0, result.output

    sales = rows(tmp_path / "compta" / "ventes-2026-11.csv")
    assert [(r["Pièce"], r["Type"], r["Facture corrigée"]) for r in sales] == [
        (first.number, "Facture", ""), (second.number, "Facture", ""), (note.number, "Avoir", second.number),
        ("Total", "", "")]
    one, two, credit, total = sales
    assert (one["Date"], one["Client"], one["Base HT 10 %"], one["TVA 10 %"], one["Total TTC"]) == (
        "10/11/2026", "Jean Dupont", "37,50", "3,75", "41,25")
    assert (two["Base HT 10 %"], two["TVA 10 %"], two["Base HT 20 %"], two["TVA 20 %"], two["Total TTC"]) == (
        "25,00", "2,50", "15,00", "3,00", "45,50")
    assert credit["Total TTC"] == "-10,00" and credit["Base HT 5,5 %"] == "0,00"
    assert euros_sum(credit, "Base HT 10 %", "TVA 10 %", "Base HT 20 %", "TVA 20 %") == -1000
    assert total["Total TTC"] == "76,75" and total["Total HT"] == euros_text(
        cents(one["Total HT"]) + cents(two["Total HT"]) + cents(credit["Total HT"]))

    payments = rows(tmp_path / "compta" / "reglements-2026-11.csv")
    assert [(r["Date"], r["Pièce"], r["Moyen"], r["Référence"], r["Montant"]) for r in payments] == [
        ("10/11/2026", first.number, "chèque", "1234567", "41,25"),
        ("12/11/2026", second.number, "virement", "VIR-9", "35,50"),
        ("", "Total", "", "", "76,75")]
    assert "ventes-2026-11.csv : 3 pièce(s)" in result.output


def cents(text: str) -> int:
    return int(text.replace(",", ""))


def euros_text(value: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100},{abs(value) % 100:02d}"


def euros_sum(row: dict[str, str], *columns: str) -> int:
    return sum(cents(row[column]) for column in columns)


def test_a_bad_month_is_said_and_writes_nothing(offline_api, tmp_path):
    cli = Cli(_container=offline_api.container)
    unreadable = CliRunner().invoke(accounting_commands.accounting, ["export", "--month", "nov", "-o",
                                                                     str(tmp_path / "x")], obj=cli)
    assert unreadable.exit_code == 2 and "mois illisible" in unreadable.output
    impossible = CliRunner().invoke(accounting_commands.accounting, ["export", "--month", "2026-13", "-o",
                                                                     str(tmp_path / "x")], obj=cli)
    assert impossible.exit_code == 2 and "mois illisible : '2026-13'" in impossible.output  # said before any work
    assert not (tmp_path / "x").exists()
