"""docs/shop-contract.openapi.yaml, loaded, and a check that a JSON value matches one of its schemas."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "shop-contract.openapi.yaml"


@lru_cache(maxsize=1)
def contract() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def schema_errors(schema: dict, value: object) -> list[str]:
    """The reasons ``value`` does not match ``schema`` (whose ``$ref``s point into the contract)."""
    jsonschema = pytest.importorskip("jsonschema")
    rooted = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "components": contract()["components"], **schema}
    validator = jsonschema.Draft202012Validator(rooted)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(value)]


def assert_matches(schema_name: str, value: object) -> None:
    errors = schema_errors({"$ref": f"#/components/schemas/{schema_name}"}, value)
    assert not errors, f"not a {schema_name}: {errors}"
