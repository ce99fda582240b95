"""The shop's orders are signed per company; during a rotation the previous secret stays valid until it
expires; a stale or future timestamp is refused."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from ogust.adapters.shop.signing import sign
from ogust.entrypoints.container import build_container

pytestmark = pytest.mark.integration


def post_order(api, account_id: str, secret: str, timestamp: int | None = None):
    """A signed body naming the account: 422 (authenticated, then refused as an order) or 401."""
    raw = json.dumps({"account_id": account_id}).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return api.post("/api/shop/orders", content=raw, headers={
        "content-type": "application/json", "x-ogust-timestamp": str(timestamp),
        "x-ogust-signature": sign(secret, timestamp, raw)})


def test_orders_are_signed_with_the_companys_own_secret(api, tenants):
    a, b = tenants
    assert post_order(api, a.shop_account_id, a.webhook_secret).status_code == 422  # past the signature
    assert post_order(api, a.shop_account_id, b.webhook_secret).status_code == 401  # B's secret, A's account
    assert post_order(api, "acc_unknown", a.webhook_secret).status_code == 401


def test_both_secrets_pass_during_a_rotation_then_only_the_new_one(api, container, tenants):
    a, _ = tenants
    new_secret = container.rotate_shop_secret()(a.company_id, timedelta(hours=1))
    assert new_secret != a.webhook_secret and len(new_secret) >= 32
    assert post_order(api, a.shop_account_id, new_secret).status_code == 422
    assert post_order(api, a.shop_account_id, a.webhook_secret).status_code == 422  # still within the grace

    with container.uow() as uow:  # the grace period ends
        company = uow.companies.get(a.company_id)
        company.shop_previous_secret_expires_at = uow.clock.now() - timedelta(seconds=1)
        uow.commit()
    refused = post_order(api, a.shop_account_id, a.webhook_secret)
    assert refused.status_code == 401 and refused.json()["code"] == "bad_signature"
    assert post_order(api, a.shop_account_id, new_secret).status_code == 422


def test_a_rotation_without_grace_refuses_the_old_secret_at_once(api, container, tenants):
    a, _ = tenants
    assert post_order(api, a.shop_account_id, a.webhook_secret).status_code == 422  # the API now has it cached
    new_secret = container.rotate_shop_secret()(a.company_id, timedelta(0))
    assert post_order(api, a.shop_account_id, a.webhook_secret).status_code == 401
    assert post_order(api, a.shop_account_id, new_secret).status_code == 422


def test_a_secret_rotated_by_another_process_is_accepted_at_once(api, container, tenants):
    a, _ = tenants
    assert post_order(api, a.shop_account_id, a.webhook_secret).status_code == 422  # the API now has it cached
    other = build_container(container.settings())  # another process: its own engine, sessions and cache
    try:
        new_secret = other.rotate_shop_secret()(a.company_id, timedelta(hours=1))
    finally:
        other.engine().dispose()
    assert post_order(api, a.shop_account_id, new_secret).status_code == 422  # read again before refusing
    assert post_order(api, a.shop_account_id, a.webhook_secret).status_code == 422  # within the grace
    assert post_order(api, a.shop_account_id, "not-the-secret-0123456789").status_code == 401


def test_stale_and_future_timestamps_are_refused(api, tenants):
    a, _ = tenants
    now = int(time.time())
    for timestamp, words in ((now - 400, "périmé"), (now + 400, "dans le futur")):
        refused = post_order(api, a.shop_account_id, a.webhook_secret, timestamp)
        assert refused.status_code == 401 and words in refused.json()["detail"], refused.text
    assert post_order(api, a.shop_account_id, a.webhook_secret, now - 200).status_code == 422


def test_the_cli_rotates_the_secret_and_shows_the_new_one_once(container, tenants, cli_env):
    a, _ = tenants
    out = cli_env(a.company_id)("shop", "rotate-secret", "--grace-hours", "2", "--json")
    secret = json.loads(out)["webhook_secret"]
    with container.uow() as uow:
        company = uow.companies.get(a.company_id)
        assert company.shop_webhook_secret == secret and company.shop_previous_webhook_secret == a.webhook_secret
        assert timedelta(hours=1.9) < company.shop_previous_secret_expires_at - uow.clock.now() <= timedelta(hours=2)
