"""The CLI gets the same rules as the API (they live in the domain): a readable French message on
stderr, a non-zero exit code, nothing written."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from ogust.entrypoints.cli import billing_commands, people_commands, setup_commands
from ogust.entrypoints.cli.base import Cli

pytestmark = pytest.mark.integration

CLIENT = ["create", "--first-name", "Zoé", "--last-name", "Lefèvre", "--email", "zoe@example.fr",
          "--street", "3 rue Haute", "--postal-code", "69003", "--city", "Lyon"]


def clients(api) -> int:
    with api.container.uow() as uow:
        return len(uow.clients.list(api.company_id))


@pytest.mark.parametrize("extra,message", [
    (["--phone", "0611"], "Numéro de téléphone invalide"),
    (["--postal-code", "96000"], "Code postal invalide"),
    (["--email", "zoe@"], "Adresse email invalide"),
    (["--first-name", "Z" * 201], "trop long"),
])
def test_client_create_refuses_bad_values(offline_api, extra, message):
    before = clients(offline_api)
    result = CliRunner().invoke(people_commands.client, CLIENT + extra, obj=Cli(_container=offline_api.container))
    assert result.exit_code == 1, result.output
    assert "Erreur (invalid_value)" in result.output and message in result.output
    assert clients(offline_api) == before


def test_company_create_checks_the_siret(offline_api):
    result = CliRunner().invoke(setup_commands.company, [
        "create", "--name", "X", "--street", "1 rue", "--postal-code", "75001", "--city", "Paris",
        "--siret", "12345678900012", "--sap-number", "SAP1", "--sap-date", "2021-03-01"],
        obj=Cli(_container=offline_api.container))
    assert result.exit_code == 1 and "SIRET invalide" in result.output
    with offline_api.container.uow() as uow:
        assert len(uow.companies.list()) == 1


@pytest.mark.parametrize("line,expected", [
    ("MEN:60:2026-02-30:M001", "date invalide dans 'MEN:60:2026-02-30:M001' : 2026-02-30"),
    ("MEN:60", "se facture avec la date de l'intervention et l'intervenant (art. D.7233-1"),
    ("MEN:60:2026-04-06", "se facture avec l'intervenant (art. D.7233-1"),
    ("MEN:²:2026-04-06:M001", "ligne illisible : 'MEN:²:2026-04-06:M001'"),
    ("MEN:60:2026-04-06:M001:en trop", "ligne illisible"),
])
def test_manual_invoice_line_without_a_real_day_or_an_intervenant(offline_api, line, expected):
    before = len(offline_api.container.queries().invoices(offline_api.company_id))
    result = CliRunner().invoke(billing_commands.invoice, ["manual", offline_api.client_id, "--line", line],
                                obj=Cli(_container=offline_api.container))
    assert result.exit_code in (1, 2) and expected in result.output and "Traceback" not in result.output, \
        result.output
    assert len(offline_api.container.queries().invoices(offline_api.company_id)) == before


def test_manual_invoice_quantity_bound(offline_api):
    result = CliRunner().invoke(billing_commands.invoice, ["manual", offline_api.client_id, "--line", "MEN:100001"],
                                obj=Cli(_container=offline_api.container))
    assert result.exit_code != 0 and "Quantité invalide" in result.output, result.output


@pytest.mark.parametrize("group,args,message", [
    (setup_commands.tarif, ["create", "INF", "--label", "X", "--unit", "hour", "--price-ht", "inf", "--vat", "10"],
     "montant invalide : 'inf'"),
    (setup_commands.tarif, ["create", "NAN", "--label", "X", "--unit", "hour", "--price-ht", "NaN", "--vat", "10"],
     "montant invalide : 'NaN'"),
    (billing_commands.invoice, ["run", "--month", "2026-10", "--rate", "nan"], "débits par seconde"),
    (people_commands.intervenant, ["planning", "M001", "--from", "0001-01-01", "--to", "9999-12-31"],
     "Année invalide : 1 (de 2000 à 2100)"),
    (people_commands.client, ["export", "jean.dupont@example.fr", "-o", "/nonexistent/x.zip"],
     "Impossible d'écrire /nonexistent/x.zip"),
])
def test_absurd_values_and_unwritable_files_are_said_not_raised(offline_api, group, args, message):
    """inf, NaN, year 1, a folder that does not exist: a French message and a non-zero exit, no traceback."""
    result = CliRunner().invoke(group, args, obj=Cli(_container=offline_api.container))
    assert result.exit_code in (1, 2) and message in result.output, (result.exit_code, result.output)
    assert not isinstance(result.exception, (OverflowError, ValueError, OSError)), result.exception


def test_a_document_to_a_folder_that_does_not_exist(offline_api):
    cli = Cli(_container=offline_api.container)
    CliRunner().invoke(billing_commands.invoice, ["validate", offline_api.invoice_id], obj=cli)
    result = CliRunner().invoke(billing_commands.invoice, ["document", offline_api.invoice_id, "-o",
                                                           "/nonexistent/x.pdf"], obj=cli)
    assert result.exit_code == 1 and "Impossible d'écrire /nonexistent/x.pdf" in result.output, result.output


def test_a_database_never_migrated_is_said_not_a_traceback(tmp_path):
    """An empty SQLite file (a database never migrated): said, with what to run."""
    from ogust.entrypoints.cli import main

    (tmp_path / "vide.db").touch()
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    result = CliRunner().invoke(main, ["company", "show"], env={"OGUST_VAR_DIR": str(tmp_path / "var"),
                                                               "OGUST_DATABASE_URL": url})
    assert result.exit_code == 1, result.output
    assert f"base de données inaccessible ou non initialisée ({url} : no such table: companies)" in result.output
    assert "« ogust db upgrade »" in result.output and "Traceback" not in result.output
