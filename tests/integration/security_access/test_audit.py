"""The audit log: who changed what, when, before/after — never a secret, a card id or a key hash."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ogust.adapters.persistence import tables as t
from ogust.application.access import acting_as
from ogust.domain.invoice import InvoiceStatus

pytestmark = pytest.mark.integration


def entries(api, headers, entity: str) -> list[dict]:
    response = api.get("/api/audit", params={"entity": entity}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_validation_and_its_payment_are_audited_with_who_did_them(api, container, tenants):
    a, _ = tenants
    assert api.post(f"/api/invoices/{a.invoice_id}/validate", headers=a.operator).status_code == 200
    with acting_as("worker"):
        container.processor().run_until_idle()
    assert container.queries().invoice(a.company_id, a.invoice_id).invoice.status is InvoiceStatus.PAID

    log = list(reversed(entries(api, a.reader, a.invoice_id)))  # oldest first
    created, validated, *later = log
    assert created["action"] == "created" and created["actor"] == "system"  # made by the fixture, in code
    assert validated["action"] == "updated" and validated["actor"].startswith("key:")
    assert validated["actor"].endswith(":tests")
    assert validated["changes"]["before"]["status"] == "draft"
    assert validated["changes"]["after"]["status"] == "validated"
    assert validated["changes"]["after"]["number"].startswith("FA-")
    assert "version" not in validated["changes"]["after"]
    paid = [e for e in later if e["changes"]["after"].get("status") == "paid"]
    assert paid and paid[0]["actor"] == "worker" and paid[0]["changes"]["before"]["status"] in ("validated",
                                                                                                 "payment_pending")

    payments = [e for e in api.get("/api/audit", params={"limit": 200}, headers=a.operator).json()
                if e["entity_type"] in ("PaymentAttempt", "Payment")]
    assert {e["entity_type"] for e in payments} == {"PaymentAttempt", "Payment"}
    assert all(e["actor"] == "worker" for e in payments)
    attempt = next(e for e in payments if e["entity_type"] == "PaymentAttempt" and e["action"] == "created")
    assert attempt["changes"]["after"]["invoice_id"] == a.invoice_id
    assert attempt["changes"]["after"]["amount_cents"] == 5500


def test_secrets_card_ids_and_key_hashes_never_reach_the_log(api, container, tenants):
    a, _ = tenants
    container.rotate_shop_secret()(a.company_id, __import__("datetime").timedelta(hours=1))
    with container.engine().connect() as connection:
        rows = connection.execute(select(t.audit_log).where(t.audit_log.c.company_id == a.company_id)).all()
        stored = {(r.secret_hash, r.prefix) for r in connection.execute(
            select(t.api_keys).where(t.api_keys.c.company_id == a.company_id))}
        company = connection.execute(select(t.companies).where(t.companies.c.id == a.company_id)).one()
        client = connection.execute(select(t.clients).where(t.clients.c.id == a.client_id)).one()
    text = json.dumps([r.changes for r in rows])
    for secret in (a.webhook_secret, company.shop_webhook_secret, client.stripe_customer_id,
                   client.stripe_payment_method_id, *(h for h, _ in stored)):
        assert secret and secret not in text
    rotation = next(r for r in rows if r.entity_type == "Company" and r.action == "updated"
                    and "shop_previous_webhook_secret" in r.changes["after"])
    assert rotation.changes["after"]["shop_webhook_secret"] == "[masqué]"
    assert rotation.changes["before"]["shop_webhook_secret"] == "[masqué]"
    assert rotation.changes["after"]["shop_previous_secret_expires_at"]  # not a secret: shown
    keys = [r for r in rows if r.entity_type == "ApiKey"]
    assert keys and all(r.changes["after"]["secret_hash"] == "[masqué]" for r in keys)


def test_the_log_is_read_with_the_cli_and_the_cli_is_the_actor(container, tenants, cli_env):
    a, _ = tenants
    ogust = cli_env(a.company_id)
    ogust("key", "create", "--name", "comptable", "--scope", "read")
    log = json.loads(ogust("audit", "--json", "--limit", "5"))
    assert log[0]["entity_type"] == "ApiKey" and log[0]["action"] == "created"
    assert log[0]["actor"].startswith("cli:") and log[0]["changes"]["after"]["name"] == "comptable"
    by_entity = json.loads(ogust("audit", "--entity", a.invoice_id, "--json"))
    assert by_entity and {e["entity_id"] for e in by_entity} == {a.invoice_id}
    assert "Facture" in ogust("audit") or "Invoice" in ogust("audit")
