"""The ports the use cases need, as Protocols. Adapters implement them; fakes stand in for tests."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol

from ogust.domain.money import Money
from ogust.domain.shop_service import ShopService


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware current time."""


# ---------------------------------------------------------------- payments
class ChargeOutcome(Enum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    AUTHENTICATION_REQUIRED = "authentication_required"


@dataclass(frozen=True)
class ChargeRequest:
    company_id: str
    invoice_id: str
    invoice_number: str
    amount: Money
    customer_id: str
    payment_method_id: str
    idempotency_key: str


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    payment_intent_id: str | None
    reason: str = ""
    decline_code: str | None = None


class PaymentOutcomeUnknown(Exception):
    """Timeout, connection error or 5xx: the debit may or may not have happened. Retry with the
    same idempotency key (the gateway looks the PaymentIntent up first)."""


class PaymentGateway(Protocol):
    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Debit off-session. Idempotent on ``request.idempotency_key``. Raises PaymentOutcomeUnknown."""

    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        """True when the customer exists and the payment method is attached to it."""


# ---------------------------------------------------------------- mail
class EmailKind(Enum):
    DEBIT_CONFIRMED = "debit_confirmed"
    DEBIT_FAILED = "debit_failed"
    AUTHENTICATION_NEEDED = "authentication_needed"
    ATTESTATION_AVAILABLE = "attestation_available"


@dataclass(frozen=True)
class Notification:
    """An email to send: the adapter renders ``kind`` with ``context`` (French templates)."""

    message_id: str
    kind: EmailKind
    to_email: str
    to_name: str
    context: dict[str, str] = field(default_factory=dict)


class MailTemporaryFailure(Exception):
    """Server down, 4xx reply: try again later."""


class MailPermanentFailure(Exception):
    """5xx reply (bad address…): retrying will not help."""


class Mailer(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver the email. Raises MailTemporaryFailure / MailPermanentFailure."""


# ---------------------------------------------------------------- shop
class ShopUnavailable(Exception):
    """Timeout, connection error or 5xx: try again later."""


class ShopRejected(Exception):
    """The shop refused the record (4xx): the reason is kept and shown to the operator."""


@dataclass(frozen=True)
class ShopDocument:
    """An invoice or attestation published to the client's account in the shop."""

    kind: str  # "invoice" | "attestation"
    id: str
    number: str
    client_id: str
    issued_on: str
    amount_ttc_cents: int
    status: str
    download_url: str
    title: str


class ShopApi(Protocol):
    def account_exists(self, account_id: str) -> bool: ...

    def list_services(self, account_id: str) -> list[ShopService]: ...

    def upsert_intervenant(self, account_id: str, fields: dict[str, object]) -> None: ...

    def upsert_client(self, account_id: str, fields: dict[str, object]) -> str:
        """Create or update the client's account; returns the shop's client id."""

    def publish_document(self, account_id: str, shop_client_id: str, document: ShopDocument) -> None:
        """Create or replace the document in the client's account (idempotent by id)."""


# ---------------------------------------------------------------- documents
class DocumentLinks(Protocol):
    def download_url(self, company_id: str, kind: str, document_id: str) -> str:
        """A link the client can follow to download the document."""

    def payment_url(self, company_id: str, invoice_id: str) -> str:
        """A link where the client completes a payment that needs authentication."""
