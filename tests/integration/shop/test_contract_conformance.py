"""The reference shop answers as docs/shop-contract.openapi.yaml says (checked on raw HTTP)."""
from __future__ import annotations

import httpx
import pytest

from tests.support.shop_contract import assert_matches

INTERVENANT = {"id": "int_1", "first_name": "Sophie", "last_name": "Durand", "matricule": "M1",
               "services": ["svc_menage"], "zones": ["69003"], "skills": ["Repassage"], "active": True}
CLIENT = {"id": "cli_1", "first_name": "Claire", "last_name": "Martin", "email": "claire@example.fr",
          "phone": "", "street": "12 rue des Lilas", "postal_code": "69003", "city": "Lyon"}
DOCUMENT = {"kind": "attestation", "number": "AF2025-1", "issued_on": "2026-01-15", "amount_ttc_cents": 124300,
            "status": "issued", "download_url": "https://ogust.example.com/a/1", "title": "Attestation fiscale 2025"}


@pytest.fixture
def http(shop, account):
    with httpx.Client(base_url=f"{shop.base_url}/api/accounts/{account.id}",
                      headers={"Authorization": f"Bearer {account.api_key}"}) as client:
        yield client


def problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert_matches("Problem", body)
    assert body["code"] == code
    return body


def test_successful_answers_match_their_schemas(shop, http, account):
    response = http.get(f"{shop.base_url}/api/accounts/{account.id}")
    assert response.status_code == 200
    assert_matches("Account", response.json())
    services = http.get("/services").json()
    assert len(services) == 3
    for service in services:
        assert_matches("Service", service)
    assert_matches("Stored", http.put("/intervenants/int_1", json=INTERVENANT).json())
    stored = http.put("/clients/cli_1", json=CLIENT).json()
    assert_matches("ClientStored", stored)
    document = http.put(f"/clients/{stored['shop_client_id']}/documents/att_1", json=DOCUMENT)
    assert_matches("Stored", document.json())
    bulk = http.post("/clients:bulk", json=[CLIENT, {**CLIENT, "id": "cli_2", "email": "nope"}]).json()
    assert_matches("BulkResults", bulk)
    assert [result["status"] for result in bulk["results"]] == ["ok", "rejected"]
    for _ in range(2):  # an erasure, then the same again: both succeed, with no body
        erased = http.delete("/clients/cli_1", params={"shop_client_id": stored["shop_client_id"]})
        assert (erased.status_code, erased.content) == (204, b"")
    assert http.delete("/clients/cli_never_sent").status_code == 204


def test_refusals_are_problem_details(shop, http, account):
    problem(httpx.get(f"{shop.base_url}/api/accounts/{account.id}"), 401, "unauthorized")
    problem(http.get(f"{shop.base_url}/api/accounts/acc_nobody"), 404, "account_not_found")
    invalid = problem(http.put("/intervenants/int_1", json={**INTERVENANT, "zones": ["Lyon"], "x": 1}),
                      422, "invalid_request")
    assert {error["field"] for error in invalid["errors"]} == {"zones.0", "x"}
    problem(http.put("/intervenants/int_2", json=INTERVENANT), 422, "id_mismatch")
    problem(http.put("/intervenants/int_1", json={**INTERVENANT, "services": ["svc_x"]}), 422, "unknown_service")
    problem(http.put("/clients/cli_nobody/documents/d1", json=DOCUMENT), 404, "client_not_found")
    problem(http.post("/intervenants:bulk", json=[INTERVENANT] * 501), 422, "batch_too_large")
    problem(httpx.delete(f"{shop.base_url}/api/accounts/{account.id}/clients/cli_1"), 401, "unauthorized")
    problem(http.delete(f"{shop.base_url}/api/accounts/acc_nobody/clients/cli_1"), 404, "account_not_found")
    problem(http.delete("/clients/cli_1", params={"shop_client_id": ""}), 422, "invalid_request")
    stored = http.put("/clients/cli_1", json=CLIENT).json()
    problem(http.delete("/clients/cli_2", params={"shop_client_id": stored["shop_client_id"]}), 409, "client_mismatch")
