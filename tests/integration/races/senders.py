"""Requests fired at the same moment from several processes, as the shop and two operators would.

Each sender is a process of its own (``spawn``: nothing of the test process is shared but what is
sent to it) with its own HTTP connection. A round hands one call to each sender; they wait on a
shared barrier, then send — so the calls reach the API processes together, each from another
process, on other connections. A call may ask to wait a little after the barrier (``delay``), to
land at another moment of a race with a worker.
"""
from __future__ import annotations

import multiprocessing
import queue
import time
from dataclasses import dataclass, field
from typing import Any

BARRIER_TIMEOUT = 30.0


@dataclass(frozen=True)
class Call:
    """One HTTP request; ``label`` says what it stands for in a failure's printout."""

    label: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Answer:
    label: str
    url: str
    status: int  # 0: no answer at all (the connection failed)
    body: Any
    seconds: float

    @property
    def code(self) -> str | None:
        """The problem+json ``code`` of a refusal."""
        return self.body.get("code") if isinstance(self.body, dict) else None

    def __str__(self) -> str:
        shown = self.body if isinstance(self.body, dict) else str(self.body)[:300]
        return f"{self.label} {self.url} → {self.status} {shown}"


def _send_loop(index: int, barrier: Any, inbox: Any, outbox: Any) -> None:
    """A sender process: take a call, wait for the others, send it, hand back the answer."""
    import httpx  # imported here: the process is spawned, and httpx is all it needs

    with httpx.Client(timeout=60.0) as http:
        while True:
            call: Call | None = inbox.get()
            if call is None:
                return
            try:
                barrier.wait(BARRIER_TIMEOUT)
            except Exception as error:  # noqa: BLE001 - a broken round is reported, not hidden
                outbox.put((index, Answer(call.label, call.url, 0, f"barrière rompue : {error!r}", 0.0)))
                continue
            if call.delay:
                time.sleep(call.delay)
            started = time.monotonic()
            try:
                response = http.request(call.method, call.url, headers=call.headers, content=call.body)
                try:
                    body: Any = response.json()
                except ValueError:
                    body = response.text
                answer = Answer(call.label, call.url, response.status_code, body, time.monotonic() - started)
            except httpx.HTTPError as error:
                answer = Answer(call.label, call.url, 0, f"{type(error).__name__}: {error}",
                                time.monotonic() - started)
            outbox.put((index, answer))


class Senders:
    """``count`` sender processes, started once and reused round after round."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.count = count
        self._barrier = context.Barrier(count)
        self._inboxes = [context.Queue() for _ in range(count)]
        self._answers = context.Queue()
        self._processes = [
            context.Process(target=_send_loop, args=(n, self._barrier, self._inboxes[n], self._answers),
                            name=f"race-sender-{n}", daemon=True)
            for n in range(count)
        ]
        for process in self._processes:
            process.start()

    def fire(self, calls: list[Call], timeout: float = 90.0) -> list[Answer]:
        """Send ``calls`` (one per sender) at once; their answers, in the same order."""
        if len(calls) != self.count:
            raise ValueError(f"{len(calls)} calls for {self.count} senders")
        for inbox, call in zip(self._inboxes, calls, strict=True):
            inbox.put(call)
        answers: dict[int, Answer] = {}
        deadline = time.monotonic() + timeout
        while len(answers) < self.count:
            try:
                index, answer = self._answers.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                dead = [p.name for p in self._processes if not p.is_alive()]
                raise AssertionError(f"no answer within {timeout} s for {calls} (dead senders: {dead})") from None
            answers[index] = answer
        return [answers[n] for n in range(self.count)]

    def close(self) -> None:
        for inbox in self._inboxes:
            inbox.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
