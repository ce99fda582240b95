"""The help article's story over HTTP, on the real parts: ogust's REST API served in a thread, its own
SQLite database, the reference shop, localstripe and an SMTP server.

Link the shop → map services to tarifs (a mismatch refused) → sync an intervenant and a client →
export in batch → an order placed in the shop reaches ogust (signed webhook) → invoice, validation,
debit, publication and email with a download link → attestation fiscale published and emailed.
Then the errors: RFC 9457 problem+json with a stable ``code``, and nothing written when refused."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import httpx
import pytest

from ogust_shop.webhook import deliver
from tests.e2e.helpers import (
    PARIS,
    PROBLEM_JSON,
    future_slot,
    link_in,
    messages_to,
    text_of,
    unique_email,
)
from tests.fakes import FixedClock
from tests.support.pdf_text import text_of as pdf_text
from tests.support.planning import ShiftedClock, clock_of
from tests.support.shop_contract import assert_matches

pytestmark = pytest.mark.e2e

COMPANY = {"name": "Aide & Vous Services", "siret": "73282932000074", "sap_declaration_number": "SAP123456789",
           "sap_declaration_date": "2021-03-01", "email": "contact@aide-et-vous.example",
           "address": {"street": "12 rue des Lilas", "postal_code": "69003", "city": "Lyon"}}


def ok(response: httpx.Response, status: int = 200) -> dict | list:
    assert response.status_code == status, f"{response.request.method} {response.request.url} -> " \
                                           f"{response.status_code}: {response.text}"
    return response.json()


def problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["title"] and body["detail"] and body["type"].endswith(f"/{code}"), body
    return body


def set_up_company(http: httpx.Client) -> dict:
    """The installation's first company: created without a key, it answers with an operator key (shown
    once) that every later call carries."""
    company = ok(http.post("/api/companies", json=COMPANY), 201)
    assert company["api_key"].startswith("ogk_")
    http.headers["Authorization"] = f"Bearer {company['api_key']}"
    for code, label, cents, vat in (("MEN", "Ménage", 2500, "10"), ("GARDE", "Garde d'enfants", 2000, "10"),
                                    ("TOIL", "Aide à la toilette", 3000, "10")):
        ok(http.post("/api/tarifs", json={"code": code, "label": label, "unit": "hour", "price_ht_cents": cents,
                                          "vat_rate": vat}), 201)
    return company


def test_the_help_article_story_over_http(ogust_api, fresh_shop_account, shop_server, localstripe_server,
                                          smtp_server) -> None:
    http, admin, account = ogust_api.http, shop_server.admin, fresh_shop_account.id

    # the API documents itself
    assert ok(http.get("/openapi.json"))["paths"]["/api/shop/orders"]["post"]
    docs = http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()

    # ---- set-up: company, tarifs, shop link (the secret is shown once), mappings
    company = set_up_company(http)
    assert {t["code"]: t["price_ttc"]["cents"] for t in ok(http.get("/api/tarifs"))} == {
        "MEN": 2750, "GARDE": 2200, "TOIL": 3300}
    link = ok(http.post("/api/shop/link", json={"shop_account_id": account}))
    assert link["shop_account_id"] == account and len(link["webhook_secret"]) >= 32
    admin.create_account(account, api_key=fresh_shop_account.api_key,
                         webhook_url=f"{ogust_api.base_url}/api/shop/orders", webhook_secret=link["webhook_secret"])
    [linked] = ok(http.get("/api/companies"))
    assert (linked["id"], linked["shop_account_id"], linked["shop_linked"]) == (company["id"], account, True)

    services = ok(http.get("/api/shop/services"))
    assert {s["id"]: s["mapped_to"] for s in services} == {
        "svc_menage": None, "svc_garde_enfants": None, "svc_aide_toilette": None}
    ok(http.post("/api/shop/mappings", json={"shop_service_id": "svc_menage", "tarif_code": "MEN"}), 201)
    ok(http.post("/api/shop/mappings", json={"shop_service_id": "svc_garde_enfants", "tarif_code": "GARDE"}), 201)
    before = ok(http.get("/api/shop/mappings"))
    refused = problem(http.post("/api/shop/mappings",
                                json={"shop_service_id": "svc_aide_toilette", "tarif_code": "TOIL"}),
                      422, "tarif_mismatch")
    assert "svc_aide_toilette" in refused["detail"] and "TOIL" in refused["detail"]
    detail = refused["detail"].replace("\xa0", " ")
    assert "prix TTC 31,65 € dans la boutique, 33,00 € dans le tarif" in detail, detail
    assert "TVA 5,5 % dans la boutique, 10 % dans le tarif" in detail, detail
    assert len(refused["details"]["differences"]) == 2
    assert ok(http.get("/api/shop/mappings")) == before
    assert {s["id"]: s["mapped_to"] for s in ok(http.get("/api/shop/services"))} == {
        "svc_menage": "MEN", "svc_garde_enfants": "GARDE", "svc_aide_toilette": None}

    # ---- an intervenant with skills, synchronised: the shop shows the skills
    marie = ok(http.post("/api/intervenants", json={
        "first_name": "Marie", "last_name": "Curie", "matricule": "M001", "email": unique_email("marie"),
        "profile": {"presentation": "Dix ans d'expérience.", "services": ["svc_menage"], "zones": ["69003"],
                    "skills": ["repassage", "premiers secours"]}}), 201)
    report = ok(http.post(f"/api/intervenants/{marie['id']}/sync"))
    assert report == {"kind": "intervenant", "id": marie["id"], "label": report["label"], "outcome": "sent",
                      "reason": None}
    [in_shop] = admin.account(account)["intervenants"]
    assert (in_shop["id"], sorted(in_shop["skills"]), in_shop["services"], in_shop["zones"]) == (
        marie["id"], ["premiers secours", "repassage"], ["svc_menage"], ["69003"])
    assert ok(http.get(f"/api/intervenants/{marie['id']}"))["shop_sync"]["status"] == "in_sync"

    # ---- a client, transmitted
    claire = ok(http.post("/api/clients", json={
        "first_name": "Claire", "last_name": "Dubois", "email": unique_email("claire"), "phone": "04 78 00 00 00",
        "address": {"street": "5 place Bellecour", "postal_code": "69002", "city": "Lyon"}}), 201)
    assert ok(http.post(f"/api/clients/{claire['id']}/transmit"))["outcome"] == "sent"
    shop_claire = [c for c in admin.account(account)["clients"] if c["ogust_id"] == claire["id"]]
    assert [c["email"] for c in shop_claire] == [claire["email"]]

    # ---- export in batch: only what changed since the last send goes; a second run sends nothing
    paul = ok(http.post("/api/intervenants", json={
        "first_name": "Paul", "last_name": "Martin", "matricule": "M002",
        "profile": {"services": ["svc_garde_enfants"], "skills": ["BAFA"]}}), 201)
    first = ok(http.post("/api/shop/export", json={}))
    assert {(r["id"], r["outcome"]) for r in first["records"]} == {
        (marie["id"], "unchanged"), (paul["id"], "sent"), (claire["id"], "unchanged")}
    assert first["summary"] == {"unchanged": 2, "sent": 1}
    second = ok(http.post("/api/shop/export", json={}))
    assert second["summary"] == {"unchanged": 3}
    assert {i["id"] for i in admin.account(account)["intervenants"]} == {marie["id"], paul["id"]}

    # ---- an order placed in the shop (card 4242… saved on localstripe): client, accepted devis, planning
    buyer_email = unique_email("jean")
    start, end = future_slot(days=3)
    placed = admin.place_order(account, customer={
        "email": buyer_email, "first_name": "Jean", "last_name": "Dupont", "phone": "0612345678",
        "address": {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}},
        items=[{"service_id": "svc_menage", "intervenant_id": marie["id"], "start": start.isoformat(),
                "end": end.isoformat()}], card_number="4242424242424242")
    assert placed["ogust_status"] == 201, placed
    accepted = placed["ogust_body"]
    assert_matches("OrderAccepted", accepted)
    assert accepted["order_id"] == placed["order_id"] and not accepted["replayed"]
    stripe_customer = placed["payment"]["stripe_customer_id"]

    jean = ok(http.get(f"/api/clients/{accepted['client_id']}"))
    assert (jean["email"], jean["origin"], jean["shop_client_id"], jean["has_saved_card"]) == (
        buyer_email, "shop", placed["shop_client_id"], True)
    devis = ok(http.get(f"/api/devis/{accepted['devis_id']}"))
    assert (devis["status"], devis["shop_order_id"], devis["client_id"]) == (
        "accepted", placed["order_id"], jean["id"])
    assert devis["total_ttc"]["cents"] == 5500  # 2 h × 27,50 €
    [intervention] = devis["interventions"]
    assert intervention["id"] == accepted["intervention_ids"][0]
    assert intervention["intervenant_id"] == marie["id"] and intervention["minutes"] == 120
    planning = ok(http.get(f"/api/intervenants/{marie['id']}/planning", params={
        "from": (start - timedelta(days=1)).isoformat(), "to": (end + timedelta(days=1)).isoformat()}))
    assert [(i["id"], datetime.fromisoformat(i["start"]), i["status"]) for i in planning] == [
        (intervention["id"], start, "planned")]
    assert ok(http.get(f"/api/intervenants/{paul['id']}/planning", params={
        "from": (start - timedelta(days=1)).isoformat(), "to": (end + timedelta(days=1)).isoformat()})) == []

    # the shop's webhook is signed: a bad signature and a stale timestamp are refused, a replay is harmless
    order = {"customer": {"email": buyer_email, "first_name": "Jean", "last_name": "Dupont",
                          "address": {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}},
             "items": [{"service_id": "svc_menage", "intervenant_id": marie["id"],
                        "start": (start + timedelta(days=1)).isoformat(),
                        "end": (end + timedelta(days=1)).isoformat()}]}
    forged = admin.place_order(account, **order, signing={"secret": "not-the-secret-0123456789"})
    assert forged["ogust_status"] == 401 and forged["ogust_body"]["code"] == "bad_signature", forged
    assert_matches("Problem", forged["ogust_body"])
    stale = admin.place_order(account, **order, signing={"timestamp": int(time.time()) - 3600})
    assert stale["ogust_status"] == 401 and "périmé" in stale["ogust_body"]["detail"], stale
    replay = admin.place_order(account, **order | {"items": [{**order["items"][0], "start": start.isoformat(),
                                                              "end": end.isoformat()}]},
                               order_id=placed["order_id"])
    assert replay["ogust_status"] == 200, replay
    assert replay["ogust_body"] == accepted | {"replayed": True}
    assert [d["id"] for d in ok(http.get("/api/devis"))] == [accepted["devis_id"]]
    unsigned = http.post("/api/shop/orders", content=json.dumps({"account_id": account}).encode(),
                         headers={"content-type": "application/json"})
    problem(unsigned, 401, "bad_signature")

    # ---- the visit takes place and is declared done (only work done is invoiced): planned, it is not
    refused = problem(http.post("/api/invoices/from-devis", json={"devis_id": devis["id"]}), 422, "nothing_to_invoice")
    assert "1 encore prévue(s)" in refused["detail"], refused
    with clock_of(ogust_api.container, FixedClock(datetime.fromisoformat(intervention["end"]))):
        assert ok(http.post(f"/api/interventions/{intervention['id']}/done"))["status"] == "done"

    # ---- invoice from the devis, validated: debited once, published in the shop, emailed with a link
    draft = ok(http.post("/api/invoices/from-devis", json={"devis_id": devis["id"]}), 201)
    assert (draft["status"], draft["number"], draft["total_ttc"]["cents"]) == ("draft", None, 5500)
    validated = ok(http.post(f"/api/invoices/{draft['id']}/validate"))
    number = validated["number"]
    assert number and validated["status"] != "draft"
    problem(http.post(f"/api/invoices/{draft['id']}/validate"), 409, "invoice_already_validated")
    ogust_api.container.processor().run_until_idle()

    paid = ok(http.get(f"/api/invoices/{number}"))
    assert (paid["id"], paid["status"], paid["payment_failure"]) == (draft["id"], "paid", None)
    [attempt] = paid["payment_attempts"]
    assert attempt["status"] == "succeeded" and attempt["amount"]["cents"] == 5500
    intents = localstripe_server.list_payment_intents(stripe_customer)
    assert [(i["id"], i["status"], i["amount"], i["currency"]) for i in intents] == [
        (attempt["payment_intent_id"], "succeeded", 5500, "eur")]
    assert paid["payment_reference"] == attempt["payment_intent_id"]

    [published] = admin.account(account)["documents"][placed["shop_client_id"]]
    assert (published["kind"], published["number"], published["amount_ttc_cents"]) == ("invoice", number, 5500)
    assert published["download_url"].startswith(f"{ogust_api.base_url}/documents/")

    [debit_email] = messages_to(smtp_server, buyer_email, 1)
    assert number in debit_email["Subject"] and "55,00" in text_of(debit_email)
    link = link_in(debit_email, ogust_api.base_url)
    document = httpx.get(link, timeout=30)
    assert document.status_code == 200, document.text
    assert document.headers["cache-control"] == "private, no-store"
    assert document.headers["content-disposition"].startswith("attachment;")
    assert document.headers["content-type"] == "application/pdf"
    shown = pdf_text(document.content)
    assert number in document.headers["content-disposition"] and number in shown
    assert "Jean" in shown and "55,00" in shown
    token = link.rsplit("/", 1)[1]
    # not the last character: its low bits are base64 padding, and A to D there decode to the same bytes
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    problem(httpx.get(link.rsplit("/", 1)[0] + "/" + tampered, timeout=30), 404, "not_found")
    problem(httpx.get(f"{ogust_api.base_url}/documents/not-a-token", timeout=30), 404, "not_found")

    emails = ok(http.get("/api/emails"))
    assert [(e["kind"], e["status"], e["to_email"]) for e in emails] == [("debit_confirmed", "sent", buyer_email)]

    # ---- the attestation fiscale: generated, validated, published in the shop and emailed
    year = datetime.now(PARIS).year
    attestation = ok(http.post("/api/attestations", json={"client_id": jean["id"], "year": year}), 201)
    assert (attestation["status"], attestation["amount_paid"]["cents"], attestation["total_minutes"]) == (
        "draft", 5500, 120)
    early = http.post(f"/api/attestations/{attestation['id']}/validate")  # the year is not over
    assert problem(early, 409, "year_not_over")["detail"].startswith(f"L'année {year} n'est pas terminée")
    january = ShiftedClock()
    january.advance(seconds=(datetime(year + 1, 1, 5, 9, 0, tzinfo=PARIS) - january.now()).total_seconds())
    with clock_of(ogust_api.container, january):  # its effects are due in January too
        validated_attestation = ok(http.post(f"/api/attestations/{attestation['id']}/validate"))
        assert validated_attestation["number"] and validated_attestation["status"] == "validated"
        ogust_api.container.processor().run_until_idle()

    documents = admin.account(account)["documents"][placed["shop_client_id"]]
    assert sorted((d["kind"], d["number"]) for d in documents) == [
        ("attestation", validated_attestation["number"]), ("invoice", number)]
    _, attestation_email = messages_to(smtp_server, buyer_email, 2)
    assert str(year) in text_of(attestation_email) and validated_attestation["number"] in text_of(attestation_email)
    attestation_document = httpx.get(link_in(attestation_email, ogust_api.base_url), timeout=30)
    assert attestation_document.status_code == 200
    assert validated_attestation["number"] in attestation_document.headers["content-disposition"]

    outbox = ok(http.get("/api/outbox"))
    assert outbox["jobs"] and {j["status"] for j in outbox["jobs"]} == {"done"}


def test_errors_are_problem_details_and_refusals_write_nothing(ogust_api, fresh_shop_account, shop_server) -> None:
    http = ogust_api.http

    # no key yet: every company-scoped route asks for one
    problem(http.get("/api/clients"), 401, "unauthorized")

    # a bad SIRET: 422 naming the field, no company created
    bad_siret = problem(http.post("/api/companies", json=COMPANY | {"siret": "7328293200007"}),
                        422, "invalid_request")
    assert "siret" in bad_siret["detail"] and bad_siret["errors"][0]["field"] == "siret"
    problem(http.get("/api/companies"), 401, "unauthorized")
    set_up_company(http)
    assert len(ok(http.get("/api/companies"))) == 1
    marie = ok(http.post("/api/intervenants", json={
        "first_name": "Marie", "last_name": "Curie", "matricule": "M001",
        "profile": {"services": ["svc_menage"]}}), 201)

    # unknown ids: 404 with a code
    for path in ("/api/clients/nope", "/api/intervenants/nope", "/api/devis/nope", "/api/invoices/nope",
                 "/api/attestations/nope", "/api/interventions/nope"):
        body = problem(http.get(path), 404, "not_found")
        assert body["instance"] == path and "nope" in body["detail"], body
    # the reference is resolved first (matricule or id), then the use case checks the shop link
    problem(http.post("/api/intervenants/nope/sync"), 404, "not_found")
    problem(http.post("/api/intervenants/M001/sync"), 409, "shop_not_linked")
    problem(http.post("/api/invoices/nope/validate"), 404, "not_found")
    problem(http.get("/api/no-such-route"), 404, "not_found")

    # invalid bodies: 422 saying what is wrong, nothing written
    clients = ok(http.get("/api/clients"))
    client = {"first_name": "Claire", "last_name": "Dubois", "email": unique_email("claire"),
              "address": {"street": "5 place Bellecour", "postal_code": "69002", "city": "Lyon"}}
    bad_postal = problem(http.post("/api/clients", json=client | {
        "address": client["address"] | {"postal_code": "6900"}}), 422, "invalid_request")
    assert "address.postal_code" in bad_postal["detail"], bad_postal
    unknown_field = problem(http.post("/api/clients", json=client | {"nickname": "Clo"}), 422, "invalid_request")
    assert "nickname" in unknown_field["detail"], unknown_field
    bad_email = problem(http.post("/api/clients", json=client | {"email": "claire-at-example"}),
                        422, "invalid_request")
    assert "email" in bad_email["detail"], bad_email
    assert ok(http.get("/api/clients")) == clients == []

    tarifs = ok(http.get("/api/tarifs"))
    negative = problem(http.post("/api/tarifs", json={"code": "NEG", "label": "Négatif", "unit": "hour",
                                                      "price_ht_cents": -100, "vat_rate": "10"}),
                       422, "invalid_request")
    assert "price_ht_cents" in negative["detail"] and "0" in negative["detail"], negative
    bad_vat = problem(http.post("/api/tarifs", json={"code": "VAT", "label": "TVA", "unit": "hour",
                                                     "price_ht_cents": 100, "vat_rate": "7"}), 422, "invalid_request")
    assert "vat_rate" in bad_vat["detail"], bad_vat
    duplicate = problem(http.post("/api/tarifs", json={"code": "MEN", "label": "Encore", "unit": "hour",
                                                       "price_ht_cents": 100, "vat_rate": "10"}), 409, "already_exists")
    assert "MEN" in duplicate["detail"]
    assert ok(http.get("/api/tarifs")) == tarifs
    problem(http.post("/api/clients", content=b"{not json", headers={"content-type": "application/json"}),
            422, "invalid_request")

    # a naive datetime: refused, in a query and in a (correctly signed) order
    start, end = future_slot(days=4)
    naive = problem(http.get(f"/api/intervenants/{marie['id']}/planning",
                             params={"from": start.replace(tzinfo=None).isoformat()}), 422, "invalid_request")
    assert "fuseau" in naive["detail"], naive
    link = ok(http.post("/api/shop/link", json={"shop_account_id": fresh_shop_account.id}))
    ok(http.post("/api/shop/mappings", json={"shop_service_id": "svc_menage", "tarif_code": "MEN"}), 201)
    problem(http.post("/api/intervenants/nope/sync"), 404, "not_found")
    problem(http.post("/api/shop/mappings", json={"shop_service_id": "svc_nope", "tarif_code": "MEN"}),
            404, "not_found")
    order = {"order_id": "ord_naive", "account_id": fresh_shop_account.id,
             "customer": {"shop_client_id": "cli_1", "email": unique_email("jean"), "first_name": "Jean",
                          "last_name": "Dupont", "address": client["address"]},
             "items": [{"service_id": "svc_menage", "intervenant_id": marie["id"],
                        "start": start.replace(tzinfo=None).isoformat(), "end": end.isoformat(),
                        "unit_price_ttc_cents": 2750}]}
    delivery = deliver(f"{ogust_api.base_url}/api/shop/orders", link["webhook_secret"], order)
    assert delivery.status == 422 and "items.0.start" in delivery.body["detail"], delivery
    assert "fuseau" in delivery.body["detail"]
    assert ok(http.get("/api/devis")) == [] and ok(http.get("/api/clients")) == []
    # the same order, right this time, goes through (the signature was not the problem)
    order["items"][0]["start"] = start.isoformat()
    assert deliver(f"{ogust_api.base_url}/api/shop/orders", link["webhook_secret"], order).status == 201
    price = deliver(f"{ogust_api.base_url}/api/shop/orders", link["webhook_secret"], order | {
        "order_id": "ord_price", "items": [order["items"][0] | {"unit_price_ttc_cents": 2500,
                                                               "start": (start + timedelta(days=1)).isoformat(),
                                                               "end": (end + timedelta(days=1)).isoformat()}]})
    assert price.status == 422 and price.body["code"] == "price_mismatch", price
    assert [d["shop_order_id"] for d in ok(http.get("/api/devis"))] == ["ord_naive"]

    # validating an invoice twice: 409
    [jean] = ok(http.get("/api/clients"))
    undated = problem(http.post("/api/invoices/manual", json={
        "client_id": jean["id"], "lines": [{"tarif_code": "MEN", "quantity": 90}]}), 422, "invalid_value")
    assert "D.7233-1" in undated["detail"] and undated["details"]["field"] == "lines.performed_on", undated
    invoice = ok(http.post("/api/invoices/manual", json={"client_id": jean["id"], "lines": [
        {"tarif_code": "MEN", "quantity": 90, "performed_on": f"{datetime.now(PARIS):%Y-%m-%d}",
         "intervenant_id": marie["id"]}]}), 201)
    assert invoice["total_ttc"]["cents"] == 4125  # 1 h 30 × 27,50 €
    ok(http.post(f"/api/invoices/{invoice['id']}/validate"))
    twice = problem(http.post(f"/api/invoices/{invoice['id']}/validate"), 409, "invoice_already_validated")
    assert invoice["id"] in twice["detail"] or "déjà" in twice["detail"], twice
    empty = problem(http.post("/api/invoices/manual", json={"client_id": jean["id"], "lines": []}),
                    422, "invalid_request")
    assert "lines" in empty["detail"]
    assert len(ok(http.get("/api/invoices"))) == 1
