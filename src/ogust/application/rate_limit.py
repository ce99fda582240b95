"""A token bucket, and a payment gateway that waits for a token before each request.

The bucket is thread-safe and fair: each caller reserves the next free slot under a lock, then
sleeps outside it, so N threads sharing a bucket of ``rate`` tokens per second start at most
``capacity + rate × t`` requests in any ``t`` seconds, in the order they asked.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ogust.application.ports import ChargeRequest, ChargeResult, PaymentGateway, RefundRequest, RefundResult


class TokenBucket:
    def __init__(self, rate: float, capacity: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if capacity < 1:
            raise ValueError("capacity must be at least one token")
        self.rate = float(rate)
        self.capacity = float(capacity)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.capacity  # may go negative: slots reserved by waiting callers
        self._updated = clock()

    def acquire(self) -> float:
        """Take one token, waiting for it if needed. Returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimitedGateway:
    """``PaymentGateway`` that takes a token before each call to the wrapped gateway."""

    def __init__(self, gateway: PaymentGateway, bucket: TokenBucket) -> None:
        self.gateway = gateway
        self.bucket = bucket

    def charge(self, request: ChargeRequest) -> ChargeResult:
        self.bucket.acquire()
        return self.gateway.charge(request)

    def refund(self, request: RefundRequest) -> RefundResult:
        self.bucket.acquire()
        return self.gateway.refund(request)

    def cancel(self, payment_intent_id: str) -> ChargeResult:
        self.bucket.acquire()
        return self.gateway.cancel(payment_intent_id)

    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        self.bucket.acquire()
        return self.gateway.payment_method_usable(customer_id, payment_method_id)

    def detach_payment_method(self, payment_method_id: str) -> None:
        self.bucket.acquire()
        self.gateway.detach_payment_method(payment_method_id)

    def delete_customer(self, customer_id: str) -> None:
        self.bucket.acquire()
        self.gateway.delete_customer(customer_id)
