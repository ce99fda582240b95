"""The server's own clock: real time shifted by an offset that the admin routes set or advance, so
that tokens expire, 48 hours pass and months end when a test or the demo says so."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class ServerClock:
    def __init__(self, real_now: Callable[[], datetime] | None = None) -> None:
        self._real_now = real_now or (lambda: datetime.now(UTC))
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._real_now() + self._offset

    def set(self, moment: datetime) -> datetime:
        """From now on, time flows on from ``moment`` (timezone-aware)."""
        if moment.tzinfo is None:
            raise ValueError("an instant with its time zone")
        if not EARLIEST <= moment <= LATEST:
            raise ValueError(f"an instant between {EARLIEST.year} and {LATEST.year}")
        with self._lock:
            self._offset = moment - self._real_now()
        return self.now()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._real_now() + self._offset + delta > LATEST:
                raise ValueError(f"not beyond {LATEST.year}")
            self._offset += delta
        return self.now()
