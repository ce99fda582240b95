"""The month's journals for the accountant, as CSV files a spreadsheet opens as they are (French:
« ; » between columns, decimal comma, UTF-8 with its mark)."""
from __future__ import annotations

from pathlib import Path

import click

from ogust.application.periods import month_period
from ogust.entrypoints.accounting_csv import ENCODING, payments_csv, sales_csv
from ogust.entrypoints.cli.base import Cli, OgustGroup, pass_cli
from ogust.entrypoints.cli.billing_commands import _month


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
        sales, sold = sales_csv(journals.sales(company_id, year, month))
        sales_path.write_text(sales, encoding=ENCODING, newline="")
        payments, paid = payments_csv(journals.payments(company_id, year, month))
        payments_path.write_text(payments, encoding=ENCODING, newline="")
    except OSError as error:
        raise click.ClickException(f"Impossible d'écrire dans {folder} : {error.strerror or error}.") from None
    click.echo(f"{sales_path} : {sold} pièce(s) ; {payments_path} : {paid} règlement(s) ou remboursement(s).")
