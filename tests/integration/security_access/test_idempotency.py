"""Idempotency-Key: the same key and body → the stored answer, nothing created twice; another body → 422."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def client_body(suffix: str = "") -> dict:
    return {"first_name": "Jean", "last_name": "Dupont" + suffix, "email": f"jean.{uuid.uuid4().hex[:8]}@example.fr",
            "address": {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}}


def test_a_replayed_creation_gives_back_the_stored_answer_and_creates_nothing(api, tenants):
    a, _ = tenants
    headers = {**a.operator, "Idempotency-Key": f"create-{uuid.uuid4()}"}
    body = client_body()
    first = api.post("/api/clients", json=body, headers=headers)
    again = api.post("/api/clients", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert [c["email"] for c in api.get("/api/clients", headers=a.operator).json()].count(body["email"]) == 1


def test_the_same_key_with_another_body_is_refused(api, tenants):
    a, _ = tenants
    headers = {**a.operator, "Idempotency-Key": f"create-{uuid.uuid4()}"}
    assert api.post("/api/clients", json=client_body(), headers=headers).status_code == 201
    other = client_body("-Martin")
    refused = api.post("/api/clients", json=other, headers=headers)
    assert refused.status_code == 422 and refused.json()["code"] == "idempotency_key_reused"
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert other["email"] not in {c["email"] for c in api.get("/api/clients", headers=a.operator).json()}
    # nor with the same body on another route
    assert api.post(f"/api/invoices/{a.invoice_id}/validate", headers=headers).status_code == 422


def test_invoices_tarifs_and_keys_are_per_company(api, tenants):
    a, b = tenants
    key = f"invoice-{uuid.uuid4()}"
    def line(tenant):
        return {"lines": [{"tarif_code": "MEN", "quantity": 60, "performed_on": "2026-04-06",
                           "intervenant_id": tenant.intervenant_id}]}
    first_a = api.post("/api/invoices/manual", json={"client_id": a.client_id, **line(a)},
                       headers={**a.operator, "Idempotency-Key": key})
    replay_a = api.post("/api/invoices/manual", json={"client_id": a.client_id, **line(a)},
                        headers={**a.operator, "Idempotency-Key": key})
    assert first_a.status_code == 201 and replay_a.json()["id"] == first_a.json()["id"]
    # the same key in company B is B's own: a new invoice, no clash, nothing of A's answer
    first_b = api.post("/api/invoices/manual", json={"client_id": b.client_id, **line(b)},
                       headers={**b.operator, "Idempotency-Key": key})
    assert first_b.status_code == 201 and first_b.json()["id"] != first_a.json()["id"]

    tarif = {"code": "IDEM", "label": "Repassage", "unit": "hour", "price_ht_cents": 2000, "vat_rate": "10"}
    tarif_key = {**a.operator, "Idempotency-Key": f"tarif-{uuid.uuid4()}"}
    assert api.post("/api/tarifs", json=tarif, headers=tarif_key).status_code == 201
    assert api.post("/api/tarifs", json=tarif, headers=tarif_key).status_code == 201  # not 409: replayed


def test_a_refused_request_does_not_burn_the_key(api, tenants):
    a, _ = tenants
    headers = {**a.operator, "Idempotency-Key": f"retry-{uuid.uuid4()}"}
    body = {"client_id": a.client_id, "lines": [{"tarif_code": "NOPE", "quantity": 60, "performed_on": "2026-04-06",
                                                 "intervenant_id": a.intervenant_id}]}
    assert api.post("/api/invoices/manual", json=body, headers=headers).status_code == 404
    body["lines"][0]["tarif_code"] = "MEN"
    assert api.post("/api/invoices/manual", json=body, headers=headers).status_code == 201


def test_an_unauthenticated_request_is_401_whatever_its_key(api, tenants):
    headers = {"Idempotency-Key": "k1", "Authorization": "Bearer ogk_nope_nope"}
    assert api.post("/api/clients", json=client_body(), headers=headers).status_code == 401
    assert api.post("/api/clients", json=client_body(), headers={"Idempotency-Key": "x" * 300}).status_code == 400
