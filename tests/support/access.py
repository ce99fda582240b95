"""API keys for tests: created through the container, as ``ogust key create`` does."""
from __future__ import annotations

import httpx

from ogust.entrypoints.container import Container


def api_key(container: Container, company_id: str, *scopes: str, name: str = "tests") -> str:
    """A new key of the company (``operator`` unless scopes are given): the full key, shown once."""
    return container.api_keys().create(company_id, name, tuple(scopes) or ("operator",)).token


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def authenticate(http: httpx.Client, container: Container, company_id: str, *scopes: str) -> str:
    """Make every later call of ``http`` carry a new key of the company; returns the key."""
    key = api_key(container, company_id, *scopes)
    http.headers["Authorization"] = f"Bearer {key}"
    return key
