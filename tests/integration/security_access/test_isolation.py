"""Another company's ids, lists, documents, links and outbox jobs: 404, or simply absent."""
from __future__ import annotations

import pytest

from ogust.adapters.documents.links import LinkTarget

pytestmark = pytest.mark.integration


def not_found(response) -> None:
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_another_companys_ids_are_not_found_and_nothing_changes(api, tenants):
    a, b = tenants
    for path in (f"/api/clients/{a.client_id}", f"/api/invoices/{a.invoice_id}",
                 f"/api/credit-notes?invoice_id={a.invoice_id}"):
        response = api.get(path, headers=b.operator)
        if path.startswith("/api/credit-notes"):
            assert response.status_code == 200 and response.json() == []
        else:
            not_found(response)
    not_found(api.post(f"/api/invoices/{a.invoice_id}/validate", headers=b.operator))
    not_found(api.patch(f"/api/clients/{a.client_id}", json={"first_name": "Volé"}, headers=b.operator))
    not_found(api.post("/api/invoices/manual", headers=b.operator,
                       json={"client_id": a.client_id, "lines": [{"tarif_code": "MEN", "quantity": 60}]}))
    not_found(api.post(f"/api/invoices/{a.invoice_id}/credit-notes", json={"full": True, "reason": "x"},
                       headers=b.operator))
    mine = api.get(f"/api/invoices/{a.invoice_id}", headers=a.operator).json()
    assert mine["status"] == "draft"
    assert api.get(f"/api/clients/{a.client_id}", headers=a.operator).json()["first_name"] == "Claire"


def test_lists_show_only_the_keys_company(api, tenants):
    a, b = tenants
    api.post(f"/api/invoices/{a.invoice_id}/validate", headers=a.operator).raise_for_status()
    for path, field in (("/api/clients", "id"), ("/api/invoices", "id"), ("/api/companies", "id"),
                        ("/api/tarifs", "id")):
        mine = {row[field] for row in api.get(path, headers=a.operator).json()}
        theirs = {row[field] for row in api.get(path, headers=b.operator).json()}
        assert mine and theirs and not mine & theirs, path
    assert [c["id"] for c in api.get("/api/companies", headers=b.operator).json()] == [b.company_id]
    outbox_b = api.get("/api/outbox", headers=b.operator).json()
    assert outbox_b["jobs"] == [] and sum(outbox_b["counts"].values()) == 0
    assert api.get("/api/outbox", headers=a.operator).json()["jobs"]
    assert all(e["entity_id"] != a.invoice_id for e in api.get("/api/audit", headers=b.operator).json())
    assert api.get(f"/api/audit?entity={a.invoice_id}", headers=b.operator).json() == []


def test_another_companys_outbox_job_cannot_be_retried(api, container, tenants):
    a, b = tenants
    api.post(f"/api/invoices/{a.invoice_id}/validate", headers=a.operator).raise_for_status()
    job = api.get("/api/outbox", headers=a.operator).json()["jobs"][0]
    not_found(api.post(f"/api/outbox/{job['id']}/retry", headers=b.operator))
    # for A it is a real job (pending: nothing to retry is a refusal, not a 404)
    assert api.post(f"/api/outbox/{job['id']}/retry", headers=a.operator).status_code in (200, 422)


def test_document_links_name_their_company_and_cannot_reach_another(api, container, tenants):
    a, b = tenants
    links = container.links()
    own = links.token(LinkTarget(a.company_id, "invoice", a.invoice_id))
    # A draft has no number yet, but the link works the same for it: what matters is the company
    assert api.get(f"/documents/{own}").status_code == 200
    foreign = links.token(LinkTarget(b.company_id, "invoice", a.invoice_id))  # B's link naming A's invoice
    assert api.get(f"/documents/{foreign}").status_code == 404
    not_found(api.get(f"/pay/{links.token(LinkTarget(b.company_id, 'pay', a.invoice_id))}"))
    # a link cannot be re-addressed: changing the company in the token breaks its signature
    body, signature = own.split(".")
    import base64
    import json
    decoded = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    decoded[0] = b.company_id
    forged = base64.urlsafe_b64encode(json.dumps(decoded, separators=(",", ":")).encode()).rstrip(b"=").decode()
    assert api.get(f"/documents/{forged}.{signature}").status_code == 404
