"""The month's journals for the accountant, as CSV files a spreadsheet opens as they are (French:
« ; » between columns, decimal comma, UTF-8 with its mark)."""
from __future__ import annotations

import csv
from pathlib import Path

import click

from ogust.application.periods import month_period
from ogust.domain.money import Money, VatRate
from ogust.entrypoints.cli.base import Cli, OgustGroup, pass_cli
from ogust.entrypoints.cli.billing_commands import _month

RATES = (VatRate.REDUCED_5_5, VatRate.INTERMEDIATE_10, VatRate.STANDARD_20)


def euros(amount: Money) -> str:
    """1234,56 — no thousands separator, a comma: what a French spreadsheet reads as a number."""
    sign = "-" if amount.cents < 0 else ""
    units, cents = divmod(abs(amount.cents), 100)
    return f"{sign}{units},{cents:02d}"


@click.group(cls=OgustGroup)
def accounting() -> None:
    """Les journaux du mois pour le comptable (ventes, règlements)."""


@accounting.command("export")
@click.option("--month", "month_text", required=True, help="AAAA-MM ou MM/AAAA, mois du fuseau de l'entreprise")
@click.option("-o", "--output", "folder", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path), help="Dossier où écrire les fichiers")
@pass_cli
def accounting_export(cli: Cli, month_text, folder: Path) -> None:
    """Écrire le journal des ventes (factures et avoirs du mois, base et TVA par taux) et le journal des
    règlements (paiements reçus et remboursements du mois), en CSV."""
    year, month = _month(month_text)
    month_period(year, month)  # a month that does not exist is refused before anything is written
    journals = cli.container.accounting()
    company_id = cli.company_id()
    label = f"{year}-{month:02d}"
    sales_path, payments_path = folder / f"ventes-{label}.csv", folder / f"reglements-{label}.csv"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sold = _write_sales(sales_path, journals.sales(company_id, year, month))
        paid = _write_payments(payments_path, journals.payments(company_id, year, month))
    except OSError as error:
        raise click.ClickException(f"Impossible d'écrire dans {folder} : {error.strerror or error}.") from None
    click.echo(f"{sales_path} : {sold} pièce(s) ; {payments_path} : {paid} règlement(s) ou remboursement(s).")


def _write_sales(path: Path, entries) -> int:
    totals: dict[str, Money] = {}
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        out = csv.writer(file, delimiter=";")
        out.writerow(["Date", "Pièce", "Type", "Client", "Facture corrigée",
                      *[f"{kind} {rate.percent_label}" for rate in RATES for kind in ("Base HT", "TVA")],
                      "Total HT", "Total TVA", "Total TTC"])
        for entry in entries:
            amounts = {f"{kind} {rate.percent_label}": (entry.bases if kind == "Base HT" else entry.vat).get(
                rate, Money.zero()) for rate in RATES for kind in ("Base HT", "TVA")}
            amounts |= {"Total HT": entry.total_ht, "Total TVA": entry.total_vat, "Total TTC": entry.total_ttc}
            for key, amount in amounts.items():
                totals[key] = totals.get(key, Money.zero()) + amount
            out.writerow([entry.day.strftime("%d/%m/%Y"), entry.number, entry.kind, entry.client, entry.corrects,
                          *[euros(amount) for amount in amounts.values()]])
            count += 1
        if count:
            out.writerow(["", "Total", "", "", "", *[euros(amount) for amount in totals.values()]])
    return count


def _write_payments(path: Path, entries) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        out = csv.writer(file, delimiter=";")
        out.writerow(["Date", "Pièce", "Client", "Moyen", "Référence", "Montant"])
        for entry in entries:
            out.writerow([entry.day.strftime("%d/%m/%Y"), entry.piece, entry.client, entry.method, entry.reference,
                          euros(entry.amount)])
        if entries:
            out.writerow(["", "Total", "", "", "", euros(sum((e.amount for e in entries), Money.zero()))])
    return len(entries)
