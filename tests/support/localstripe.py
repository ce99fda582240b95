"""Run localstripe (a stateful fake Stripe server) for integration tests, and drive it.

``start_localstripe()`` launches it as a subprocess on a free port with ``--from-scratch``, waits
until it answers and returns a ``LocalStripe`` handle; ``stop()`` ends that process only.

Parallel instances: localstripe 1.15 pickles its whole store to the hard-coded path
``/tmp/localstripe.pickle`` after every write (``Store.dump_to_disk`` in ``resources.py``): no
environment variable, working directory, HOME or TMPDIR changes that path. So the process is
started through a three-line bootstrap that replaces ``Store.dump_to_disk`` with a no-op before
running localstripe's own ``server.start()``: with ``--from-scratch`` nothing is ever read back, so
nothing is lost, instances (pytest-xdist workers, other checkouts, a developer's own localstripe)
no longer overwrite each other's file, and writes are faster. Each instance still gets its own
working directory (and TMPDIR/HOME) for its log.

The helpers talk plain HTTP (httpx), independently of the adapter under test.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

API_KEY = "sk_test_ogust_localstripe"

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED_OFF_SESSION = "4000000000000341"  # attaches, then an off-session debit: card_declined
CARD_NEEDS_AUTHENTICATION = "4000002760003184"  # off-session debit: requires_action (3-D Secure)

_BOOTSTRAP = """\
import sys
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None  # not /tmp/localstripe.pickle, shared by all
sys.argv[0] = "localstripe"
server.start()
"""


class LocalStripeError(RuntimeError):
    pass


@dataclass
class LocalStripe:
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    api_key: str = API_KEY
    _http: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=10.0
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        try:
            return (self.workdir / "localstripe.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -------------------------------------------------------------- lifecycle
    def answers(self) -> bool:
        try:
            return self._http.get("/v1/customers", params={"limit": 1}, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        self._http.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def reset(self) -> None:
        """Forget every object (customers, PaymentIntents…). Registered webhooks stay."""
        self._checked(self._http.delete("/_config/data"))

    # -------------------------------------------------------------- test data
    def create_customer_with_card(self, card_number: str, email: str = "client@example.fr") -> tuple[str, str]:
        """A customer whose card was saved at ordering, as the shop does it: (cus_…, pm_…).

        Customer, card PaymentMethod, SetupIntent(usage=off_session) confirmed with it, then an
        explicit attach: localstripe does not attach the card when the SetupIntent is confirmed.
        (For a card needing 3-D Secure the SetupIntent stays ``requires_action``: localstripe has
        no way to complete it; the client is taken to have authenticated at ordering.)
        """
        customer = self._post("/v1/customers", {"email": email})["id"]
        method = self._post(
            "/v1/payment_methods",
            {
                "type": "card",
                "card[number]": card_number,
                "card[exp_month]": "12",
                "card[exp_year]": str(time.gmtime().tm_year + 3),
                "card[cvc]": "123",
            },
        )["id"]
        setup = self._post("/v1/setup_intents", {"customer": customer, "usage": "off_session"})["id"]
        self._post(f"/v1/setup_intents/{setup}/confirm", {"payment_method": method})
        self._post(f"/v1/payment_methods/{method}/attach", {"customer": customer})
        return customer, method

    def create_customer(self, email: str = "client@example.fr") -> str:
        return self._post("/v1/customers", {"email": email})["id"]

    def detach(self, payment_method_id: str) -> None:
        self._post(f"/v1/payment_methods/{payment_method_id}/detach", {})

    def authenticate(self, payment_intent_id: str, success: bool = True) -> dict[str, Any]:
        """Complete (or fail) the 3-D Secure of a ``requires_action`` PaymentIntent, as the client
        would on-session: ``POST /v1/payment_intents/{id}/_authenticate`` with its client secret."""
        intent = self.payment_intent(payment_intent_id)
        return self._post(
            f"/v1/payment_intents/{payment_intent_id}/_authenticate",
            {"client_secret": intent["client_secret"], "success": "true" if success else "false"},
        )

    def payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        return self._checked(self._http.get(f"/v1/payment_intents/{payment_intent_id}"))

    def list_payment_intents(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        """Every PaymentIntent (localstripe's list accepts no filter: filtered here), oldest first."""
        intents: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self._checked(self._http.get("/v1/payment_intents", params=params))
            intents.extend(page["data"])
            if not page["has_more"] or not page["data"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
        if customer_id is not None:
            intents = [intent for intent in intents if intent["customer"] == customer_id]
        return intents

    def list_refunds(self, payment_intent_id: str) -> list[dict[str, Any]]:
        return self._checked(self._http.get("/v1/refunds", params={"payment_intent": payment_intent_id}))["data"]

    def register_webhook(self, webhook_id: str, url: str, secret: str, events: list[str] | None = None) -> None:
        """localstripe signs events like Stripe and posts them once, ~1 s later, never retried."""
        data: dict[str, Any] = {"url": url, "secret": secret}
        for index, event in enumerate(events or []):
            data[f"events[{index}]"] = event
        self._checked(self._http.post(f"/_config/webhooks/{webhook_id}", data=data))

    # -------------------------------------------------------------- plumbing
    def _post(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._checked(self._http.post(path, data=data))

    @staticmethod
    def _checked(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise LocalStripeError(
                f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
        return response.json() if response.content else None


def start_localstripe(timeout: float = 20.0, attempts: int = 3) -> LocalStripe:
    """Start localstripe on a free port and wait until it answers."""
    last_error = ""
    for _ in range(attempts):  # another process may grab the port between our probe and its bind
        workdir = Path(tempfile.mkdtemp(prefix="localstripe-"))
        port = free_port()
        env = {**os.environ, "TMPDIR": str(workdir), "HOME": str(workdir), "PYTHONUNBUFFERED": "1"}
        with open(workdir / "localstripe.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", _BOOTSTRAP, "--port", str(port), "--from-scratch"],
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        server = LocalStripe(port=port, process=process, workdir=workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            if server.answers():
                return server
            time.sleep(0.05)
        last_error = server.log[-2000:]
        server.stop()
    raise LocalStripeError(f"localstripe did not start after {attempts} attempts:\n{last_error}")


def free_port() -> int:
    """A TCP port nobody listens on right now (also handy as "Stripe is down")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
