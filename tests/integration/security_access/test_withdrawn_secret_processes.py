"""A shop secret withdrawn without grace (``ogust shop rotate-secret --grace-hours 0``, a process of its
own) stops working in an API server that is another process within the bound docs/security.md gives:
``SECRET_WITHDRAWAL_BOUND`` seconds after the rotation commits (the cache of CachedShopAccounts)."""
from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import pytest

from ogust.adapters.persistence.shop_accounts import DEFAULT_TTL_SECONDS
from ogust.adapters.shop.signing import sign
from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.entrypoints.container import build_container
from tests.integration.security_input.conftest import offline_settings
from tests.support.processes import ogust_env, start_ogust

pytestmark = pytest.mark.integration

SECRET_WITHDRAWAL_BOUND = 1.0  # seconds, as docs/security.md says
LATENCY = 0.25  # an order's own round trip on a loaded test machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rotation_committed(container, company_id: str, old: str) -> float:
    """When the other process's rotation became visible in the database (read every 20 ms)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with container.uow() as uow:
            if uow.companies.get(company_id).shop_webhook_secret != old:
                return time.monotonic()
        time.sleep(0.02)
    raise AssertionError("the rotation never committed")


def test_a_secret_withdrawn_by_another_process_is_refused_within_the_bound(database_url: str, tmp_path: Path):
    assert DEFAULT_TTL_SECONDS <= SECRET_WITHDRAWAL_BOUND
    settings = offline_settings(database_url, tmp_path / "var")
    container = build_container(settings)
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    account, old = f"acc_{uuid.uuid4().hex[:10]}", f"old-{uuid.uuid4().hex}"
    with container.uow() as uow:
        uow.companies.get(company.id).link_shop(account, old)
        uow.commit()
    env = ogust_env(replace(settings, company_id=company.id))
    port = free_port()
    server = start_ogust(["serve", "--port", str(port), "--no-worker"], env, tmp_path / "serve.log")
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def order_signed_with_the_old_secret(http: httpx.Client) -> int:
        body = json.dumps({"account_id": account}).encode()  # authenticated, then refused as an order (422)
        stamp = int(time.time())
        return http.post("/api/shop/orders", content=body, headers={
            "content-type": "application/json", "x-ogust-account": account, "x-ogust-timestamp": str(stamp),
            "x-ogust-signature": sign(old, stamp, body)}).status_code

    def keep_ordering(http: httpx.Client) -> None:
        while not stop.is_set():
            seen.append((time.monotonic(), order_signed_with_the_old_secret(http)))
            time.sleep(0.02)

    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for _ in range(300):
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    assert server.poll() is None, (tmp_path / "serve.log").read_text()
                    time.sleep(0.1)
            assert order_signed_with_the_old_secret(http) == 422  # the old secret works: cached by the server
            orders = threading.Thread(target=keep_ordering, args=(http,))
            orders.start()
            rotation = start_ogust(["shop", "rotate-secret", "--grace-hours", "0"], env, tmp_path / "rotate.log")
            committed = rotation_committed(container, company.id, old)
            time.sleep(SECRET_WITHDRAWAL_BOUND + LATENCY + 0.5)
            stop.set()
            orders.join()
            assert rotation.wait(timeout=120) == 0, (tmp_path / "rotate.log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
        container.engine().dispose()
    accepted_after = [at - committed for at, status in seen if at > committed and status == 422]
    assert all(status in (401, 422) for _, status in seen), seen
    assert seen[-1][1] == 401  # refused in the end
    assert any(at < committed and status == 422 for at, status in seen)  # accepted until the rotation
    assert max(accepted_after, default=0) <= SECRET_WITHDRAWAL_BOUND + LATENCY, accepted_after
