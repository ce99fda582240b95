"""localstripe for the whole session, the real gateway pointed at it, and a proxy that can lose
answers (to make the outcome of a debit unknown) or put real-Stripe answers in localstripe's place."""
from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from ogust.adapters.payments.stripe_gateway import StripePaymentGateway
from tests.support.localstripe import LocalStripe, start_localstripe


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    server = start_localstripe()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def gateway(localstripe: LocalStripe) -> StripePaymentGateway:
    return StripePaymentGateway(localstripe.api_key, api_base=localstripe.base_url, timeout=5)


# ---------------------------------------------------------------------- the proxy
@dataclass
class Rule:
    """What to do with the next request matching ``method`` and ``path`` (query ignored).

    ``hang``: forward it, then keep the answer until the client gives up (a timeout);
    ``reset``: forward it, then close the connection without answering;
    ``respond``: answer ``status``/``body`` instead, without forwarding (a real-Stripe answer).
    """

    method: str
    path: str
    action: str  # "hang" | "reset" | "respond"
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)


class AnswerLosingProxy:
    """An HTTP proxy in front of localstripe, driven by one-shot rules; records what it saw."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.rules: list[Rule] = []
        self.seen: list[tuple[str, str]] = []  # (method, path with query)
        self.released = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _ProxyHandler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def lose_next(self, method: str, path: str, action: str) -> None:
        self.rules.append(Rule(method, path, action))

    def respond_next(self, method: str, path: str, status: int, body: dict[str, Any]) -> None:
        self.rules.append(Rule(method, path, "respond", status, body))

    def take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.seen.append((method, path))
            bare = urlsplit(path).path
            for rule in self.rules:
                if rule.method == method and rule.path == bare:
                    self.rules.remove(rule)
                    return rule
        return None

    def start(self) -> AnswerLosingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()  # wake the handlers still holding an answer
        self._server.shutdown()
        self._server.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        proxy: AnswerLosingProxy = self.server.proxy  # type: ignore[attr-defined]
        self.close_connection = True
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        rule = proxy.take_rule(self.command, self.path)
        if rule is not None and rule.action == "respond":
            self._answer(rule.status, {"Content-Type": "application/json"}, json.dumps(rule.body).encode())
            return
        upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "keep-alive")}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        if rule is not None and rule.action == "hang":
            proxy.released.wait(30)
            return
        if rule is not None and rule.action == "reset":
            return  # nothing written: the client sees the connection closed
        kept = {k: v for k, v in response.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")}
        self._answer(response.status, kept, data)

    def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def proxy(localstripe: LocalStripe) -> Iterator[AnswerLosingProxy]:
    server = AnswerLosingProxy(localstripe.port).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def proxied_gateway(localstripe: LocalStripe, proxy: AnswerLosingProxy) -> StripePaymentGateway:
    """The real gateway, through the proxy, with a short timeout so that "hang" is quick."""
    return StripePaymentGateway(localstripe.api_key, api_base=proxy.base_url, timeout=1)
