"""A payment provider stand-in for the month-end benchmark: every debit takes ``latency`` seconds
and the provider accepts at most ``cap`` requests per second — a token bucket of ``cap`` tokens
refilled at ``cap`` per second, the way payment APIs limit (Stripe answers 429 beyond). A request
over the limit is refused (counted in ``rejected``, raised as an unknown outcome, which the outbox
retries later) — a month-end run that respects the limit never sees one."""
from __future__ import annotations

import threading
import time

from ogust.application.ports import ChargeOutcome, ChargeRequest, ChargeResult, PaymentOutcomeUnknown


class CappedLatencyGateway:
    def __init__(self, latency: float = 0.2, cap: float = 25.0) -> None:
        self.latency = latency
        self.cap = cap
        self.rejected = 0
        self.charges: dict[str, ChargeResult] = {}
        self.calls = 0
        self._lock = threading.Lock()
        self._tokens = cap
        self._updated = time.monotonic()

    def _admit(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.cap, self._tokens + (now - self._updated) * self.cap)
            self._updated = now
            self.calls += 1
            if self._tokens < 1:
                self.rejected += 1
                return False
            self._tokens -= 1
            return True

    def charge(self, request: ChargeRequest) -> ChargeResult:
        if not self._admit():
            raise PaymentOutcomeUnknown("HTTP 429: too many requests")
        time.sleep(self.latency)
        with self._lock:
            result = self.charges.get(request.idempotency_key)
            if result is None:
                result = self.charges[request.idempotency_key] = ChargeResult(
                    ChargeOutcome.SUCCEEDED, f"pi_bench_{len(self.charges) + 1}")
        return result

    def refund(self, request):  # not used by the month end
        raise NotImplementedError

    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        return self._admit()
