"""A devis (quote): priced lines, draft → sent → accepted / refused."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidTransition, InvalidValue
from ogust.domain.events import OrderAccepted
from ogust.domain.lines import DevisLine, Totals


class DevisStatus(Enum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REFUSED = "refused"


class AcceptanceChannel(Enum):
    SHOP = "shop"
    BACK_OFFICE = "back_office"


@dataclass(eq=False)
class Devis(Aggregate, Totals):
    company_id: str
    client_id: str
    lines: list[DevisLine]
    status: DevisStatus = DevisStatus.DRAFT
    created_at: datetime | None = None
    accepted_at: datetime | None = None
    acceptance_channel: AcceptanceChannel | None = None
    shop_order_id: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("Un devis a au moins une ligne.", field="lines")

    @classmethod
    def accepted_from_shop_order(
        cls, company_id: str, client_id: str, shop_order_id: str, lines: list[DevisLine], at: datetime
    ) -> Devis:
        devis = cls(company_id=company_id, client_id=client_id, lines=lines, created_at=at, shop_order_id=shop_order_id)
        devis.status = DevisStatus.SENT
        devis.accept(at, AcceptanceChannel.SHOP)
        devis._record(OrderAccepted(company_id, devis.id, shop_order_id))
        return devis

    def send(self) -> None:
        self._move(DevisStatus.DRAFT, DevisStatus.SENT)

    def accept(self, at: datetime, channel: AcceptanceChannel) -> None:
        self._move(DevisStatus.SENT, DevisStatus.ACCEPTED)
        self.accepted_at = at
        self.acceptance_channel = channel

    def refuse(self) -> None:
        self._move(DevisStatus.SENT, DevisStatus.REFUSED)

    def _move(self, expected: DevisStatus, target: DevisStatus) -> None:
        if self.status is not expected:
            raise InvalidTransition(
                f"Le devis est « {self.status.value} » : impossible de le passer à « {target.value} ».",
                status=self.status.value,
            )
        self.status = target
