"""A devis (quote): priced lines, draft → sent → accepted / refused."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity, ShowsClient
from ogust.domain.errors import InvalidTransition, InvalidValue
from ogust.domain.events import OrderAccepted
from ogust.domain.lines import DevisLine, Totals


class DevisStatus(Enum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REFUSED = "refused"

    @property
    def label_fr(self) -> str:
        return {"draft": "en brouillon", "sent": "envoyé", "accepted": "accepté", "refused": "refusé"}[self.value]


class AcceptanceChannel(Enum):
    SHOP = "shop"
    BACK_OFFICE = "back_office"

    @property
    def label_fr(self) -> str:
        return "boutique" if self is AcceptanceChannel.SHOP else "back office"


@dataclass(eq=False)
class Devis(Aggregate, Totals, ShowsClient):
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
    client_identity: ClientIdentity | None = None  # the client as of sending (None on a draft)

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("Un devis a au moins une ligne.", field="lines")

    @classmethod
    def accepted_from_shop_order(
        cls, company_id: str, client: Client, shop_order_id: str, lines: list[DevisLine], at: datetime
    ) -> Devis:
        devis = cls(company_id=company_id, client_id=client.id, lines=lines, created_at=at, shop_order_id=shop_order_id)
        devis._keep_client_identity(client)
        devis.status = DevisStatus.SENT
        devis.accept(at, AcceptanceChannel.SHOP)
        devis._record(OrderAccepted(company_id, devis.id, shop_order_id))
        return devis

    def send(self, client: Client) -> None:
        """Send the devis to ``client``, whose name and address it keeps as of now."""
        if self.status is DevisStatus.DRAFT:
            self._keep_client_identity(client)
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
                f"Le devis est {self.status.label_fr} : impossible de le passer à « {target.label_fr} ».",
                status=self.status.value,
            )
        self.status = target
