"""Enregistrer un règlement through the API (POST /api/invoices/{ref}/payments) and the CLI (ogust invoice
pay): the invoice is paid, published paid, shown with its payment and counted on the attestation; every
refusal is a French problem+json (a readable message and a non-zero exit code) and writes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.application import commands as c
from ogust.application.outbox import Effect
from ogust.entrypoints.cli import billing_commands
from ogust.entrypoints.cli.base import Cli
from tests.fakes import FixedClock
from tests.support.pdf_text import flat, text_of
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
TTC = 4125  # 1 h 30 of MEN at 25,00 € HT, VAT 10 %


def today() -> str:
    return datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()


def validated(api, http) -> dict:
    """The fixture's draft invoice (Jean, no card saved), validated; the shop linked to see it published."""
    api.container.link_shop()(c.LinkShopAccount(api.company_id, "acc_demo"))
    response = http.post(f"/api/invoices/{api.invoice_id}/validate")
    assert response.status_code == 200, response.text
    api.container.processor().run_until_idle()  # published "validated"; the charge job finds no card
    return response.json()


def payments(api) -> int:
    with api.container.uow() as uow:
        return len(uow.payments.list(api.company_id))


def test_a_cheque_through_the_api(offline_api, http):
    invoice = validated(offline_api, http)
    response = http.post(f"/api/invoices/{invoice['number']}/payments", json={
        "method": "cheque", "received_on": today(), "reference": "1234567", "amount_cents": TTC})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["id"], body["status"], body["payment_reference"]) == (invoice["id"], "paid", "1234567")
    [payment] = body["payments"]
    assert (payment["method"], payment["reference"], payment["amount"]["cents"]) == ("cheque", "1234567", TTC)
    assert payment["received_at"].startswith(today()) and body["payment_attempts"] == []
    assert http.get(f"/api/invoices/{invoice['id']}").json()["payments"] == [payment]

    offline_api.container.processor().run_until_idle()
    document = next(d for d in offline_api.shop.documents.values() if d.id == invoice["id"])
    assert document.status == "paid"
    with offline_api.container.uow() as uow:
        effects = {j.effect for j in uow.outbox.list(offline_api.company_id)}
    assert Effect.MAIL_DEBIT_CONFIRMED.value not in effects and Effect.PUBLISH_INVOICE.value in effects

    year = int(today()[:4])
    attestation = http.post("/api/attestations", json={"client_id": offline_api.client_id, "year": year})
    assert attestation.status_code == 201 and attestation.json()["amount_paid"]["cents"] == TTC

    again = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "transfer", "received_on": today()})
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["code"] == "invalid_transition" and "déjà payée" in again.json()["detail"]
    assert payments(offline_api) == 1


def test_the_same_idempotency_key_answers_the_first_payment_again(offline_api, http):
    invoice = validated(offline_api, http)
    body, headers = {"method": "transfer", "received_on": today(), "reference": "VIR-42"}, {"Idempotency-Key": "pay-1"}
    first = http.post(f"/api/invoices/{invoice['id']}/payments", json=body, headers=headers)
    second = http.post(f"/api/invoices/{invoice['id']}/payments", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json() and second.headers.get("Idempotent-Replayed") == "true"
    assert payments(offline_api) == 1


@pytest.mark.parametrize("body,status,words", [
    ({"method": "card"}, 422, "method"),
    ({"method": "cheque", "received_on": None}, 422, "received_on"),
    ({"received_on": "tomorrow"}, 422, "futur"),
    ({"amount_cents": TTC + 100}, 422, "dépasse ce qui reste à régler"),
    ({"reference": "12\u00003"}, 422, "caractères de contrôle"),
    ({"reference": "x" * 101}, 422, "reference"),
    ({"unknown": 1}, 422, "unknown"),
])
def test_refusals_are_problems_in_french_and_write_nothing(offline_api, http, body, status, words):
    invoice = validated(offline_api, http)
    sent = {"method": "cheque", "received_on": today()} | body
    if sent.get("received_on") == "tomorrow":
        sent["received_on"] = (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)).isoformat()
    response = http.post(f"/api/invoices/{invoice['id']}/payments", json=sent)
    assert response.status_code == status and response.headers["content-type"].startswith(PROBLEM), response.text
    assert words in response.json()["detail"], response.json()
    assert payments(offline_api) == 0
    assert http.get(f"/api/invoices/{invoice['id']}").json()["status"] == "validated"


def test_a_draft_or_an_unknown_invoice(offline_api, http):
    draft = http.post(f"/api/invoices/{offline_api.invoice_id}/payments",
                      json={"method": "cash", "received_on": today()})
    assert draft.status_code == 409 and "brouillon" in draft.json()["detail"]
    unknown = http.post("/api/invoices/FA-2026-999999/payments", json={"method": "cash", "received_on": today()})
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith(PROBLEM)
    assert payments(offline_api) == 0


def invoke(api, *args):
    return CliRunner().invoke(billing_commands.invoice, list(args), obj=Cli(_container=api.container))


def test_ogust_invoice_pay(offline_api, http):
    invoice = validated(offline_api, http)
    paid = invoke(offline_api, "pay", invoice["number"], "--method", "cheque", "--on", today(),
                  "--reference", "1234567", "--amount", "41,25")
    assert paid.exit_code == 0, paid.output
    day = datetime.now(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y")
    assert f"Règlement enregistré : facture {invoice['number']} payée." in paid.output
    assert "Statut : payée" in paid.output
    shown = invoke(offline_api, "show", invoice["number"])
    assert f"Règlement : 41,25\u00a0€ par chèque (réf. 1234567), reçu le {day}" in shown.output, shown.output
    assert invoke(offline_api, "show", invoice["number"], "--json").output.count('"method": "cheque"') == 1

    again = invoke(offline_api, "pay", invoice["id"], "--method", "virement", "--on", today())
    assert again.exit_code == 4 and "Erreur (invalid_transition)" in again.output and "déjà payée" in again.output
    assert payments(offline_api) == 1


@pytest.mark.parametrize("args,code,words", [
    (["--method", "carte"], 2, "carte"),
    (["--method", "cheque", "--amount", "50,00"], 1, "dépasse ce qui reste à régler"),
    (["--method", "especes", "--on", "2999-01-01"], 1, "Erreur (invalid_value)"),
    (["--method", "cheque", "--on", "31/02/2026"], 2, "--on"),  # JJ/MM/AAAA is read; 31 February is no date
])
def test_ogust_invoice_pay_refusals(offline_api, http, args, code, words):
    invoice = validated(offline_api, http)
    args = args if "--on" in args else [*args, "--on", today()]
    refused = invoke(offline_api, "pay", invoice["number"], *args)
    assert refused.exit_code == code and words in refused.output, refused.output
    assert payments(offline_api) == 0


def test_an_invoice_covered_by_its_credit_notes_is_settled_not_left_to_pay(offline_api, http):
    """Credited in full before any payment: « soldée par avoir », nothing left to pay, out of the unpaid
    list, published so; a payment is then refused and changes nothing."""
    invoice = validated(offline_api, http)
    part = http.post(f"/api/invoices/{invoice['id']}/credit-notes", json={"reason": "Geste commercial",
                                                                          "amount_cents": 1000})
    assert part.status_code == 201, part.text
    shown = http.get(f"/api/invoices/{invoice['id']}").json()
    assert (shown["status"], shown["credited_ttc"]["cents"], shown["left_to_pay"]["cents"]) == (
        "validated", 1000, TTC - 1000)
    rest = http.post(f"/api/invoices/{invoice['id']}/credit-notes", json={"reason": "Intervention annulée",
                                                                          "full": True})
    assert rest.status_code == 201, rest.text
    shown = http.get(f"/api/invoices/{invoice['id']}").json()
    assert (shown["status"], shown["credited_ttc"]["cents"], shown["left_to_pay"]["cents"]) == ("credited", TTC, 0)
    assert [i["id"] for i in http.get("/api/invoices", params={"status": "validated"}).json()] == []
    offline_api.container.processor().run_until_idle()
    document = next(d for d in offline_api.shop.documents.values() if d.id == invoice["id"])
    assert document.status == "credited"
    refused = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "cheque", "received_on": today()})
    assert refused.status_code == 409 and refused.headers["content-type"].startswith(PROBLEM)
    assert "soldée par avoir" in refused.json()["detail"] and payments(offline_api) == 0


def test_the_unpaid_invoices_and_what_is_left_to_collect(offline_api, http):
    """The receivables: the invoices that still ask for money, with what is left on each and in all."""
    invoice = validated(offline_api, http)
    unpaid = http.get("/api/invoices", params={"unpaid": "true"}).json()
    assert [(i["number"], i["left_to_pay"]["cents"]) for i in unpaid] == [(invoice["number"], TTC)]
    cli = Cli(_container=offline_api.container)
    listed = CliRunner().invoke(billing_commands.invoice, ["list", "--unpaid"], obj=cli)
    assert listed.exit_code == 0 and "Reste à encaisser : 41,25\u00a0€ (1 facture(s))" in listed.output, listed.output
    paid = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "cheque", "received_on": today()})
    assert paid.status_code == 201, paid.text
    assert http.get("/api/invoices", params={"unpaid": "true"}).json() == []
    assert "Aucune facture." in CliRunner().invoke(billing_commands.invoice, ["list", "--unpaid"], obj=cli).output


def test_a_part_in_cesu_then_the_rest_through_the_cli_and_the_api(offline_api, http, tmp_path):
    invoice = validated(offline_api, http)  # 41,25 €
    part = invoke(offline_api, "pay", invoice["number"], "--method", "cesu", "--amount", "20,00", "--on", today(),
                  "--reference", "CESU-1")
    assert part.exit_code == 0, part.output
    assert f"Règlement partiel enregistré : il reste 21,25\u00a0€ à régler sur la facture {invoice['number']}." \
        in part.output
    shown = http.get(f"/api/invoices/{invoice['id']}").json()
    assert (shown["status"], shown["left_to_pay"]["cents"], [p["amount"]["cents"] for p in shown["payments"]]) == (
        "validated", TTC - 2000, [2000])
    written = invoke(offline_api, "document", invoice["number"], "-o", str(tmp_path / "f.pdf"))
    assert written.exit_code == 0, written.output
    assert "à payer : 21,25 € (41,25 € TTC moins les règlements reçus, 20,00 €)" in flat(
        text_of((tmp_path / "f.pdf").read_bytes()))
    rest = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "cheque", "received_on": today()})
    assert rest.status_code == 201, rest.text
    # both received the same day (at noon, as a payment recorded by hand): in either order
    received = sorted(p["amount"]["cents"] for p in rest.json()["payments"])
    assert (rest.json()["status"], received) == ("paid", [2000, 2125])
    assert payments(offline_api) == 2


def test_a_part_paid_by_the_departement_apa_pch(offline_api, http):
    """APA or PCH paid by the département for the client: a payment like another, left off the
    attestation fiscale (not the client's own expense)."""
    invoice = validated(offline_api, http)
    part = http.post(f"/api/invoices/{invoice['id']}/payments", json={"method": "apa_pch", "received_on": today(),
                                                                       "amount_cents": 2000, "reference": "APA-69"})
    assert part.status_code == 201, part.text
    assert [(p["method"], p["amount"]["cents"]) for p in part.json()["payments"]] == [("apa-pch", 2000)]
    rest = invoke(offline_api, "pay", invoice["number"], "--method", "cheque", "--on", today())
    assert rest.exit_code == 0, rest.output
    shown = invoke(offline_api, "show", invoice["number"])
    assert "20,00\u00a0€ par APA / PCH (département) (réf. APA-69)" in shown.output, shown.output
    year = int(today()[:4])
    with clock_of(offline_api.container, FixedClock(datetime(year + 1, 1, 5, tzinfo=ZoneInfo("UTC")))):
        attestation = offline_api.container.generate_attestation()(c.GenerateAttestation(
            offline_api.company_id, offline_api.client_id, year))
    assert attestation.amount_paid.cents == TTC - 2000
