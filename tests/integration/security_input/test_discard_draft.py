"""Supprimer un brouillon de facture (DELETE /api/invoices/{id}, ogust invoice discard): a draft is no
invoice (no number, never sent); its interventions are released — to be cancelled, or invoiced again.
A validated invoice is not deleted (409): a credit note corrects it."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from ogust.entrypoints.cli import billing_commands
from ogust.entrypoints.cli.base import Cli
from tests.integration.security_input.test_declare_done import booked
from tests.support.planning import declare_done

pytestmark = pytest.mark.integration


def test_a_draft_is_discarded_and_its_intervention_invoiced_again(offline_api, http):
    intervention_id, _ = booked(offline_api)
    declare_done(offline_api.container, offline_api.company_id, intervention_id)  # only work done is invoiced
    devis_id = http.get(f"/api/interventions/{intervention_id}").json()["devis_id"]
    draft = http.post("/api/invoices/from-devis", json={"devis_id": devis_id}).json()
    stuck = http.post(f"/api/interventions/{intervention_id}/cancel")
    assert stuck.status_code == 409 and "supprimez ce brouillon" in stuck.json()["detail"], stuck.text

    discarded = http.delete(f"/api/invoices/{draft['id']}")
    assert discarded.status_code == 200 and discarded.json()["id"] == draft["id"], discarded.text
    assert http.get(f"/api/invoices/{draft['id']}").status_code == 404
    assert http.get(f"/api/interventions/{intervention_id}").json()["invoice_id"] is None
    again = http.post("/api/invoices/from-devis", json={"devis_id": devis_id})
    assert again.status_code == 201 and again.json()["id"] != draft["id"], again.text
    assert http.get(f"/api/interventions/{intervention_id}").json()["invoice_id"] == again.json()["id"]


def test_a_validated_invoice_is_not_discarded_and_the_cli_says_so(offline_api, http):
    cli = Cli(_container=offline_api.container)
    validated = http.post(f"/api/invoices/{offline_api.invoice_id}/validate").json()
    refused = http.delete(f"/api/invoices/{offline_api.invoice_id}")
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    run = CliRunner().invoke(billing_commands.invoice, ["discard", validated["number"]], obj=cli)
    assert run.exit_code == 4, run.output
    assert http.get(f"/api/invoices/{offline_api.invoice_id}").json()["status"] == "validated"

    draft = http.post("/api/invoices/manual", json={"client_id": offline_api.client_id, "lines": [
        {"tarif_code": "MEN", "quantity": 60, "performed_on": "2026-04-06",
         "intervenant_id": offline_api.intervenant_id}]}).json()
    run = CliRunner().invoke(billing_commands.invoice, ["discard", draft["id"]], obj=cli)
    assert run.exit_code == 0 and f"Brouillon {draft['id']} supprimé" in run.output, run.output
    assert [i["id"] for i in http.get("/api/invoices").json()] == [offline_api.invoice_id]
