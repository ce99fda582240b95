"""One handler per use case. Each takes its ports in its constructor and runs one unit of work."""
from __future__ import annotations

from collections.abc import Callable

from ogust.application.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
