"""The OpenAPI document of the shop contract is valid, and its examples match its schemas."""
from __future__ import annotations

import pytest

from tests.support.shop_contract import contract, schema_errors

METHODS = {"get", "put", "post", "delete", "patch"}


def test_the_document_is_valid_openapi_3_1():
    validator = pytest.importorskip("openapi_spec_validator")
    document = contract()
    assert document["openapi"].startswith("3.1")
    validator.validate(document)


def test_it_describes_both_sides_of_the_contract():
    paths = contract()["paths"]
    operations = {(method.upper(), path) for path, item in paths.items() for method in item if method in METHODS}
    assert operations == {
        ("GET", "/api/accounts/{account_id}"),
        ("GET", "/api/accounts/{account_id}/services"),
        ("PUT", "/api/accounts/{account_id}/intervenants/{intervenant_id}"),
        ("POST", "/api/accounts/{account_id}/intervenants:bulk"),
        ("PUT", "/api/accounts/{account_id}/clients/{client_id}"),
        ("DELETE", "/api/accounts/{account_id}/clients/{client_id}"),
        ("POST", "/api/accounts/{account_id}/clients:bulk"),
        ("PUT", "/api/accounts/{account_id}/clients/{shop_client_id}/documents/{document_id}"),
        ("POST", "/api/shop/orders"),
    }


def _examples():
    """(where, schema, example) for every media type example in the document."""
    document = contract()
    named = document["components"].get("examples", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(status, response) for status, response in operation["responses"].items()]
            for where, body in bodies:
                if "$ref" in body:
                    body = document["components"]["responses"][body["$ref"].rsplit("/", 1)[1]]
                for media in body.get("content", {}).values():
                    examples = [media["example"]] if "example" in media else []
                    for example in media.get("examples", {}).values():
                        ref = example.get("$ref")
                        examples.append(named[ref.rsplit("/", 1)[1]]["value"] if ref else example["value"])
                    for value in examples:
                        yield f"{method.upper()} {path} {where}", media["schema"], value


def test_every_example_matches_its_schema():
    checked = list(_examples())
    assert len(checked) >= 20
    failures = {where: errors for where, schema, value in checked if (errors := schema_errors(schema, value))}
    assert failures == {}
