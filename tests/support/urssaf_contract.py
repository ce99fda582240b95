"""docs/urssaf-tiers-prestation.openapi.yaml, loaded, and checks that a request or an answer is one
the document describes (status listed for the path, body matching its schema)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "urssaf-tiers-prestation.openapi.yaml"


@lru_cache(maxsize=1)
def document() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def _validator(schema_json: str):
    jsonschema = pytest.importorskip("jsonschema")
    rooted = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": document()["components"],
              **json.loads(schema_json)}
    return jsonschema.Draft202012Validator(rooted)


def schema_errors(schema: dict, value: object) -> list[str]:
    validator = _validator(json.dumps(schema, sort_keys=True))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)]


def _operation(method: str, url: str) -> dict:
    path = urlsplit(url).path
    operation = document()["paths"].get(path, {}).get(method.lower())
    assert operation is not None, f"{method} {path} is not in the document"
    return operation


def _resolve(item: dict) -> dict:
    while "$ref" in item:
        name = item["$ref"].split("/")[-1]
        item = document()["components"]["responses"][name]
    return item


def assert_documented_answer(response: httpx.Response) -> None:
    """The answer's status is listed for its path and its JSON body matches that status's schema."""
    request = response.request
    operation = _operation(request.method, str(request.url))
    listed = operation["responses"]
    assert str(response.status_code) in listed, \
        f"{request.method} {request.url.path} answered {response.status_code}, not documented ({sorted(listed)})"
    content = _resolve(listed[str(response.status_code)]).get("content", {}).get("application/json")
    if content is not None:
        errors = schema_errors(content["schema"], response.json())
        assert not errors, f"{request.method} {request.url.path} {response.status_code}: {errors}\n{response.text}"


def assert_documented_request(method: str, url: str, body: bytes) -> None:
    """A JSON request body the document describes for this path."""
    content = _operation(method, url).get("requestBody", {}).get("content", {}).get("application/json")
    assert content is not None, f"{method} {url} takes no JSON body"
    errors = schema_errors(content["schema"], json.loads(body))
    assert not errors, f"{method} {urlsplit(url).path}: {errors}"
