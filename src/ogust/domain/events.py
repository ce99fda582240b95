"""Domain events: past-tense facts recorded by aggregates, written to the outbox with the change.

Each event has a ``key``: a business id that makes the side effects it triggers idempotent.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    company_id: str

    @property
    def key(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class IntervenantSyncRequested(Event):
    intervenant_id: str
    fingerprint: str
    request: str = ""  # set for a forced resend or one after a failure: a new job, not the finished one

    @property
    def key(self) -> str:
        base = f"intervenant:{self.intervenant_id}:{self.fingerprint}"
        return f"{base}:{self.request}" if self.request else base


@dataclass(frozen=True)
class ClientTransmissionRequested(Event):
    client_id: str
    fingerprint: str
    request: str = ""  # set for a forced resend or one after a failure: a new job, not the finished one

    @property
    def key(self) -> str:
        base = f"client:{self.client_id}:{self.fingerprint}"
        return f"{base}:{self.request}" if self.request else base


@dataclass(frozen=True)
class OrderAccepted(Event):
    devis_id: str
    shop_order_id: str

    @property
    def key(self) -> str:
        return f"order:{self.shop_order_id}"


@dataclass(frozen=True)
class InvoiceValidated(Event):
    invoice_id: str
    number: str

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:validated"


@dataclass(frozen=True)
class InvoicePaymentRetryRequested(Event):
    invoice_id: str
    attempt: int

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:retry:{self.attempt}"


@dataclass(frozen=True)
class InvoicePaid(Event):
    invoice_id: str
    payment_reference: str

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:paid"


@dataclass(frozen=True)
class InvoicePaymentRecorded(Event):
    """Paid otherwise than by card (cheque, transfer, CESU, cash), recorded by an operator: no card
    was debited, so no "carte débitée" email."""

    invoice_id: str
    method: str
    reference: str
    paid_cents: int = 0  # received otherwise than by card so far, this payment included: one key a payment

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:payment-recorded" + (f":{self.paid_cents}" if self.paid_cents else "")


@dataclass(frozen=True)
class InvoicePaymentFailed(Event):
    invoice_id: str
    attempt: int
    reason: str

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:failed:{self.attempt}"


@dataclass(frozen=True)
class InvoicePaymentNeedsAuthentication(Event):
    invoice_id: str
    attempt: int

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:needs-authentication:{self.attempt}"


@dataclass(frozen=True)
class InvoiceSettledByCredit(Event):
    """Its credit notes cover the invoice, unpaid: nothing is due any more."""

    invoice_id: str

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:settled-by-credit"


@dataclass(frozen=True)
class InvoiceDebitCancelled(Event):
    """The debit that awaited the client's 3-D Secure confirmation was cancelled at the bank."""

    invoice_id: str
    attempt: int

    @property
    def key(self) -> str:
        return f"invoice:{self.invoice_id}:debit-cancelled:{self.attempt}"


@dataclass(frozen=True)
class AttestationValidated(Event):
    attestation_id: str
    number: str

    @property
    def key(self) -> str:
        return f"attestation:{self.attestation_id}:validated"


@dataclass(frozen=True)
class CreditNoteIssued(Event):
    credit_note_id: str
    number: str
    invoice_id: str

    @property
    def key(self) -> str:
        return f"credit-note:{self.credit_note_id}:issued"


@dataclass(frozen=True)
class CreditNoteRefundRequested(Event):
    credit_note_id: str
    invoice_id: str

    @property
    def key(self) -> str:
        return f"credit-note:{self.credit_note_id}:refund"


@dataclass(frozen=True)
class CreditNoteRefundToAnnounce(Event):
    """A refund asked for after the credit note's email went (the invoice was debited after the credit
    note was issued): the client is told once the refund is made."""

    credit_note_id: str

    @property
    def key(self) -> str:
        return f"credit-note:{self.credit_note_id}:refund-announced"


@dataclass(frozen=True)
class CreditNoteRefunded(Event):
    credit_note_id: str
    refund_id: str

    @property
    def key(self) -> str:
        return f"credit-note:{self.credit_note_id}:refunded"


@dataclass(frozen=True)
class ClientErased(Event):
    """GDPR erasure: the client's record is anonymised; the card saved at Stripe is to be detached, the
    Stripe customer (its name and email) deleted, and the shop's copy of the client erased (when the
    shop knows the client: ``known_to_shop``)."""

    client_id: str
    stripe_payment_method_id: str = ""
    shop_client_id: str = ""  # the shop's id for the client, as it was before the erasure cleared it
    known_to_shop: bool = False  # came from the shop, or was sent to it (even if the answer was lost)
    stripe_customer_id: str = ""  # absent from jobs written before 29 November 2026

    @property
    def key(self) -> str:
        return f"client:{self.client_id}:erased"
