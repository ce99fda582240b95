"""The API takes what the CLI takes: an invoice, avoir or attestation number, a matricule, an email —
or the id. ``POST /api/invoices/FA-2026-000006/validate`` answered 404 « facture introuvable » for an
invoice that existed (issue 18)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_an_invoice_by_its_number_on_every_invoice_route(api, tenants):
    a, _ = tenants
    number = api.post(f"/api/invoices/{a.invoice_id}/validate", headers=a.operator).json()["number"]
    assert number.startswith("FA-")
    again = api.post(f"/api/invoices/{number}/validate", headers=a.operator)
    assert again.status_code == 409, again.text  # found by its number: already validated, not « introuvable »
    note = api.post(f"/api/invoices/{number}/credit-notes", json={"full": True, "reason": "Erreur"},
                    headers=a.operator)
    assert note.status_code == 201, note.text
    listed = api.get(f"/api/credit-notes?invoice_id={number}", headers=a.operator).json()
    assert [n["number"] for n in listed] == [note.json()["number"]]


def test_an_intervenant_by_matricule_and_a_client_by_email(api, tenants):
    a, _ = tenants
    worker = api.get("/api/intervenants/M001", headers=a.operator)
    assert worker.status_code == 200 and worker.json()["id"] == a.intervenant_id
    email = api.get(f"/api/clients/{a.client_id}", headers=a.operator).json()["email"]
    assert api.get(f"/api/clients/{email.upper()}", headers=a.operator).json()["id"] == a.client_id
    patched = api.patch(f"/api/clients/{email}", json={"phone": "04 78 00 00 00"}, headers=a.operator)
    assert patched.status_code == 200 and patched.json()["id"] == a.client_id
    planning = api.get("/api/intervenants/M001/planning", headers=a.operator)
    assert planning.status_code == 200


def test_references_in_bodies(api, tenants):
    a, _ = tenants
    email = api.get(f"/api/clients/{a.client_id}", headers=a.operator).json()["email"]
    made = api.post("/api/invoices/manual", headers=a.operator, json={
        "client_id": email, "lines": [{"tarif_code": "MEN", "quantity": 60, "performed_on": "2026-04-07",
                                       "intervenant_id": "M001"}]})
    assert made.status_code == 201, made.text
    assert made.json()["client_id"] == a.client_id
    assert made.json()["lines"][0]["intervenant_matricule"] == "M001"


def test_another_companys_reference_is_not_found(api, tenants):
    a, b = tenants
    number = api.post(f"/api/invoices/{a.invoice_id}/validate", headers=a.operator).json()["number"]
    email = api.get(f"/api/clients/{a.client_id}", headers=a.operator).json()["email"]
    for path in (f"/api/invoices/{number}", f"/api/clients/{email}"):
        answer = api.get(path, headers=b.operator)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", path
    # B has its own M001 and FA-…-000001 numbering: its own records, never A's
    assert api.get("/api/intervenants/M001", headers=b.operator).json()["id"] == b.intervenant_id
    answer = api.post(f"/api/invoices/{number}/validate", headers=b.operator)
    assert answer.status_code == 404
