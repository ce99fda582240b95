"""An intervention in the planning; an intervenant never has two overlapping ones."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import Enum

from ogust.domain.address import ERASED_ADDRESS, Address
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InterventionNotStarted, InvalidTransition, InvalidValue, SlotInPast, SlotUnavailable
from ogust.domain.validation import MAX_INTERVENTION, MAX_YEAR, MIN_YEAR


class InterventionStatus(Enum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label_fr(self) -> str:
        return {"planned": "prévue", "done": "réalisée", "cancelled": "annulée"}[self.value]


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
        # first: 9999-12-31T23:00-05:00 has no UTC time
        if not all(MIN_YEAR <= moment.year <= MAX_YEAR for moment in (self.start, self.end)):
            raise InvalidValue(f"Horaires hors des années {MIN_YEAR} à {MAX_YEAR}.", field="start")
        if _utc(self.end) <= _utc(self.start):
            raise InvalidValue("Une intervention se termine après son début.", field="end")
        if _utc(self.end) - _utc(self.start) > MAX_INTERVENTION:
            raise InvalidValue("Une intervention dure au plus 24 heures.", field="end")

    @property
    def minutes(self) -> int:
        """Time actually spent: computed on UTC instants, so a DST change counts its hour."""
        return int((_utc(self.end) - _utc(self.start)).total_seconds() // 60)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return (self.status is not InterventionStatus.CANCELLED
                and _utc(self.start) < _utc(end) and _utc(start) < _utc(self.end))

    def mark_done(self, now: datetime, zone: tzinfo | None = None) -> None:
        """Done once it has begun (the intervenant may declare it at the end of the visit, or later):
        never before, or it could be invoiced — and attested for the tax credit — before it took place.
        ``zone``: the company's, for the time given in the refusal."""
        if self.status is not InterventionStatus.PLANNED:
            raise InvalidTransition(f"L'intervention est {self.status.label_fr}.", status=self.status.value)
        if _utc(now) < _utc(self.start):
            start = self.start.astimezone(zone)
            raise InterventionNotStarted(
                f"L'intervention du {start:%d/%m/%Y à %H:%M} n'a pas encore commencé : elle ne peut être "
                "déclarée réalisée qu'à partir de son début.", start=self.start.isoformat())
        self.status = InterventionStatus.DONE

    def cancel(self, invoice_number: str = "", draft: bool = False) -> None:
        """Only a planned intervention not yet invoiced: once invoiced (``invoice_number``), the invoice
        stands and the client is paid back by a credit note; on a ``draft``, the draft is discarded first."""
        if self.invoice_id is not None and draft:
            raise InvalidTransition(
                "L'intervention est sur un brouillon de facture : supprimez ce brouillon (ogust invoice discard "
                f"{self.invoice_id}), puis annulez-la.", invoice_id=self.invoice_id)
        if self.invoice_id is not None:
            raise InvalidTransition(
                f"L'intervention est déjà facturée{f' (facture {invoice_number})' if invoice_number else ''} : "
                "elle ne s'annule plus au planning. Émettez un avoir sur la facture pour ce qui n'est pas dû.",
                invoice_id=self.invoice_id)
        # after the invoice's: only work done is invoiced, and that invoice is what the operator must act on
        if self.status is not InterventionStatus.PLANNED:
            raise InvalidTransition(f"L'intervention est {self.status.label_fr}.", status=self.status.value)
        self.status = InterventionStatus.CANCELLED

    def forget_address(self) -> None:
        """GDPR erasure of the client: the client's home address goes from an intervention never
        invoiced; when, who and how long stay (the attestation fiscale relies on them)."""
        self.address = ERASED_ADDRESS

    def release_from(self, invoice_id: str) -> None:
        """Its draft invoice discarded: the intervention is to be invoiced again (or cancelled)."""
        if self.invoice_id == invoice_id:
            self.invoice_id = None

    def mark_invoiced(self, invoice_id: str) -> None:
        if self.invoice_id is not None and self.invoice_id != invoice_id:
            raise InvalidTransition("Cette intervention est déjà facturée.", invoice_id=self.invoice_id)
        self.invoice_id = invoice_id


def _utc(moment: datetime) -> datetime:
    """Aware datetimes sharing a tzinfo compare and subtract as wall-clock times in Python, which is
    wrong around a DST change (Europe/Paris): compare and subtract instants instead."""
    if moment.tzinfo is None:
        raise InvalidValue("Les horaires d'intervention portent un fuseau horaire.", field="start")
    return moment.astimezone(UTC)


def ensure_slot_bookable(
    start: datetime, end: datetime, now: datetime, planning: Iterable[Intervention], who: str
) -> None:
    """Refuse a slot in the past or overlapping the intervenant's planning."""
    if _utc(start) <= _utc(now):
        raise SlotInPast(f"Le créneau du {start:%d/%m/%Y à %H:%M} est déjà passé.", start=start.isoformat())
    for other in planning:
        if other.overlaps(start, end):
            raise SlotUnavailable(
                f"{who} est déjà en intervention {_span_fr(other, start.tzinfo)}.",
                start=start.isoformat(),
                conflicting_intervention=other.id,
            )


def _span_fr(intervention: Intervention, zone: tzinfo | None) -> str:
    """When ``intervention`` takes place, in ``zone`` (that of the slot asked for): « le 08/12/2026
    de 09:00 à 11:00 », or « du 08/12/2026 à 23:00 au 09/12/2026 à 01:00 »."""
    start, end = intervention.start.astimezone(zone), intervention.end.astimezone(zone)
    if start.date() == end.date():
        return f"le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}"
    return f"du {start:%d/%m/%Y à %H:%M} au {end:%d/%m/%Y à %H:%M}"
