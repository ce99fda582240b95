"""``ogust key``: a key is shown once at creation; only the SHA-256 of its secret is stored."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from ogust.adapters.persistence import tables as t
from tests.support.access import bearer

pytestmark = pytest.mark.integration


def test_create_list_rotate_revoke(api, container, tenants, cli_env):
    a, _ = tenants
    ogust = cli_env(a.company_id)
    created_text = ogust("key", "create", "--name", "boutique", "--scope", "shop")
    token = next(line for line in created_text.splitlines() if line.startswith("ogk_"))
    _, prefix, secret = token.split("_", 2)
    assert "plus jamais" in created_text

    with container.engine().connect() as connection:
        row = connection.execute(select(t.api_keys).where(t.api_keys.c.prefix == prefix)).one()
    assert row.company_id == a.company_id and tuple(row.scopes) == ("shop",)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps([str(v) for v in row]) and token not in json.dumps([str(v) for v in row])

    listed = ogust("key", "list")
    assert prefix in listed and "boutique" in listed and secret not in listed
    listed_json = json.loads(ogust("key", "list", "--json"))
    assert all("key" not in k and "secret_hash" not in k for k in listed_json)
    assert api.get("/api/tarifs", headers=bearer(token)).status_code == 200

    rotated = json.loads(ogust("key", "rotate", row.id, "--json"))
    assert rotated["key"] != token and rotated["id"] == row.id
    assert api.get("/api/tarifs", headers=bearer(token)).status_code == 401
    assert api.get("/api/tarifs", headers=bearer(rotated["key"])).status_code == 200

    revoked = json.loads(ogust("key", "revoke", row.id, "--json"))
    assert revoked["status"] == "revoked"
    assert api.get("/api/tarifs", headers=bearer(rotated["key"])).status_code == 401
    assert "révoquée" in ogust("key", "list")


def test_the_cli_acts_for_its_company_only(tenants, cli_env):
    a, b = tenants
    key_of_a = json.loads(cli_env(a.company_id)("key", "create", "--name", "x", "--scope", "read", "--json"))
    cli_env(b.company_id, expect=3)("key", "revoke", key_of_a["id"])  # B's CLI: not found
    cli_env(b.company_id, expect=3)("key", "rotate", key_of_a["prefix"])
    assert key_of_a["id"] not in cli_env(b.company_id)("key", "list")
    cli_env(a.company_id, expect=1)("key", "create", "--name", "", "--scope", "read")  # refused: empty name
