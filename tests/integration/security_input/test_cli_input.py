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
