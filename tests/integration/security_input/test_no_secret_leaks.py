"""No secret, card data or full IBAN in logs, API responses or emails, over a whole story on the real
localstripe and SMTP server: a card debited, a card declined, a credit note refunded, a signed Stripe
webhook, every list read, a GDPR export. Logs are captured at DEBUG, every logger included."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import replace

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from ogust.application import commands as c
from tests.fakes import FakeShopApi
from tests.integration.security_input.conftest import headers_for, offline_settings

pytestmark = pytest.mark.integration

CARD_OK, CARD_DECLINED = "4242424242424242", "4000000000000341"
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
PAN = re.compile(r"(?<![\w=-])(?:[3-6]\d{12,18}|[3-6]\d{3}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)(?![\w-])")


def luhn(number: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", number)][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def leaks(text: str, secrets: dict[str, str], where: str) -> list[str]:
    found = [f"{where}: {name}" for name, value in secrets.items() if value and value in text]
    found += [f"{where}: card number {m}" for m in PAN.findall(text) if luhn(m)]
    found += [f"{where}: IBAN {m}" for m in IBAN.findall(text) if sum(ch.isdigit() for ch in m) >= 12]
    return found


def test_luhn_and_patterns_catch_what_they_should():
    assert luhn(CARD_OK) and luhn("4242 4242 4242 4242") and not luhn("4242424242424241")
    assert PAN.findall(f"carte {CARD_OK} ou 4000-0000-0000-0341") == [CARD_OK, "4000-0000-0000-0341"]
    assert IBAN.findall("IBAN FR76 3000 6000 0112 3456 7890 189 !") == ["FR76 3000 6000 0112 3456 7890 189"]
    assert leaks("sk_test_x", {"stripe": "sk_test_x"}, "here") == ["here: stripe"]


def test_no_secret_card_or_iban_anywhere(tmp_path, caplog, localstripe_server, smtp_server):
    caplog.set_level(logging.DEBUG)
    from ogust.adapters.persistence.database import upgrade_database
    from ogust.domain.address import Address
    from ogust.entrypoints.api.app import create_app
    from ogust.entrypoints.container import build_container

    url = f"sqlite:///{tmp_path / 'ogust.db'}"
    upgrade_database(url)
    settings = replace(offline_settings(url, tmp_path / "var"), stripe_api_key=localstripe_server.api_key,
                       stripe_api_base=localstripe_server.base_url, smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    container = build_container(settings)
    container.shop.override(providers.Object(FakeShopApi()))
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        __import__("datetime").date(2021, 3, 1), "contact@aide-et-vous.example"))
    headers = headers_for(container, company.id)
    shop_secret = container.link_shop()(c.LinkShopAccount(company.id, "acc_demo"))
    before = len(smtp_server.messages)
    responses: list[str] = []

    with TestClient(create_app(container, run_worker=False), headers=headers) as http:
        def call(method: str, path: str, **kwargs):
            response = http.request(method, path, **kwargs)
            assert response.status_code < 500, response.text
            responses.append(f"{method} {path} -> {response.status_code} {dict(response.headers)} "
                             f"{response.content.decode('utf-8', 'replace')}")
            return response

        call("POST", "/api/tarifs", json={"code": "MEN", "label": "Ménage", "unit": "hour", "price_ht_cents": 2500,
                                          "vat_rate": "10"})
        marie = call("POST", "/api/intervenants", json={"first_name": "Marie", "last_name": "Curie",
                                                        "matricule": "M001"}).json()
        invoices = []
        for n, card in enumerate((CARD_OK, CARD_DECLINED)):
            client = call("POST", "/api/clients", json={
                "first_name": "Jean", "last_name": f"Dupont{n}", "email": f"jean{n}@example.fr",
                "phone": "06 12 34 56 78",
                "address": {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}}).json()
            customer, method = localstripe_server.create_customer_with_card(card, f"jean{n}@example.fr")
            with container.uow() as uow:
                uow.clients.get(company.id, client["id"]).save_payment_method(customer, method)
                uow.commit()
            invoice = call("POST", "/api/invoices/manual", json={"client_id": client["id"],
                                                                 "lines": [{"tarif_code": "MEN", "quantity": 120,
                                                                            "performed_on": "2026-04-06",
                                                                            "intervenant_id": marie["id"]}]})
            invoices.append(call("POST", f"/api/invoices/{invoice.json()['id']}/validate").json())
        container.processor().run_until_idle()
        paid, declined = (call("GET", f"/api/invoices/{i['id']}").json() for i in invoices)
        assert (paid["status"], declined["status"]) == ("paid", "payment_failed")
        call("POST", f"/api/invoices/{paid['id']}/credit-notes", json={"reason": "Geste", "amount_cents": 500})
        call("POST", f"/api/invoices/{declined['id']}/retry-payment")
        container.processor().run_until_idle()

        intent = [a for a in paid["payment_attempts"]][0]["payment_intent_id"] if "payment_attempts" in paid else None
        event = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded",
                            "data": {"object": {"id": intent or "pi_x", "object": "payment_intent"}}})
        stamp = int(time.time())
        signature = hmac.new(settings.stripe_webhook_secret.encode(), f"{stamp}.{event}".encode(),
                             hashlib.sha256).hexdigest()
        call("POST", "/api/stripe/webhook", content=event,
             headers={"stripe-signature": f"t={stamp},v1={signature}", "content-type": "application/json"})
        call("POST", "/api/stripe/webhook", content=event, headers={"stripe-signature": "t=1,v1=bad"})
        for path in ("/api/companies", "/api/clients", "/api/invoices", "/api/credit-notes", "/api/outbox",
                     "/api/emails", "/api/devis", "/api/tarifs", "/api/attestations", "/openapi.json"):
            call("GET", path)
        for i in invoices:
            call("GET", f"/api/invoices/{i['id']}")
        export = http.get(f"/api/clients/{invoices[0]['client_id']}/export")
        assert export.status_code == 200
        call("DELETE", f"/api/clients/{invoices[1]['client_id']}")
        container.processor().run_until_idle()
    container.engine().dispose()

    emails = smtp_server.messages[before:]
    assert len(emails) >= 2  # the debit confirmed, the debit failed
    secrets = {"Stripe secret key": localstripe_server.api_key, "Stripe webhook secret": settings.stripe_webhook_secret,
               "shop signing secret": shop_secret, "ogust secret key": settings.secret_key,
               "API key": headers.get("Authorization", "").removeprefix("Bearer ")}
    found = leaks(caplog.text, secrets, "logs")
    for response in responses:
        found += leaks(response, secrets, "response")
    import io
    import zipfile
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    found += leaks(archive.read("client.json").decode(), secrets, "export")
    for message in emails:
        text = message.as_string()
        found += leaks(text, secrets, f"email to {message['To']}")
        found += [f"email to {message['To']}: payment method id {m}" for m in re.findall(r"\bpm_\w+", text)]
    assert not found, "\n".join(found)
    assert "Carte refusée" in caplog.text or any("refus" in m.as_string() for m in emails)
