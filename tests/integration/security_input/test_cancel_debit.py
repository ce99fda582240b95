"""Annuler le débit en attente through the API (POST /api/invoices/{ref}/cancel-debit) and the CLI
(ogust invoice cancel-debit): a debit awaiting the client's 3-D Secure confirmation is cancelled, the
invoice can then be settled by cheque; refusals are French problem+json (a readable message and a
non-zero exit code) and write nothing; no answer from the payment provider is a 503."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from ogust.adapters.documents.links import LinkTarget
from ogust.application import commands as c
from ogust.application.ports import ChargeOutcome
from ogust.entrypoints.cli import billing_commands
from ogust.entrypoints.cli.base import Cli
from tests.integration.security_input.test_record_payment import PROBLEM, today

pytestmark = pytest.mark.integration


def awaiting_authentication(api, http) -> dict:
    """The fixture's invoice for Jean, whose card needs 3-D Secure, validated and its debit tried."""
    with api.container.uow() as uow:
        uow.clients.get(api.company_id, api.client_id).save_payment_method("cus_jean", "pm_jean")
        uow.commit()
    api.gateway.script("pm_jean", ChargeOutcome.AUTHENTICATION_REQUIRED)
    api.container.link_shop()(c.LinkShopAccount(api.company_id, "acc_demo"))
    response = http.post(f"/api/invoices/{api.invoice_id}/validate")
    assert response.status_code == 200, response.text
    api.container.processor().run_until_idle()
    invoice = http.get(f"/api/invoices/{api.invoice_id}").json()
    assert invoice["status"] == "needs_authentication", invoice
    return invoice


def test_cancel_then_a_cheque_through_the_api(offline_api, http):
    invoice = awaiting_authentication(offline_api, http)
    token = offline_api.container.links().token(LinkTarget(offline_api.company_id, "pay", invoice["id"]))
    waiting = http.get(f"/pay/{token}")  # no Stripe publishable key here: the page says whom to turn to
    assert "3-D Secure" in waiting.text and "contactez-nous" in waiting.text and "<script" not in waiting.text
    refused = http.post(f"/api/invoices/{invoice['number']}/payments",
                        json={"method": "cheque", "received_on": today()})
    assert refused.status_code == 409 and "3-D Secure" in refused.json()["detail"]

    response = http.post(f"/api/invoices/{invoice['number']}/cancel-debit")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["payment_failure"]) == ("payment_failed",
                                                         "Débit annulé avant la confirmation 3-D Secure du client")
    assert [a["status"] for a in body["payment_attempts"]] == ["failed"]

    token = offline_api.container.links().token(LinkTarget(offline_api.company_id, "pay", invoice["id"]))
    page = http.get(f"/pay/{token}")
    assert page.status_code == 200 and "Statut : paiement non abouti" in page.text
    assert "3-D Secure" not in page.text and "nous vous contactons" in page.text  # nothing left to confirm

    paid = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "cheque", "received_on": today()})
    assert paid.status_code == 201 and paid.json()["status"] == "paid"
    assert offline_api.gateway.debited == []

    again = http.post(f"/api/invoices/{invoice['id']}/cancel-debit")
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["code"] == "invalid_transition"
    assert "n'attend la confirmation du client" in again.json()["detail"]


def test_no_answer_from_the_payment_provider_is_a_503_and_changes_nothing(offline_api, http):
    invoice = awaiting_authentication(offline_api, http)
    offline_api.gateway.fail_unknown()
    response = http.post(f"/api/invoices/{invoice['id']}/cancel-debit")
    assert response.status_code == 503 and response.headers["content-type"].startswith(PROBLEM), response.text
    assert response.json()["code"] == "payment_provider_unavailable"
    assert http.get(f"/api/invoices/{invoice['id']}").json()["status"] == "needs_authentication"
    unknown = http.post("/api/invoices/FA-2026-999999/cancel-debit")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith(PROBLEM)


def invoke(api, *args):
    return CliRunner().invoke(billing_commands.invoice, list(args), obj=Cli(_container=api.container))


def test_ogust_invoice_cancel_debit(offline_api, http):
    invoice = awaiting_authentication(offline_api, http)
    done = invoke(offline_api, "cancel-debit", invoice["number"])
    assert done.exit_code == 0, done.output
    assert f"Débit annulé : la facture {invoice['number']} attend un règlement." in done.output
    assert "Statut : en échec de paiement" in done.output

    again = invoke(offline_api, "cancel-debit", invoice["number"])
    assert again.exit_code == 4 and "Erreur (invalid_transition)" in again.output
    paid = invoke(offline_api, "pay", invoice["number"], "--method", "cheque", "--on", today())
    assert paid.exit_code == 0, paid.output


def test_ogust_invoice_cancel_debit_without_answer_exits_5(offline_api, http):
    invoice = awaiting_authentication(offline_api, http)
    offline_api.gateway.fail_unknown()
    refused = invoke(offline_api, "cancel-debit", invoice["number"])
    assert refused.exit_code == 5 and "Prestataire de paiement sans réponse" in refused.output, refused.output
