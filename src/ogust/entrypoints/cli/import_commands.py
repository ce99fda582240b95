"""ogust import: the history of the company's former software, from CSV files (README, « Reprendre
l'historique »)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ogust.application import commands as c
from ogust.entrypoints.cli.base import Cli, OgustGroup, json_option, output, pass_cli
from ogust.entrypoints.import_view import report_dict, report_lines

MAX_FILE_BYTES = 50 * 1024 * 1024  # far beyond the 100,000 lines a file may hold


@click.group("import", cls=OgustGroup)
def import_() -> None:
    """Reprendre l'historique de l'ancien logiciel : clients, intervenants, factures et règlements (CSV « ; »,
    colonnes décrites dans le README)."""


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise click.ClickException(f"{path} : plus de {MAX_FILE_BYTES // (1024 * 1024)} Mo, découpez-le.")
        return path.read_bytes()
    except OSError as error:
        raise click.ClickException(f"Impossible de lire {path} : {error.strerror or error}.") from None


def _run(cli: Cli, files: list[tuple[str, Path]], dry_run: bool, as_json: bool) -> None:
    command = c.ImportHistory(cli.company_id(), tuple(c.ImportFile(kind, _read(path), path.name)
                                                      for kind, path in files), dry_run)
    report = cli.container.import_history()(command)
    output(report_dict(report), as_json, report_lines(report))
    if report.refusals:
        sys.exit(1)


_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Vérifier seulement : rien n'est écrit.")


def _one(kind: str, help_text: str):
    @import_.command(kind, help=help_text)
    @click.argument("file", type=_FILE, metavar="FICHIER")
    @_DRY_RUN
    @json_option
    @pass_cli
    def command(cli: Cli, file: Path, dry_run: bool, as_json: bool) -> None:
        _run(cli, [(kind, file)], dry_run, as_json)

    return command


clients = _one("clients", "Importer les clients (un par email ; ceux déjà connus restent tels quels).")
intervenants = _one("intervenants", "Importer les intervenants (un par matricule ; ceux déjà connus restent tels "
                    "quels).")
invoices = _one("invoices", "Importer les factures émises par l'ancien logiciel (une ligne par ligne de facture), "
                "gardées avec leur numéro et leur date.")
payments = _one("payments", "Importer les règlements reçus par l'ancien logiciel ; ils comptent sur l'attestation "
                "fiscale de leur année.")


@import_.command("all")
@click.option("--clients", type=_FILE, metavar="FICHIER", help="Fichier des clients")
@click.option("--intervenants", type=_FILE, metavar="FICHIER", help="Fichier des intervenants")
@click.option("--invoices", type=_FILE, metavar="FICHIER", help="Fichier des factures")
@click.option("--payments", type=_FILE, metavar="FICHIER", help="Fichier des règlements")
@_DRY_RUN
@json_option
@pass_cli
def import_all(cli: Cli, clients, intervenants, invoices, payments, dry_run: bool, as_json: bool) -> None:
    """Importer plusieurs fichiers en une seule transaction (tous, ou rien)."""
    files = [(kind, path) for kind, path in (("clients", clients), ("intervenants", intervenants),
                                             ("invoices", invoices), ("payments", payments)) if path]
    if not files:
        raise click.UsageError("Donnez au moins un fichier (--clients, --intervenants, --invoices, --payments).")
    _run(cli, files, dry_run, as_json)
