"""Every bad input: a 4xx problem+json that says what is wrong, nothing written, never a 5xx."""
from __future__ import annotations

import pytest

from ogust.entrypoints.api.body_limit import DEFAULT_MAX_BYTES

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
ADDRESS = {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}
CLIENT = {"first_name": "Zoé", "last_name": "Lefèvre", "email": "zoe@example.fr", "address": ADDRESS}


def problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"] and body["code"]
    if field:
        assert field in body["detail"], body
    return body


def counts(api) -> dict[str, int]:
    with api.container.uow() as uow:
        return {"clients": len(uow.clients.list(api.company_id)), "invoices": len(uow.invoices.list(api.company_id)),
                "intervenants": len(uow.intervenants.list(api.company_id)),
                "tarifs": len(uow.tarifs.list(api.company_id)),
                "credit_notes": len(uow.credit_notes.list(api.company_id))}


@pytest.mark.parametrize("path,body,field", [
    ("/api/clients", CLIENT | {"email": "zoe@"}, "email"),
    ("/api/clients", CLIENT | {"phone": "0611"}, "phone"),
    ("/api/clients", CLIENT | {"phone": "+44 20 7946 0958"}, "phone"),
    ("/api/clients", CLIENT | {"address": ADDRESS | {"postal_code": "96000"}}, "address.postal_code"),
    ("/api/clients", CLIENT | {"address": ADDRESS | {"postal_code": "7500"}}, "address.postal_code"),
    ("/api/clients", CLIENT | {"first_name": "Z" * 201}, "first_name"),
    ("/api/clients", CLIENT | {"last_name": ""}, "last_name"),
    ("/api/clients", CLIENT | {"unknown": 1}, "unknown"),
    ("/api/intervenants", {"first_name": "Ada", "last_name": "L", "matricule": "M9",
                           "profile": {"zones": ["69003", "99000"]}}, "zones"),
    ("/api/intervenants", {"first_name": "Ada", "last_name": "L", "matricule": "M9", "phone": "12"}, "phone"),
    ("/api/intervenants", {"first_name": "Ada", "last_name": "L", "matricule": "M9",
                           "profile": {"services": ["s" * 65]}}, "services"),  # the shop takes 64
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": 2500, "vat_rate": "10",
                     "tax_credit_eligible": "no"}, "tax_credit_eligible"),
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": 0, "vat_rate": "10"},
     "price_ht_cents"),
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": 100_000_001, "vat_rate": "10"},
     "price_ht_cents"),
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": 12.5, "vat_rate": "10"},
     "price_ht_cents"),
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": "12,50", "vat_rate": "10"},
     "price_ht_cents"),
    ("/api/invoices/contract", {"client_id": "x", "period_start": "2027-02-01", "period_end": "2027-01-01"},
     "période"),
    ("/api/invoices/contract", {"client_id": "x", "period_start": "1999-12-01", "period_end": "2027-01-01"},
     "period_start"),
    ("/api/attestations", {"client_id": "x", "year": 2101}, "year"),
    ("/api/attestations", {"client_id": "x", "year": "2026"}, "year"),
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": True, "vat_rate": "10"},
     "price_ht_cents : nombre entier attendu"),  # not 1 cent
    ("/api/tarifs", {"code": "X", "label": "X", "unit": "hour", "price_ht_cents": 2500.0, "vat_rate": "10"},
     "price_ht_cents"),
])
def test_refused_with_a_problem_naming_the_field_and_nothing_written(offline_api, http, path, body, field):
    before = counts(offline_api)
    problem(http.post(path, json=body), 422, field)
    assert counts(offline_api) == before


def test_manual_invoice_quantities_and_amounts(offline_api, http):
    before = counts(offline_api)
    line = {"tarif_code": "MEN", "quantity": 100_001}
    problem(http.post("/api/invoices/manual", json={"client_id": offline_api.client_id, "lines": [line]}), 422,
            "quantity")
    problem(http.post("/api/invoices/manual", json={"client_id": offline_api.client_id,
                                                     "lines": [line | {"quantity": 60, "performed_on": "1899-01-01"}]}),
            422, "performed_on")
    problem(http.post("/api/invoices/manual", json={"client_id": offline_api.client_id, "lines": []}), 422, "lines")
    assert counts(offline_api) == before


def test_credit_note_amounts(offline_api, http):
    invoice = http.post(f"/api/invoices/{offline_api.invoice_id}/validate").json()
    before = counts(offline_api)
    url = f"/api/invoices/{invoice['id']}/credit-notes"
    problem(http.post(url, json={"reason": "x", "amount_cents": -5}), 422, "amount_cents")
    problem(http.post(url, json={"reason": "x", "amount_cents": 100_000_001}), 422, "amount_cents")
    problem(http.post(url, json={"reason": "x" * 501, "full": True}), 422, "reason")
    problem(http.post(url, json={"reason": "x", "amount_cents": 10**9}), 422, "amount_cents")
    problem(http.post(url, json={"reason": "x", "amount_cents": 1_000_000}), 409)  # more than the invoice
    problem(http.post(url, json={"reason": "x", "amount_cents": True}), 422, "amount_cents")  # not 1 cent
    problem(http.post(url, json={"reason": "x", "amount_cents": "500"}), 422, "amount_cents")
    problem(http.post(url, json={"reason": "x", "full": "yes"}), 422, "full")  # not a full credit note
    assert counts(offline_api) == before


def test_a_list_limit_out_of_its_bounds_is_refused(http):
    for limit in (-1, 0, 1001):
        problem(http.get("/api/outbox", params={"limit": limit}), 422, "limit")
    assert http.get("/api/outbox", params={"limit": 1000}).status_code == 200


def test_a_patch_that_breaks_a_rule_changes_nothing(offline_api, http):
    url = f"/api/clients/{offline_api.client_id}"
    before = http.get(url).json()
    problem(http.patch(url, json={"phone": "0611"}), 422, "phone")
    problem(http.patch(url, json={"address": ADDRESS | {"postal_code": "00000"}}), 422, "postal_code")
    assert http.get(url).json() == before


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "active"])
def test_null_in_a_patch_is_refused_not_a_crash(offline_api, http, field):
    """Found by schemathesis (a 500: 'NoneType' object has no attribute 'strip')."""
    for url in (f"/api/clients/{offline_api.client_id}", f"/api/intervenants/{offline_api.intervenant_id}"):
        if field == "email" and "intervenants" in url:
            continue  # optional for an intervenant: null clears it
        before = http.get(url).json()
        response = http.patch(url, json={field: None})
        if field == "active" and "clients" in url:
            problem(response, 422, "active")  # not a client's field
        else:
            problem(response, 422)
        assert http.get(url).json() == before


def test_unreadable_bodies(http):
    response = http.post("/api/clients", content=b"{not json", headers={"content-type": "application/json"})
    problem(response, 422)
    body = problem(http.post("/api/clients", content="\u00e9".encode("latin-1"),
                             headers={"content-type": "application/json"}), 400)
    assert body["code"] == "unreadable_body" and "illisible" in body["detail"]
    problem(http.post("/api/clients", json=[1, 2]), 422)


def test_a_body_over_the_limit_is_refused_with_413(offline_api, http):
    before = counts(offline_api)
    huge = CLIENT | {"first_name": "x" * (DEFAULT_MAX_BYTES + 1024)}
    body = problem(http.post("/api/clients", json=huge), 413)
    assert body["code"] == "payload_too_large"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(DEFAULT_MAX_BYTES // 1024 + 2):
            yield b"x" * 1024
    problem(http.post("/api/clients", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert counts(offline_api) == before


@pytest.mark.parametrize("path,params,body,expected", [
    ("/api/clients", None, CLIENT | {"address": ADDRESS | {"postal_code": "7500"}},
     "address.postal_code : code postal français attendu (5 chiffres, ex. 69003)"),
    ("/api/clients", None, CLIENT | {"phone": "06 12 ab"},
     "phone : numéro de téléphone attendu (chiffres, espaces et + . ( ) -)"),
    ("/api/clients", None, CLIENT | {"last_name": "   "}, "last_name : ne peut pas être vide"),
    ("/api/interventions/to-declare", {"month": "novembre"}, None, "month : mois attendu (AAAA-MM, ex. 2026-10)"),
])
def test_a_format_refused_says_what_it_expects(offline_api, http, path, params, body, expected):
    """Not the regular expression, nor a bare « format invalide »: the format the operator must give."""
    before = counts(offline_api)
    response = http.post(path, json=body) if body is not None else http.get(path, params=params)
    detail = problem(response, 422)["detail"]
    assert expected in detail and "format invalide" not in detail, detail
    assert counts(offline_api) == before


def test_every_pattern_of_the_api_is_explained(offline_api, http):
    """A pattern added to a schema without its French explanation would answer « format invalide »."""
    from ogust.entrypoints.api.schemas import EXPECTED_FORMATS

    def patterns(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                yield node["pattern"]
            for value in node.values():
                yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    found = set(patterns(http.get("/openapi.json").json()))
    assert found and found <= set(EXPECTED_FORMATS), found - set(EXPECTED_FORMATS)


@pytest.mark.parametrize("params,field", [
    ({"from": "0001-01-01T00:00:00+14:00", "to": "0001-01-02T00:00:00+01:00"}, "from"),
    ({"from": "9999-12-31T00:00:00+01:00"}, "from"),
    ({"from": "2026-01-01T00:00:00+01:00", "to": "9999-12-31T23:59:59-12:00"}, "to"),
])
def test_a_planning_at_the_ends_of_time_is_refused_not_a_500(offline_api, http, params, field):
    """Year 1 at +14:00 is before datetime.min in UTC: refused before any arithmetic."""
    body = problem(http.get(f"/api/intervenants/{offline_api.intervenant_id}/planning", params=params), 422)
    assert body["detail"].startswith("Année invalide") and body["details"]["field"] == field, body
