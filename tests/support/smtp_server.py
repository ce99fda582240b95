"""A real SMTP server (aiosmtpd) in a background thread, scriptable from a test.

    server = SmtpTestServer()            # picks a free port on 127.0.0.1
    server.start()
    server.fail_next("DATA", 451)        # next DATA answered "451 ...", nothing stored
    server.fail_next("RCPT", 550, times=2)
    server.answer_late("DATA", seconds=2)  # store the message, then reply after 2 s
    server.stop(); server.start()        # down, then back on the same port
    server.messages                      # parsed EmailMessage objects, in arrival order

Extra keyword arguments go to aiosmtpd's SMTP class (``tls_context``, ``require_starttls``,
``authenticator``, ``auth_required``, ``auth_require_tls``...).
"""
from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


class _ScriptedHandler:
    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        scripted = self.server._next_action("RCPT")
        if scripted is not None:
            return scripted
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        scripted = self.server._next_action("DATA")
        if isinstance(scripted, str):
            return scripted
        raw = envelope.original_content or envelope.content
        parsed = message_from_bytes(raw, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated and session.auth_data else None
        self.server._store(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, login))
        if isinstance(scripted, float):  # accepted, but the reply comes too late
            await asyncio.sleep(scripted)
        return "250 2.0.0 Message accepted for delivery"


class SmtpTestServer:
    def __init__(self, host: str = "127.0.0.1", port: int | None = None, **smtp_kwargs: Any) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.smtp_kwargs = {"server_hostname": "smtp.test", **smtp_kwargs}
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._script: dict[str, deque[str | float]] = {"RCPT": deque(), "DATA": deque()}
        self._controller: Controller | None = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        assert self._controller is None, "already running"
        self._controller = Controller(
            _ScriptedHandler(self), hostname=self.host, port=self.port, **self.smtp_kwargs
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def __enter__(self) -> SmtpTestServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ scripting
    def fail_next(self, command: str, code: int, times: int = 1, text: str | None = None) -> None:
        """Answer the next ``times`` RCPT or DATA commands with ``code`` (451, 550...)."""
        reply = f"{code} {text or _DEFAULT_TEXT.get(code, 'Scripted failure')}"
        with self._lock:
            self._script[command.upper()].extend([reply] * times)

    def answer_late(self, command: str, seconds: float) -> None:
        """Accept the next DATA (the message is stored) but reply only after ``seconds``."""
        assert command.upper() == "DATA", "only DATA can answer late"
        with self._lock:
            self._script["DATA"].append(float(seconds))

    def _next_action(self, command: str) -> str | float | None:
        with self._lock:
            queue = self._script[command]
            return queue.popleft() if queue else None

    # ------------------------------------------------------------ what arrived
    def _store(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            for queue in self._script.values():
                queue.clear()


_DEFAULT_TEXT = {
    421: "4.3.0 Service not available, closing channel",
    450: "4.2.0 Mailbox temporarily unavailable",
    451: "4.3.0 Requested action aborted: local error, try again later",
    452: "4.3.1 Insufficient system storage",
    550: "5.1.1 Mailbox unavailable: user unknown",
    552: "5.3.4 Message size exceeds fixed limit",
    554: "5.7.1 Transaction failed",
}
