"""Run the reference URSSAF server (ogust_urssaf) for tests: in a background thread, or as a subprocess.

    with running_urssaf() as urssaf:
        credentials = urssaf.admin.create_tiers("company-1")
        api = HttpUrssafApi()
        id_client = api.register_client(credentials, registration)
        urssaf.admin.activate(credentials.client_id, id_client)
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ogust.application.ports import UrssafCredentials
from ogust_urssaf.app import create_app
from ogust_urssaf.store import Store
from tests.support.shop_server import free_port, serve_in_thread


class UrssafAdmin:
    """The server's /_admin endpoints: tiers accounts, the clock, the client's and the back office's steps."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def create_tiers(self, client_id: str, client_secret: str | None = None,
                     natures: list[str] | None = None) -> UrssafCredentials:
        secret = client_secret or f"secret-of-{client_id}"
        self._call("POST", "/_admin/tiers", {"client_id": client_id, "client_secret": secret, "natures": natures})
        return UrssafCredentials(client_id, secret, self.base_url)

    def tiers(self, client_id: str) -> dict:
        return self._call("GET", f"/_admin/tiers/{client_id}")

    def now(self) -> datetime:
        return datetime.fromisoformat(self._call("GET", "/_admin/clock")["now"])

    def set_clock(self, moment: datetime) -> None:
        self._call("POST", "/_admin/clock", {"now": moment.isoformat()})

    def advance(self, delta: timedelta) -> None:
        self._call("POST", "/_admin/clock", {"advance_seconds": delta.total_seconds()})

    def activate(self, client_id: str, id_client: str) -> dict:
        return self._call("POST", f"/_admin/tiers/{client_id}/particuliers/{id_client}/activate")

    def abandon(self, client_id: str, id_client: str) -> dict:
        return self._call("POST", f"/_admin/tiers/{client_id}/particuliers/{id_client}/abandon")

    def account(self, id_client: str, step: str) -> dict:
        """``block``, ``unblock``, ``expire-mandate``, ``renew-mandate``."""
        return self._call("POST", f"/_admin/particuliers/{id_client}/{step}")

    def demande(self, demande_id: str) -> dict:
        return self._call("GET", f"/_admin/demandes/{demande_id}")

    def step(self, demande_id: str, step: str, code: str | None = None, commentaire: str = "") -> dict:
        """``validate``, ``contest`` (code), ``bounce``, ``debit``, ``pay``, ``recover``, ``cancel`` (code)."""
        body = {"code": code, "commentaire": commentaire} if code else None
        return self._call("POST", f"/_admin/demandes/{demande_id}/{step}", body)

    def try_step(self, demande_id: str, step: str, code: str | None = None) -> httpx.Response:
        body = {"code": code, "commentaire": ""} if code else None
        return httpx.post(f"{self.base_url}/_admin/demandes/{demande_id}/{step}", json=body, timeout=30)

    def _call(self, method: str, path: str, body: object = None) -> dict:
        response = httpx.request(method, self.base_url + path, json=body, timeout=30)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json()


@dataclass
class RunningUrssaf:
    base_url: str
    admin: UrssafAdmin
    store: Store | None = None


@contextmanager
def running_urssaf(token_lifetime: int = 3600, integration_delay: timedelta = timedelta(minutes=1),
                   store: Store | None = None) -> Iterator[RunningUrssaf]:
    """The reference URSSAF server in a background thread, on a free port."""
    store = store if store is not None else Store()
    app = create_app(store, token_lifetime=token_lifetime, integration_delay=integration_delay)
    with serve_in_thread(app) as base_url:
        yield RunningUrssaf(base_url, UrssafAdmin(base_url), store)


@contextmanager
def urssaf_process(*args: str, startup_timeout: float = 20.0) -> Iterator[RunningUrssaf]:
    """``python -m ogust_urssaf`` as a subprocess on a free port, with extra CLI ``args``."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "ogust_urssaf", "--port", str(port), *args],
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")
                raise RuntimeError(f"ogust_urssaf exited with {process.returncode}:\n{output}")
            try:
                httpx.get(f"{base_url}/_admin/clock", timeout=0.5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"ogust_urssaf did not start within {startup_timeout} s") from None
                time.sleep(0.05)
        yield RunningUrssaf(base_url, UrssafAdmin(base_url))
    finally:
        log.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
