"""An intervention in the planning; an intervenant never has two overlapping ones."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.address import Address
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidTransition, InvalidValue, SlotInPast, SlotUnavailable


class InterventionStatus(Enum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(eq=False)
class Intervention(Aggregate):
    company_id: str
    client_id: str
    intervenant_id: str
    tarif_id: str
    start: datetime
    end: datetime
    address: Address
    devis_id: str | None = None
    status: InterventionStatus = InterventionStatus.PLANNED
    invoice_id: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidValue("Les horaires d'intervention portent un fuseau horaire.", field="start")
        if self.end <= self.start:
            raise InvalidValue("Une intervention se termine après son début.", field="end")

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.status is not InterventionStatus.CANCELLED and self.start < end and start < self.end

    def mark_done(self) -> None:
        if self.status is not InterventionStatus.PLANNED:
            raise InvalidTransition(f"L'intervention est « {self.status.value} ».", status=self.status.value)
        self.status = InterventionStatus.DONE

    def cancel(self) -> None:
        if self.status is not InterventionStatus.PLANNED:
            raise InvalidTransition(f"L'intervention est « {self.status.value} ».", status=self.status.value)
        self.status = InterventionStatus.CANCELLED

    def mark_invoiced(self, invoice_id: str) -> None:
        if self.invoice_id is not None and self.invoice_id != invoice_id:
            raise InvalidTransition("Cette intervention est déjà facturée.", invoice_id=self.invoice_id)
        self.invoice_id = invoice_id


def ensure_slot_bookable(
    start: datetime, end: datetime, now: datetime, planning: Iterable[Intervention], who: str
) -> None:
    """Refuse a slot in the past or overlapping the intervenant's planning."""
    if start <= now:
        raise SlotInPast(f"Le créneau du {start.isoformat()} est déjà passé.", start=start.isoformat())
    for other in planning:
        if other.overlaps(start, end):
            raise SlotUnavailable(
                f"{who} est déjà en intervention de {other.start.isoformat()} à {other.end.isoformat()}.",
                start=start.isoformat(),
                conflicting_intervention=other.id,
            )
