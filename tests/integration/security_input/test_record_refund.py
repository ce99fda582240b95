"""Enregistrer le remboursement d'un avoir through the API (POST /api/credit-notes/{ref}/refund) and
the CLI (ogust credit-note refund): on an invoice paid by cheque then credited, the credit note is
refunded, published so, shown with its means and date — on the PDF too — and the attestation counts
the payment net of it; every refusal is a French problem+json (a readable message and a non-zero
exit code) and writes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.entrypoints.cli import credit_note_commands
from ogust.entrypoints.cli.base import Cli
from tests.integration.security_input.test_record_payment import PROBLEM, TTC, today, validated
from tests.support.pdf_text import text_of

pytestmark = pytest.mark.integration


def paid_then_credited(api, http, cents=1500) -> dict:
    """The fixture's invoice validated, paid by cheque, then a credit note of ``cents`` issued on it."""
    invoice = validated(api, http)
    paid = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "cheque", "received_on": today()})
    assert paid.status_code == 201, paid.text
    note = http.post(f"/api/invoices/{invoice['id']}/credit-notes", json={"reason": "Heure non faite",
                                                                          "amount_cents": cents})
    assert note.status_code == 201, note.text
    return note.json()


def refund_status(api, note_id) -> str:
    with api.container.uow() as uow:
        return uow.credit_notes.get(api.company_id, note_id).refund_status.value


def test_a_cheque_refund_through_the_api(offline_api, http):
    note = paid_then_credited(offline_api, http)
    assert note["refund"] == {"status": "none", "amount": {"cents": 0, "currency": "EUR", "display": "0,00\u00a0€"},
                              "method": None, "payment_intent_id": None, "refund_id": None, "failure": None,
                              "refunded_at": None}
    response = http.post(f"/api/credit-notes/{note['number']}/refund",
                         json={"method": "cheque", "refunded_on": today(), "reference": "7654321"})
    assert response.status_code == 200, response.text
    refund = response.json()["refund"]
    assert (refund["status"], refund["method"], refund["amount"]["cents"], refund["refund_id"]) == (
        "succeeded", "cheque", 1500, "7654321")
    assert refund["refunded_at"].startswith(today())

    offline_api.container.processor().run_until_idle()
    published = [d for d in offline_api.shop.documents.values() if d.id == note["id"]]
    assert [d.status for d in published] == ["refunded"]
    year = int(today()[:4])
    attestation = http.post("/api/attestations", json={"client_id": offline_api.client_id, "year": year})
    assert attestation.status_code == 201 and attestation.json()["amount_paid"]["cents"] == TTC - 1500

    again = http.post(f"/api/credit-notes/{note['id']}/refund", json={"method": "transfer", "refunded_on": today()})
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["code"] == "invalid_transition" and "déjà" in again.json()["detail"]


@pytest.mark.parametrize("body,status,words", [
    ({"method": "card"}, 422, "method"),
    ({"method": "cesu"}, 422, "method"),
    ({"refunded_on": None}, 422, "refunded_on"),
    ({"refunded_on": "tomorrow"}, 422, "futur"),
    ({"reference": "12\u00003"}, 422, "caractères de contrôle"),
    ({"unknown": 1}, 422, "unknown"),
])
def test_refusals_are_problems_in_french_and_write_nothing(offline_api, http, body, status, words):
    note = paid_then_credited(offline_api, http)
    sent = {"method": "cheque", "refunded_on": today()} | body
    if sent.get("refunded_on") == "tomorrow":
        sent["refunded_on"] = (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)).isoformat()
    response = http.post(f"/api/credit-notes/{note['id']}/refund", json=sent)
    assert response.status_code == status and response.headers["content-type"].startswith(PROBLEM), response.text
    assert words in response.json()["detail"], response.json()
    assert refund_status(offline_api, note["id"]) == "none"


def test_nothing_to_refund_when_the_credit_note_came_before_the_payment(offline_api, http):
    invoice = validated(offline_api, http)
    note = http.post(f"/api/invoices/{invoice['id']}/credit-notes",
                     json={"reason": "Geste commercial", "amount_cents": 1500}).json()
    paid = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "transfer", "received_on": today()})
    assert paid.status_code == 201 and paid.json()["payments"][0]["amount"]["cents"] == TTC - 1500
    response = http.post(f"/api/credit-notes/{note['id']}/refund", json={"method": "transfer", "refunded_on": today()})
    assert response.status_code == 409 and response.json()["code"] == "refund_exceeds_payment"
    assert "Rien à rembourser" in response.json()["detail"]
    assert refund_status(offline_api, note["id"]) == "none"
    unknown = http.post("/api/credit-notes/AV-2026-999999/refund", json={"method": "cash", "refunded_on": today()})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith(PROBLEM)


def invoke(api, *args):
    return CliRunner().invoke(credit_note_commands.credit_note, list(args), obj=Cli(_container=api.container))


def test_ogust_credit_note_refund(offline_api, http, tmp_path):
    note = paid_then_credited(offline_api, http)
    done = invoke(offline_api, "refund", note["number"], "--method", "virement", "--on", today(),
                  "--reference", "VIR-77")
    assert done.exit_code == 0, done.output
    assert f"Remboursement enregistré : avoir {note['number']}, 15,00\u00a0€." in done.output
    day = datetime.now(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y")
    shown = invoke(offline_api, "show", note["number"])
    assert f"Remboursement : remboursé 15,00\u00a0€ par virement le {day} (réf. VIR-77)" in shown.output, shown.output
    written = invoke(offline_api, "document", note["number"], "-o", str(tmp_path / "avoir.pdf"))
    assert written.exit_code == 0, written.output
    assert (f"Remboursé : 15,00 € par virement, le {day} (réf. VIR-77)."
            in text_of((tmp_path / "avoir.pdf").read_bytes()))

    again = invoke(offline_api, "refund", note["id"], "--method", "cheque", "--on", today())
    assert again.exit_code == 4 and "Erreur (invalid_transition)" in again.output


@pytest.mark.parametrize("args,code,words", [
    (["--method", "carte"], 2, "carte"),
    (["--method", "cesu"], 2, "cesu"),
    (["--method", "especes", "--on", "2999-01-01"], 1, "Erreur (invalid_value)"),
    (["--method", "cheque", "--on", "31/02/2026"], 2, "--on"),  # JJ/MM/AAAA is read; 31 February is no date
])
def test_ogust_credit_note_refund_refusals(offline_api, http, args, code, words):
    note = paid_then_credited(offline_api, http)
    args = args if "--on" in args else [*args, "--on", today()]
    refused = invoke(offline_api, "refund", note["number"], *args)
    assert refused.exit_code == code and words in refused.output, refused.output
    assert refund_status(offline_api, note["id"]) == "none"
