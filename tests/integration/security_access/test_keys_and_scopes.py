"""Every /api route but the signed webhooks needs a key of the company (401), with the right scope (403)."""
from __future__ import annotations

import pytest

from tests.support.access import bearer

pytestmark = pytest.mark.integration


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def test_no_key_a_bad_key_or_a_malformed_header_is_401(api, tenants):
    for path in ("/api/clients", "/api/invoices", "/api/companies", "/api/outbox", "/api/audit", "/api/tarifs"):
        body = problem(api.get(path), 401, "unauthorized")
        assert "Authorization" in body["detail"]
    response = api.get("/api/clients")
    assert response.headers["www-authenticate"].startswith("Bearer")
    for header in ("Bearer ogk_nope_nope", "Bearer not-a-key", "Basic dXNlcjpwYXNz", "Bearer "):
        problem(api.get("/api/clients", headers={"Authorization": header}), 401, "unauthorized")
    problem(api.post("/api/clients", json={}), 401, "unauthorized")  # before the body is even looked at


def test_an_altered_secret_with_a_real_prefix_is_401(api, tenants):
    a, _ = tenants
    key = a.operator["Authorization"].removeprefix("Bearer ")
    altered = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert api.get("/api/clients", headers=a.operator).status_code == 200
    problem(api.get("/api/clients", headers=bearer(altered)), 401, "unauthorized")


def test_revoked_and_rotated_keys_stop_working_at_once(api, container, tenants):
    a, _ = tenants
    keys = container.api_keys()
    issued = keys.create(a.company_id, "comptable", ("read",))
    assert api.get("/api/invoices", headers=bearer(issued.token)).status_code == 200

    rotated = keys.rotate(a.company_id, issued.key.id)
    problem(api.get("/api/invoices", headers=bearer(issued.token)), 401, "unauthorized")
    assert api.get("/api/invoices", headers=bearer(rotated.token)).status_code == 200

    keys.revoke(a.company_id, issued.key.id)
    problem(api.get("/api/invoices", headers=bearer(rotated.token)), 401, "unauthorized")


def test_a_read_key_reads_but_changes_nothing(api, tenants):
    a, _ = tenants
    assert api.get(f"/api/invoices/{a.invoice_id}", headers=a.reader).status_code == 200
    for method, path, body in (
            ("post", f"/api/invoices/{a.invoice_id}/validate", None),
            ("post", "/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": 100,
                                     "vat_rate": "10"}),
            ("patch", f"/api/clients/{a.client_id}", {"first_name": "Clo"}),
            ("post", "/api/shop/export", {})):
        problem(api.request(method.upper(), path, json=body, headers=a.reader), 403, "forbidden")
    assert api.get(f"/api/invoices/{a.invoice_id}", headers=a.reader).json()["status"] == "draft"
    assert api.get(f"/api/clients/{a.client_id}", headers=a.reader).json()["first_name"] == "Claire"


def test_a_shop_key_reads_what_the_shop_needs_and_nothing_else(api, tenants):
    a, _ = tenants
    for path in ("/api/tarifs", "/api/shop/mappings", "/api/intervenants", "/api/companies"):
        assert api.get(path, headers=a.shop).status_code == 200, path
    for path in ("/api/clients", f"/api/clients/{a.client_id}", "/api/invoices", f"/api/invoices/{a.invoice_id}",
                 "/api/outbox", "/api/emails", "/api/audit", "/api/devis", "/api/attestations"):
        problem(api.get(path, headers=a.shop), 403, "forbidden")
    problem(api.post(f"/api/invoices/{a.invoice_id}/validate", headers=a.shop), 403, "forbidden")
    problem(api.post("/api/clients", json={}, headers=a.shop), 403, "forbidden")


def test_an_operator_key_runs_the_back_office(api, tenants):
    a, _ = tenants
    assert api.get("/api/clients", headers=a.operator).status_code == 200
    response = api.patch(f"/api/clients/{a.client_id}", json={"first_name": "Clo"}, headers=a.operator)
    assert response.status_code == 200 and response.json()["first_name"] == "Clo"


def test_public_routes_stay_open_and_the_schema_declares_the_bearer_scheme(api, tenants):
    assert api.get("/health").status_code == 200
    assert api.get("/docs").status_code == 200
    schema = api.get("/openapi.json").json()
    [(name, scheme)] = schema["components"]["securitySchemes"].items()
    assert scheme == {"type": "http", "scheme": "bearer", "description": scheme["description"]}
    assert schema["paths"]["/api/clients"]["get"]["security"] == [{name: []}]
    assert schema["paths"]["/api/invoices/{ref}/validate"]["post"]["security"] == [{name: []}]
    for webhook in ("/api/shop/orders", "/api/stripe/webhook"):
        assert "security" not in schema["paths"][webhook]["post"]
    assert "security" not in schema["paths"]["/documents/{token}"]["get"]


def test_the_first_company_only_is_created_without_a_key(api, tenants):
    a, _ = tenants
    company = {"name": "Intrus", "siret": "73282932000074", "sap_declaration_number": "SAP1",
               "sap_declaration_date": "2021-03-01", "address": {"street": "1 rue", "postal_code": "69001",
                                                                 "city": "Lyon"}}
    problem(api.post("/api/companies", json=company), 401, "unauthorized")
    problem(api.post("/api/companies", json=company, headers=a.operator), 403, "forbidden")
