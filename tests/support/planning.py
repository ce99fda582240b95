"""Time moved on in a test's container: interventions are booked ahead (never in the past), and
declared done only once they have begun."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from dependency_injector import providers

from ogust.application import commands as c
from ogust.domain.intervention import Intervention
from ogust.entrypoints.container import Container
from tests.fakes import FixedClock


class ShiftedClock:
    """The system clock plus an offset: subprocess workers (on the system clock) stay in step
    as long as the offset is zero."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@contextmanager
def clock_of(container: Container, clock: object) -> Iterator[None]:
    """The container's units of work read ``clock`` inside the block."""
    container.clock.override(providers.Object(clock))
    try:
        yield
    finally:
        container.clock.reset_last_overriding()


def declare_done(container: Container, company_id: str, intervention_id: str) -> Intervention:
    """``ogust intervention done`` at the end of the visit (the container's clock set there for the call)."""
    with container.uow() as uow:
        end = uow.interventions.get(company_id, intervention_id).end
    with clock_of(container, FixedClock(end)):
        return container.mark_done()(c.MarkInterventionDone(company_id, intervention_id))
