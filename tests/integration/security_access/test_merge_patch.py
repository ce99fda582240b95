"""PATCH is a JSON Merge Patch (RFC 7396): a member left out is kept, null clears it, an object sent
changes only its own members sent, a list given replaces that list only. A PATCH of the skills alone
used to wipe the worker's presentation, services and zones (issue 18)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

MERGE = "application/merge-patch+json"


def _patch(api, path, headers, body, media_type=MERGE):
    import json
    return api.patch(path, content=json.dumps(body), headers={**headers, "content-type": media_type})


def test_patching_the_skills_keeps_the_rest_of_the_profile(api, tenants):
    a, _ = tenants
    path = f"/api/intervenants/{a.intervenant_id}"
    full = {"presentation": "Aide à domicile depuis 10 ans", "services": ["svc_menage"], "zones": ["69003"],
            "skills": ["repassage"]}
    assert _patch(api, path, a.operator, {"profile": full}).status_code == 200

    answer = _patch(api, path, a.operator, {"profile": {"skills": ["jardinage", "cuisine"]}})

    assert answer.status_code == 200, answer.text
    profile = api.get(path, headers=a.operator).json()["profile"]
    assert profile["presentation"] == "Aide à domicile depuis 10 ans"
    assert profile["services"] == ["svc_menage"] and profile["zones"] == ["69003"]
    assert sorted(profile["skills"]) == ["cuisine", "jardinage"]


def test_null_clears_a_member_and_plain_json_means_the_same(api, tenants):
    a, _ = tenants
    path = f"/api/intervenants/{a.intervenant_id}"
    _patch(api, path, a.operator, {"phone": "06 12 34 56 78", "profile": {"presentation": "Bonjour",
                                                                           "zones": ["69003", "69002"]}})
    answer = _patch(api, path, a.operator, {"phone": None, "profile": {"zones": None}}, "application/json")
    assert answer.status_code == 200, answer.text
    body = api.get(path, headers=a.operator).json()
    assert body["phone"] == "" and body["profile"]["zones"] == [] and body["profile"]["presentation"] == "Bonjour"
    assert body["first_name"] == "Marie"  # absent: kept

    answer = _patch(api, path, a.operator, {"profile": None})
    assert answer.status_code == 200
    assert api.get(path, headers=a.operator).json()["profile"] == {"presentation": "", "services": [], "zones": [],
                                                                   "skills": []}


def test_null_where_a_value_is_required_is_refused_and_changes_nothing(api, tenants):
    a, _ = tenants
    for path, body in ((f"/api/intervenants/{a.intervenant_id}", {"last_name": None, "phone": "0102030405"}),
                       (f"/api/clients/{a.client_id}", {"address": None, "first_name": "Autre"}),
                       (f"/api/clients/{a.client_id}", {"email": None})):
        before = api.get(path, headers=a.operator).json()
        answer = _patch(api, path, a.operator, body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_request"
        assert api.get(path, headers=a.operator).json() == before


def test_a_client_address_is_merged_member_by_member(api, tenants):
    a, _ = tenants
    path = f"/api/clients/{a.client_id}"
    answer = _patch(api, path, a.operator, {"address": {"city": "Villeurbanne", "postal_code": "69100"}})
    assert answer.status_code == 200, answer.text
    address = api.get(path, headers=a.operator).json()["address"]
    assert address["street"] == "5 place Bellecour"  # absent: kept
    assert (address["postal_code"], address["city"]) == ("69100", "Villeurbanne")


def test_the_openapi_document_declares_merge_patch_on_every_patch_route(api):
    paths = api.get("/openapi.json").json()["paths"]
    patches = {path: item["patch"] for path, item in paths.items() if "patch" in item}
    assert {"/api/intervenants/{ref}", "/api/clients/{ref}"} <= set(patches)
    for path, operation in patches.items():
        content = operation["requestBody"]["content"]
        assert MERGE in content and "application/json" in content, path
        assert "RFC 7396" in operation["description"] and "null" in operation["description"], path
