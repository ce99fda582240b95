"""An invoice: draft → validated (numbered, frozen) → paid / payment failed / needs authentication."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity, ShowsClient
from ogust.domain.errors import CreditExceedsInvoice, InvalidTransition, InvalidValue, InvoiceAlreadyValidated
from ogust.domain.events import (
    InvoicePaid,
    InvoicePaymentFailed,
    InvoicePaymentNeedsAuthentication,
    InvoicePaymentRetryRequested,
    InvoiceValidated,
)
from ogust.domain.lines import InvoiceLine, Totals
from ogust.domain.money import Money


class InvoiceSource(Enum):
    DEVIS = "devis"
    MANUAL = "manual"
    CONTRACT = "contract"


class InvoiceStatus(Enum):
    DRAFT = "draft"
    VALIDATED = "validated"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    NEEDS_AUTHENTICATION = "needs_authentication"


_AWAITING_PAYMENT = {InvoiceStatus.VALIDATED, InvoiceStatus.PAYMENT_FAILED, InvoiceStatus.NEEDS_AUTHENTICATION}


@dataclass(eq=False)
class Invoice(Aggregate, Totals, ShowsClient):
    company_id: str
    client_id: str
    source: InvoiceSource
    lines: list[InvoiceLine]
    devis_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    created_at: datetime | None = None
    number: str | None = None
    issued_on: date | None = None
    due_on: date | None = None
    status: InvoiceStatus = InvoiceStatus.DRAFT
    paid_at: datetime | None = None
    payment_reference: str | None = None
    payment_failure: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1
    credited_ttc: Money = field(default_factory=Money.zero)  # sum of its credit notes (avoirs), TTC
    client_identity: ClientIdentity | None = None  # the client as of validation (None on a draft)

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("Une facture a au moins une ligne.", field="lines")

    @property
    def is_draft(self) -> bool:
        return self.status is InvoiceStatus.DRAFT

    def replace_lines(self, lines: list[InvoiceLine]) -> None:
        self.require_draft()
        if not lines:
            raise InvalidValue("Une facture a au moins une ligne.", field="lines")
        self.lines = lines

    def validate(self, number: str, issued_on: date, client: Client) -> None:
        """Give the invoice its number and keep ``client``'s name and address as of today; from now on
        it never changes."""
        self.require_draft()
        if self.total_ttc.cents <= 0:
            raise InvalidValue("Le montant d'une facture est positif.", field="lines")
        self._keep_client_identity(client)
        self.number = number
        self.issued_on = issued_on
        self.due_on = issued_on
        self.status = InvoiceStatus.VALIDATED
        self._record(InvoiceValidated(self.company_id, self.id, number))

    def mark_paid(self, payment_reference: str, at: datetime) -> bool:
        """Record a successful debit. False (and nothing changes) when already paid."""
        if self.status is InvoiceStatus.PAID:
            return False
        self._require_awaiting_payment()
        self.status = InvoiceStatus.PAID
        self.paid_at = at
        self.payment_reference = payment_reference
        self.payment_failure = None
        self._record(InvoicePaid(self.company_id, self.id, payment_reference))
        return True

    def mark_payment_failed(self, attempt: int, reason: str) -> None:
        if self.status is InvoiceStatus.PAID:
            return  # a paid invoice never moves back
        self._require_awaiting_payment()
        self.status = InvoiceStatus.PAYMENT_FAILED
        self.payment_failure = reason
        self._record(InvoicePaymentFailed(self.company_id, self.id, attempt, reason))

    def mark_needs_authentication(self, attempt: int) -> None:
        if self.status is InvoiceStatus.PAID:
            return
        self._require_awaiting_payment()
        self.status = InvoiceStatus.NEEDS_AUTHENTICATION
        self._record(InvoicePaymentNeedsAuthentication(self.company_id, self.id, attempt))

    def request_payment_retry(self, attempt: int) -> None:
        """Ask for a new debit after a decline. Not while the bank awaits the client's authentication:
        the first PaymentIntent may still succeed, and a second one would debit the card twice."""
        if self.status is InvoiceStatus.NEEDS_AUTHENTICATION:
            raise InvalidTransition(
                "La banque attend que le client confirme le paiement (lien envoyé par email) : "
                "une nouvelle tentative risquerait un double débit.", status=self.status.value,
            )
        if self.status is not InvoiceStatus.PAYMENT_FAILED:
            raise InvalidTransition(
                f"La facture est « {self.status.value} » : pas de nouvelle tentative de débit.",
                status=self.status.value,
            )
        self._record(InvoicePaymentRetryRequested(self.company_id, self.id, attempt))

    @property
    def amount_due(self) -> Money:
        """What a new debit asks for: the invoice less its credit notes (an invoice credited before it
        was paid is debited only what remains; fully credited, nothing)."""
        return self.total_ttc - self.credited_ttc

    @property
    def creditable_ttc(self) -> Money:
        """What credit notes may still take off this invoice."""
        return self.total_ttc - self.credited_ttc

    def record_credit(self, amount: Money) -> None:
        """A credit note of ``amount`` TTC corrects this invoice, whose content never changes. The
        credit notes of an invoice never add up to more than the invoice."""
        self.ensure_creditable(amount)
        self.credited_ttc = self.credited_ttc + amount

    def ensure_creditable(self, amount: Money) -> None:
        if self.is_draft:
            raise InvalidTransition("Une facture brouillon se corrige directement : pas d'avoir.",
                                    status=self.status.value)
        if amount.cents <= 0:
            raise InvalidValue("Le montant d'un avoir est positif.", field="amount")
        if amount > self.creditable_ttc:
            raise CreditExceedsInvoice(
                f"L'avoir de {amount} dépasse ce qui reste à créditer sur la facture {self.number} "
                f"({self.creditable_ttc} sur {self.total_ttc} TTC).",
                invoice=self.number, creditable_cents=self.creditable_ttc.cents,
            )

    def require_draft(self) -> None:
        if not self.is_draft:
            raise InvoiceAlreadyValidated(self.number or self.id)

    def _require_awaiting_payment(self) -> None:
        if self.status not in _AWAITING_PAYMENT:
            raise InvalidTransition(
                f"La facture est « {self.status.value} » : aucun paiement n'est attendu.", status=self.status.value
            )
