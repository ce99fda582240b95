"""The outbox: which side effects each domain event calls for, as jobs written with the change."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain import events as ev
from ogust.domain.aggregate import new_id


class JobStatus(Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    DEAD = "dead"

    @property
    def label_fr(self) -> str:
        return {"pending": "en attente", "processing": "en cours", "done": "fait", "dead": "en échec"}[self.value]


class Effect(str, Enum):
    SYNC_INTERVENANT = "shop.sync_intervenant"
    TRANSMIT_CLIENT = "shop.transmit_client"
    PUBLISH_INVOICE = "shop.publish_invoice"
    PUBLISH_ATTESTATION = "shop.publish_attestation"
    PUBLISH_CREDIT_NOTE = "shop.publish_credit_note"
    REFUND_CREDIT_NOTE = "payment.refund_credit_note"
    CHARGE_INVOICE = "payment.charge_invoice"
    MAIL_DEBIT_CONFIRMED = "mail.debit_confirmed"
    MAIL_DEBIT_FAILED = "mail.debit_failed"
    MAIL_AUTHENTICATION_NEEDED = "mail.authentication_needed"
    MAIL_ATTESTATION_AVAILABLE = "mail.attestation_available"
    MAIL_CREDIT_NOTE_AVAILABLE = "mail.credit_note_available"
    MAIL_CREDIT_NOTE_REFUNDED = "mail.credit_note_refunded"
    MAIL_INVOICE_AVAILABLE = "mail.invoice_available"
    DETACH_PAYMENT_METHOD = "payment.detach_payment_method"
    SHOP_ERASE_CLIENT = "shop.erase_client"


@dataclass(eq=False)
class OutboxJob:
    company_id: str
    effect: str
    key: str
    payload: dict[str, object]
    created_at: datetime
    available_at: datetime
    status: JobStatus = JobStatus.PENDING
    attempts: int = 0
    lease_until: datetime | None = None
    worker: str | None = None
    last_error: str | None = None
    done_at: datetime | None = None
    id: str = field(default_factory=new_id)


EFFECTS: dict[type[ev.Event], tuple[Effect, ...]] = {
    ev.IntervenantSyncRequested: (Effect.SYNC_INTERVENANT,),
    ev.ClientTransmissionRequested: (Effect.TRANSMIT_CLIENT,),
    ev.OrderAccepted: (),
    ev.InvoiceValidated: (Effect.PUBLISH_INVOICE, Effect.CHARGE_INVOICE, Effect.MAIL_INVOICE_AVAILABLE),
    ev.InvoicePaymentRetryRequested: (Effect.CHARGE_INVOICE,),
    ev.InvoicePaid: (Effect.MAIL_DEBIT_CONFIRMED, Effect.PUBLISH_INVOICE),
    ev.InvoicePaymentRecorded: (Effect.PUBLISH_INVOICE,),  # no card debited: no debit email
    ev.InvoicePaymentFailed: (Effect.MAIL_DEBIT_FAILED, Effect.PUBLISH_INVOICE),
    ev.InvoicePaymentNeedsAuthentication: (Effect.MAIL_AUTHENTICATION_NEEDED, Effect.PUBLISH_INVOICE),
    ev.InvoiceDebitCancelled: (Effect.PUBLISH_INVOICE,),  # by the company: no email of a failed debit
    ev.InvoiceSettledByCredit: (Effect.PUBLISH_INVOICE,),  # the credit note has its own email
    ev.AttestationValidated: (Effect.PUBLISH_ATTESTATION, Effect.MAIL_ATTESTATION_AVAILABLE),
    ev.CreditNoteIssued: (Effect.PUBLISH_CREDIT_NOTE, Effect.MAIL_CREDIT_NOTE_AVAILABLE),
    ev.CreditNoteRefundRequested: (Effect.REFUND_CREDIT_NOTE,),
    ev.CreditNoteRefunded: (Effect.PUBLISH_CREDIT_NOTE,),
    ev.CreditNoteRefundToAnnounce: (Effect.MAIL_CREDIT_NOTE_REFUNDED,),
    ev.ClientErased: (Effect.DETACH_PAYMENT_METHOD, Effect.SHOP_ERASE_CLIENT),
}


def job_key(effect: Effect, event: ev.Event) -> str:
    return f"{effect.value}|{event.key}"


def charge_job_key(company_id: str, invoice_id: str, attempt: int = 1) -> str:
    """The key of the job of an invoice's debit ``attempt``: the first queued at validation, the
    others by a retry."""
    event: ev.Event = (ev.InvoiceValidated(company_id, invoice_id, "") if attempt == 1
                       else ev.InvoicePaymentRetryRequested(company_id, invoice_id, attempt))
    return job_key(Effect.CHARGE_INVOICE, event)


def jobs_for(event: ev.Event, now: datetime) -> list[OutboxJob]:
    """One job per effect of the event, keyed so that the same event never enqueues twice."""
    payload = {name: value for name, value in vars(event).items() if name != "company_id"}
    return [
        OutboxJob(
            company_id=event.company_id,
            effect=effect.value,
            key=job_key(effect, event),
            payload=dict(payload),
            created_at=now,
            available_at=now,
        )
        for effect in EFFECTS[type(event)]
    ]
