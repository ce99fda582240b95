"""An HTTP proxy in front of a real server (localstripe, the shop, the ogust API) that counts what
went through it and can be told to fail: lose an answer, hold a request or its answer until
released, answer in the server's place, or be down altogether.

    proxy = FaultProxy("http://127.0.0.1:8420").start()
    rule = proxy.next("POST", "/v1/payment_intents", "hold_answer")  # forwarded, answer kept
    rule.reached.wait(10)                                             # the upstream has answered
    proxy.down = True                                                 # every request: no answer
    proxy.seen                                                        # what came, what was answered

Actions of a one-shot rule (``method`` and a regular expression matched on the path):
``drop_answer``  forward, then close the connection without answering (outcome unknown);
``hold_answer``  forward, keep the answer until ``release()``, then close without answering;
``hold_request`` do not forward; close without answering on ``release()``;
``respond``      answer ``status``/``body`` in the server's place, after forwarding when
                 ``forward`` is true (the server did the work, the caller sees an error).
"""
from __future__ import annotations

import http.client
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Rule:
    method: str
    path: str  # a regular expression, matched in full on the path without its query
    action: str
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    forward: bool = False
    reached: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and re.fullmatch(self.path, path) is not None


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # without the query
    status: int | None  # None: no answer was given
    headers: dict[str, str]
    body: bytes


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.down = False
        self._rules: list[Rule] = []
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------ scripting
    def next(self, method: str, path: str, action: str, status: int = 200, body: dict[str, Any] | None = None,
             forward: bool = False) -> Rule:
        rule = Rule(method, path, action, status, body or {}, forward)
        with self._lock:
            self._rules.append(rule)
        return rule

    def release(self) -> None:
        """Let the held requests go (their callers get no answer)."""
        self._released.set()

    # ------------------------------------------------------------ what went through
    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def count(self, method: str, path: str, answered: int | None = None) -> int:
        """Requests matching ``method`` and the ``path`` expression (answered with that status)."""
        return sum(1 for s in self.seen if s.method == method and re.fullmatch(path, s.path)
                   and (answered is None or s.status == answered))

    def _take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    self._rules.remove(rule)
                    return rule
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        proxy: FaultProxy = self.server.proxy  # type: ignore[attr-defined]
        self.close_connection = True
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        headers = {k: v for k, v in self.headers.items()}

        def record(status: int | None) -> None:
            proxy._record(Seen(self.command, path, status, headers, body))

        if proxy.down:
            record(None)
            return  # closed without an answer, nothing forwarded: a dead server behind a balancer
        rule = proxy._take_rule(self.command, path)
        if rule is not None and rule.action == "hold_request":
            rule.reached.set()
            proxy._released.wait(60)
            record(None)
            return
        if rule is not None and rule.action == "respond" and not rule.forward:
            record(rule.status)
            self._answer(rule.status, {"Content-Type": "application/json"}, json.dumps(rule.body).encode())
            return
        status, kept, data = self._forward(proxy, body)
        if rule is not None and rule.action == "drop_answer":
            record(None)
            rule.reached.set()
            return
        if rule is not None and rule.action == "hold_answer":
            rule.reached.set()
            proxy._released.wait(60)
            record(None)
            return
        if rule is not None and rule.action == "respond":
            record(rule.status)
            rule.reached.set()
            self._answer(rule.status, {"Content-Type": "application/json"}, json.dumps(rule.body).encode())
            return
        record(status)
        self._answer(status, kept, data)

    def _forward(self, proxy: FaultProxy, body: bytes) -> tuple[int, dict[str, str], bytes]:
        upstream = http.client.HTTPConnection(*proxy.upstream, timeout=30)
        try:
            skip = {"host", "connection", "keep-alive", "content-length", "transfer-encoding"}
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            kept = {k: v for k, v in response.getheaders()
                    if k.lower() not in ("content-length", "connection", "transfer-encoding", "keep-alive", "server",
                                         "date")}
            return response.status, kept, data
        finally:
            upstream.close()

    def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
