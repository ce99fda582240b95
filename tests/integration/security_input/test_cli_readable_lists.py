"""What the CLI prints is read by an operator, in French (issue 18's smaller points): emails with their
date, subject and status; the audit log's « créé / modifié »; lists naming the client; the shop's client
id; a draft without « reste 0,00 € »; a sync said of the record, whoever it is."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ogust.entrypoints.cli import access_commands, billing_commands, ops_commands, people_commands
from ogust.entrypoints.cli.base import Cli

pytestmark = pytest.mark.integration


def run(api, command, *args: str) -> str:
    result = CliRunner().invoke(command, list(args), obj=Cli(_container=api.container))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_draft_in_the_invoice_list_names_its_client_and_asks_for_nothing(offline_api):
    out = run(offline_api, billing_commands.invoice, "list")
    [line] = [l for l in out.splitlines() if offline_api.invoice_id in l]
    assert line.startswith("brouillon") and "Jean Dupont" in line and "reste" not in line
    run(offline_api, billing_commands.invoice, "validate", offline_api.invoice_id)
    [line] = [l for l in run(offline_api, billing_commands.invoice, "list").splitlines()
              if offline_api.invoice_id in l]
    assert "Jean Dupont" in line and re.search(r"reste\s+\d", line)


def test_emails_say_when_what_and_how_it_went(offline_api):
    run(offline_api, billing_commands.invoice, "validate", offline_api.invoice_id)
    out = run(offline_api, ops_commands.emails)
    [line] = [l for l in out.splitlines() if "jean.dupont@example.fr" in l]
    assert re.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}  envoyé", line), line
    assert "Facture disponible" in line and "invoice_available" not in line


def test_the_audit_log_in_french(offline_api):
    out = run(offline_api, access_commands.audit, "--entity", offline_api.client_id)
    assert " créé " in out and " created " not in out


def test_the_shop_client_id_is_shown(offline_api):
    with offline_api.container.uow() as uow:
        uow.clients.get(offline_api.company_id, offline_api.client_id).shop_client_id = "shop-cli-42"
        uow.commit()
    assert "client boutique : shop-cli-42" in run(offline_api, people_commands.client, "show", "jean.dupont@example.fr")
    [line] = [l for l in run(offline_api, people_commands.client, "list").splitlines() if "Jean Dupont" in l]
    assert "shop-cli-42" in line


def test_a_sync_is_said_of_the_record(offline_api):
    with offline_api.container.uow() as uow:
        uow.companies.get(offline_api.company_id).link_shop("acc_demo", "secret-de-test-0123456789")
        uow.commit()
    out = run(offline_api, people_commands.intervenant, "sync", "M001")
    assert out.strip() == "Marie Curie : fiche envoyée à la boutique", out
