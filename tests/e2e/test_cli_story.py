"""The help article's story through the ``ogust`` command line: one process per command, its
configuration in the environment (OGUST_*), its own SQLite database, and the session's real shop,
localstripe and SMTP server. Results are read from ``--json`` outputs; refusals from exit codes and
stderr. See ``cli_runner`` for how the processes are started (the ``ogust`` script, or a warm
launcher that spares each command its ~2 s of imports)."""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from tests.e2e.cli_runner import OgustCli, WarmLauncher, script, succeeded
from tests.e2e.helpers import PARIS, messages_to, text_of, unique_email
from tests.support.pdf_text import text_of as pdf_text
from tests.support.shop_contract import assert_matches

pytestmark = pytest.mark.e2e

BASE_URL = "http://ogust.test:8000"
SOON_SECONDS = 12  # time for the order to be placed before its visit begins (a past slot is refused)


@pytest.fixture(scope="module")
def warm_launcher() -> Iterator[WarmLauncher]:
    launcher = WarmLauncher()
    yield launcher
    launcher.close()


@pytest.fixture
def ogust(warm_launcher, tmp_path, fresh_database, fresh_shop_account, shop_server, localstripe_server,
          smtp_server) -> OgustCli:
    return OgustCli(warm_launcher, {
        "OGUST_VAR_DIR": str(tmp_path / "var"),
        "OGUST_DATABASE_URL": fresh_database,
        "OGUST_SHOP_URL": shop_server.base_url,
        "OGUST_SHOP_API_KEY": fresh_shop_account.api_key,
        "OGUST_STRIPE_API_KEY": localstripe_server.api_key,
        "OGUST_STRIPE_API_BASE": localstripe_server.base_url,
        "OGUST_SMTP_HOST": "127.0.0.1",
        "OGUST_SMTP_PORT": str(smtp_server.port),
        "OGUST_MAIL_SENDER": "Aide & Vous <factures@aide-et-vous.example>",
        "OGUST_BASE_URL": BASE_URL,
    }, tmp_path)


def test_the_help_article_story_through_the_cli(ogust, fresh_shop_account, shop_server, localstripe_server,
                                                smtp_server, tmp_path) -> None:
    admin, account = shop_server.admin, fresh_shop_account.id

    assert "Base à jour" in ogust.ok("db", "upgrade", script=True).out
    company = ogust.ok("company", "create", "--name", "Aide & Vous Services", "--street", "12 rue des Lilas",
                       "--postal-code", "69003", "--city", "Lyon", "--siret", "73282932000074",
                       "--sap-number", "SAP123456789", "--sap-date", "2021-03-01", "--json").json
    assert company["shop_linked"] is False

    # tarifs, side by side with two refusals: an unreadable amount and an unknown id
    men, garde, bad_amount, unknown = ogust.together(
        ("tarif", "create", "MEN", "--label", "Ménage", "--unit", "hour", "--price-ht", "25,00", "--vat", "10",
         "--json"),
        ("tarif", "create", "GARDE", "--label", "Garde d'enfants", "--unit", "hour", "--price-ht", "20",
         "--vat", "10", "--json"),
        script("tarif", "create", "BAD", "--label", "Illisible", "--unit", "hour", "--price-ht", "abc", "--vat", "10"),
        script("invoice", "show", "FA-1999-000042"),
    )
    succeeded(men, garde)
    assert (men.json["price_ttc"]["cents"], garde.json["price_ttc"]["cents"]) == (2750, 2200)
    assert bad_amount.code != 0 and "montant illisible" in bad_amount.err and "'abc'" in bad_amount.err, \
        bad_amount
    assert "Traceback" not in bad_amount.err
    assert unknown.code == 3 and "FA-1999-000042" in unknown.err and "introuvable" in unknown.err, unknown
    assert "Traceback" not in unknown.err and unknown.out == ""

    link = ogust.ok("shop", "link", account, "--json").json
    assert link["shop_account_id"] == account and len(link["webhook_secret"]) >= 32

    # mappings, and a mismatch refused with a readable French message and nothing written
    mapped_men, mapped_garde, mismatch = ogust.together(
        ("shop", "map", "svc_menage", "MEN", "--json"),
        ("shop", "map", "svc_garde_enfants", "GARDE"),
        ("shop", "map", "svc_aide_toilette", "MEN"),
    )
    succeeded(mapped_men, mapped_garde)
    assert mapped_men.json == {"shop_service_id": "svc_menage", "tarif_code": "MEN"}
    assert "svc_garde_enfants" in mapped_garde.out and "GARDE" in mapped_garde.out
    assert mismatch.code == 1, mismatch
    message = mismatch.err.replace("\xa0", " ")
    assert message.startswith("Erreur (tarif_mismatch) : Le service boutique svc_aide_toilette ne correspond pas "
                              "au tarif MEN"), message
    assert "prix TTC 31,65 € dans la boutique, 27,50 € dans le tarif" in message
    assert "TVA 5,5 % dans la boutique, 10 % dans le tarif" in message and "Traceback" not in message
    services, tarifs = succeeded(*ogust.together(("shop", "services", "--json"), ("tarif", "list", "--json")))
    services, tarifs = services.json, tarifs.json
    assert sorted(t["code"] for t in tarifs) == ["GARDE", "MEN"]  # the unreadable amount created nothing
    assert {s["id"]: s["mapped_to"] for s in services} == {
        "svc_menage": "MEN", "svc_garde_enfants": "GARDE", "svc_aide_toilette": None}

    # people: an intervenant with skills, another one, a client
    buyer_email = unique_email("jean")
    marie, paul, claire = succeeded(*ogust.together(
        ("intervenant", "create", "--first-name", "Marie", "--last-name", "Curie", "--matricule", "M001",
         "--email", unique_email("marie"), "--service", "svc_menage", "--zone", "69003",
         "--skill", "repassage", "--skill", "premiers secours", "--json"),
        ("intervenant", "create", "--first-name", "Paul", "--last-name", "Martin", "--matricule", "M002",
         "--service", "svc_garde_enfants", "--skill", "BAFA", "--json"),
        ("client", "create", "--first-name", "Claire", "--last-name", "Dubois", "--email", unique_email("claire"),
         "--street", "5 place Bellecour", "--postal-code", "69002", "--city", "Lyon", "--json"),
    ))
    marie, paul, claire = marie.json, paul.json, claire.json
    assert marie["profile"]["skills"] and marie["shop_sync"]["status"] != "in_sync"

    # sent to the shop one by one (the shop shows Marie's skills), then in batch
    synced, transmitted = succeeded(*ogust.together(("intervenant", "sync", "M001", "--json"),
                                                    ("client", "transmit", claire["email"], "--json")))
    assert (synced.json["id"], synced.json["outcome"]) == (marie["id"], "sent")
    assert (transmitted.json["id"], transmitted.json["outcome"]) == (claire["id"], "sent")
    [in_shop] = admin.account(account)["intervenants"]
    assert (in_shop["id"], sorted(in_shop["skills"]), in_shop["zones"]) == (
        marie["id"], ["premiers secours", "repassage"], ["69003"])
    first = ogust.ok("shop", "export", "--json").json
    assert {(r["id"], r["outcome"]) for r in first["records"]} == {
        (marie["id"], "unchanged"), (paul["id"], "sent"), (claire["id"], "unchanged")}
    assert first["summary"] == {"unchanged": 2, "sent": 1}
    again = ogust.ok("shop", "export")
    assert "Bilan : 3 inchangée(s)" in again.out, again.out
    assert {i["id"] for i in admin.account(account)["intervenants"]} == {marie["id"], paul["id"]}
    assert [c["ogust_id"] for c in admin.account(account)["clients"]] == [claire["id"]]

    # an online order, in the shop contract's format, with a card saved on localstripe; then its replay
    stripe_customer, card = localstripe_server.create_customer_with_card("4242424242424242", buyer_email)
    # a visit beginning in a few seconds: once begun it is declared done, then invoiced (only work done is)
    start = (datetime.now(PARIS) + timedelta(seconds=SOON_SECONDS)).replace(microsecond=0)
    end = start + timedelta(hours=2)
    order = {
        "order_id": f"ord_{uuid.uuid4().hex[:12]}", "account_id": account,
        "placed_at": datetime.now(PARIS).isoformat(timespec="seconds"),
        "customer": {"shop_client_id": f"cli_{uuid.uuid4().hex[:16]}", "email": buyer_email, "first_name": "Jean",
                     "last_name": "Dupont", "phone": "0612345678",
                     "address": {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}},
        "payment": {"stripe_customer_id": stripe_customer, "stripe_payment_method_id": card},
        "items": [{"service_id": "svc_menage", "intervenant_id": marie["id"], "start": start.isoformat(),
                   "end": end.isoformat(), "unit_price_ttc_cents": 2750}],
    }
    assert_matches("Order", order)
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    accepted = ogust.ok("order", "place", str(order_file), "--json").json
    assert_matches("OrderAccepted", accepted)
    assert (accepted["order_id"], accepted["replayed"], len(accepted["intervention_ids"])) == (
        order["order_id"], False, 1)
    replay = ogust.ok("order", "place", str(order_file))
    assert f"Commande {order['order_id']} déjà reçue : rien de nouveau." in replay.out, replay.out
    assert f"Devis accepté {accepted['devis_id']}" in replay.out

    [devis] = ogust.ok("devis", "list", "--json").json
    assert (devis["id"], devis["status"], devis["shop_order_id"], devis["client_id"], devis["total_ttc"]["cents"]) \
        == (accepted["devis_id"], "accepted", order["order_id"], accepted["client_id"], 5500)

    # invoice from the devis once its visit is declared done; validating it debits the card, publishes and
    # emails (the CLI runs the outbox)
    planned = ogust("invoice", "from-devis", devis["id"])
    assert planned.code == 1 and "1 encore prévue(s)" in planned.err, planned
    time.sleep(max(0.0, (start - datetime.now(PARIS)).total_seconds()) + 0.5)  # the visit has begun
    [intervention_id] = accepted["intervention_ids"]
    assert f"Intervention {intervention_id} réalisée." in ogust.ok("intervention", "done", intervention_id).out
    draft = ogust.ok("invoice", "from-devis", devis["id"], "--json").json
    assert (draft["status"], draft["number"], draft["total_ttc"]["cents"]) == ("draft", None, 5500)
    validated = ogust.ok("invoice", "validate", draft["id"], "--json", script=True).json
    number = validated["number"]
    assert (validated["id"], validated["status"]) == (draft["id"], "paid"), validated
    [attempt] = validated["payment_attempts"]
    intents = localstripe_server.list_payment_intents(stripe_customer)
    assert [(i["id"], i["status"], i["amount"]) for i in intents] == [(attempt["payment_intent_id"], "succeeded",
                                                                       5500)]
    twice = ogust("invoice", "validate", number)
    assert twice.code == 4 and "invoice_already_validated" in twice.err, twice

    year = datetime.now(PARIS).year
    document = tmp_path / "facture.pdf"
    shown, emails, outbox, written, generated = succeeded(*ogust.together(
        ("invoice", "show", number),
        ("emails", "--json"),
        ("outbox", "list", "--json"),
        ("invoice", "document", number, "-o", str(document)),
        ("attestation", "generate", buyer_email, "--year", str(year), "--json"),
    ))
    assert f"Facture {number} — {draft['id']} — payée" in shown.out, shown.out
    assert f"réussi {attempt['payment_intent_id']}" in shown.out
    assert [(e["kind"], e["status"], e["to_email"]) for e in emails.json] == [
        ("debit_confirmed", "sent", buyer_email)]
    assert outbox.json["jobs"] and {j["status"] for j in outbox.json["jobs"]} == {"done"}, outbox.json
    assert str(document) in written.out
    shown_pdf = pdf_text(document.read_bytes())
    assert number in shown_pdf and "Jean" in shown_pdf and "55,00" in shown_pdf
    attestation = generated.json
    assert (attestation["status"], attestation["amount_paid"]["cents"], attestation["total_minutes"]) == (
        "draft", 5500, 120)

    [debit_email] = messages_to(smtp_server, buyer_email, 1)
    assert number in debit_email["Subject"] and f"{BASE_URL}/documents/" in text_of(debit_email)
    jean_in_shop = [c for c in admin.account(account)["clients"] if c["ogust_id"] == accepted["client_id"]]
    assert [c["email"] for c in jean_in_shop] == [buyer_email]
    shop_client_id = jean_in_shop[0]["shop_client_id"]
    assert [(d["kind"], d["number"]) for d in admin.account(account)["documents"][shop_client_id]] == [
        ("invoice", number)]

    # the attestation fiscale is validated once the year is over (tests/integration/security_input/
    # test_attestation_year.py validates it then, through the CLI, on a clock moved to January)
    early = ogust("attestation", "validate", attestation["id"])
    assert early.code == 4 and f"L'année {year} n'est pas terminée" in early.err, early
    still = ogust.ok("attestation", "show", attestation["id"], "--json").json
    assert (still["status"], still["number"]) == ("draft", None), still
