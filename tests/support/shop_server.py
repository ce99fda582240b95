"""Run the reference shop (ogust_shop) for tests: in a background thread, or as a subprocess.

    with running_shop() as shop:
        shop.admin.create_account("acc_1", api_key="key-acc-1")
        api = HttpShopApi(shop.base_url, "key-acc-1")
"""
from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from ogust_shop.app import create_app
from ogust_shop.demo import DEMO_SERVICES
from ogust_shop.store import Store
from ogust_shop.stripe_cards import StripeCards


class ShopAdmin:
    """The shop's /_admin endpoints, for arranging and checking tests."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def create_account(self, account_id: str, api_key: str, *, name: str = "Boutique de test",
                       services: list[dict] | None = None, webhook_url: str | None = None,
                       webhook_secret: str | None = None) -> dict:
        body = {"id": account_id, "name": name, "api_key": api_key, "webhook_url": webhook_url,
                "webhook_secret": webhook_secret, "services": DEMO_SERVICES if services is None else services}
        return self._call("POST", "/_admin/accounts", body)

    def account(self, account_id: str) -> dict:
        return self._call("GET", f"/_admin/accounts/{account_id}")

    def place_order(self, account_id: str, customer: dict, items: list[dict],
                    card_number: str = "4242424242424242", **extra: object) -> dict:
        """Returns ``{order_id, shop_client_id, payment, ogust_status, ogust_body}``."""
        body = {"customer": customer, "items": items, "card_number": card_number, **extra}
        return self._call("POST", f"/_admin/accounts/{account_id}/orders", body)

    def client_page(self, account_id: str, shop_client_id: str) -> str:
        response = httpx.get(f"{self.base_url}/accounts/{account_id}/clients/{shop_client_id}")
        response.raise_for_status()
        return response.text

    def _call(self, method: str, path: str, body: object = None) -> dict:
        response = httpx.request(method, self.base_url + path, json=body, timeout=30)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()


@dataclass
class RunningShop:
    base_url: str
    admin: ShopAdmin
    store: Store | None = None


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_in_thread(app, startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve any ASGI app with uvicorn on a free local port; yields its base URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def running_shop(store: Store | None = None, stripe_base: str | None = None,
                 stripe_key: str = "sk_test_ogust_shop") -> Iterator[RunningShop]:
    """The reference shop in a background thread (memory store unless one is given)."""
    store = store if store is not None else Store()
    cards = StripeCards(stripe_base, stripe_key) if stripe_base else None
    with serve_in_thread(create_app(store, cards)) as base_url:
        yield RunningShop(base_url, ShopAdmin(base_url), store)


@contextmanager
def shop_process(*args: str, data: Path | None = None, startup_timeout: float = 20.0) -> Iterator[RunningShop]:
    """``python -m ogust_shop`` as a subprocess on a free port, with extra CLI ``args``."""
    port = free_port()
    command = [sys.executable, "-m", "ogust_shop", "--port", str(port), *args]
    if data is not None:
        command += ["--data", str(data)]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, log, startup_timeout)
        yield RunningShop(base_url, ShopAdmin(base_url))
    finally:
        log.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen, log, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the shop exited with {process.returncode}:\n{log.read().decode(errors='replace')}")
        try:
            httpx.get(f"{base_url}/api/accounts/none", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the shop did not start within {timeout} s")
