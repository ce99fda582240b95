"""The OpenAPI schema says what each success answers: a JSON object with its fields (or a list of them),
never a free-form object, except the few binary downloads, which name their media type."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

BINARY = {
    "GET /api/clients/{ref}/export": "application/zip",
    "GET /documents/{token}": "application/pdf",
    "GET /pay/{token}": "text/html",
    "GET /api/invoices/{ref}/pdf": "application/pdf",
    "GET /api/invoices/{ref}/xml": "application/xml",
    "GET /api/credit-notes/{ref}/pdf": "application/pdf",
    "GET /api/credit-notes/{ref}/xml": "application/xml",
    "GET /api/devis/{ref}/pdf": "application/pdf",
    "GET /api/attestations/{ref}/pdf": "application/pdf",
    "GET /api/accounting/sales": "text/csv",
    "GET /api/accounting/payments": "text/csv",
}


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def models(spec: dict, schema: dict) -> list[dict]:
    """The object schemas a response is made of (itself, or a list's items)."""
    schema = resolve(spec, schema)
    if schema.get("type") == "array":
        return models(spec, schema.get("items", {}))
    return [schema]


def successes(spec: dict):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            codes = [code for code in operation["responses"] if code.startswith("2")]
            assert codes, f"{name}: no 2xx response declared"
            for code in codes:
                yield name, code, operation["responses"][code].get("content") or {}


def test_every_success_declares_its_fields(offline_api) -> None:
    spec = offline_api.app.openapi()
    checked = 0
    for name, code, content in successes(spec):
        if name in BINARY:
            assert list(content) == [BINARY[name]], (name, code, content)
            assert resolve(spec, content[BINARY[name]]["schema"])["type"] == "string", (name, code)
            continue
        assert list(content) == ["application/json"], (name, code, content)
        for model in models(spec, content["application/json"].get("schema", {})):
            assert model.get("type") == "object" and model.get("properties"), (name, code, model)
            checked += 1
    assert checked >= 45


def test_every_field_of_a_success_is_always_there(offline_api) -> None:
    """A value that may be missing is declared nullable and still sent: clients never test for a key."""
    spec = offline_api.app.openapi()
    seen: set[str] = set()

    def walk(schema: dict) -> None:
        if "$ref" in schema:
            if schema["$ref"] in seen:
                return
            seen.add(schema["$ref"])
        schema = resolve(spec, schema)
        for part in schema.get("anyOf", []):
            walk(part)
        if schema.get("type") == "array":
            walk(schema.get("items", {}))
        if isinstance(schema.get("additionalProperties"), dict):
            walk(schema["additionalProperties"])
        properties = schema.get("properties", {})
        assert set(schema.get("required", [])) == set(properties), (schema.get("title"), properties.keys())
        for value in properties.values():
            walk(value)

    for name, _code, content in successes(spec):
        if name not in BINARY:
            walk(content["application/json"]["schema"])
    assert len(seen) >= 30
