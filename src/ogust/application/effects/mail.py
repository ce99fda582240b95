"""Emails to clients. Each has a stable Message-ID derived from its job key and a
pending → sent record, so a retried job never sends a second copy after a success."""
from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from ogust.application.effects import GiveUp, RetryLater
from ogust.application.handlers import UowFactory
from ogust.application.outbox import Effect, OutboxJob, job_key
from ogust.application.ports import (
    DocumentLinks,
    EmailKind,
    Mailer,
    MailPermanentFailure,
    MailTemporaryFailure,
    Notification,
)
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.company import Company
from ogust.domain.credit_note import RefundStatus
from ogust.domain.events import CreditNoteRefundToAnnounce
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money
from ogust.domain.payment import AttemptStatus

_KINDS = {
    Effect.MAIL_DEBIT_CONFIRMED.value: EmailKind.DEBIT_CONFIRMED,
    Effect.MAIL_DEBIT_FAILED.value: EmailKind.DEBIT_FAILED,
    Effect.MAIL_AUTHENTICATION_NEEDED.value: EmailKind.AUTHENTICATION_NEEDED,
    Effect.MAIL_ATTESTATION_AVAILABLE.value: EmailKind.ATTESTATION_AVAILABLE,
    Effect.MAIL_CREDIT_NOTE_AVAILABLE.value: EmailKind.CREDIT_NOTE_AVAILABLE,
    Effect.MAIL_CREDIT_NOTE_REFUNDED.value: EmailKind.CREDIT_NOTE_REFUNDED,
    Effect.MAIL_INVOICE_AVAILABLE.value: EmailKind.INVOICE_AVAILABLE,
}


def message_id_for(job: OutboxJob) -> str:
    digest = hashlib.sha256(f"{job.company_id}|{job.key}".encode()).hexdigest()[:32]
    return f"{digest}@ogust"


def _company_context(company: Company) -> dict[str, str]:
    return {
        "company_name": company.name,
        "company_email": company.email,
        "company_address": company.address.one_line(),
        "company_sap_number": company.sap_declaration_number,
    }


def _debit_amount(uow: UnitOfWork, invoice: Invoice, job: OutboxJob) -> Money:
    """The amount the debit this email speaks of asked for: the invoice less the credit notes issued
    before it (``Invoice.amount_due``), as recorded on the attempt."""
    attempts = uow.payment_attempts.for_invoice(invoice.company_id, invoice.id)
    number = job.payload.get("attempt")
    attempt = next((a for a in attempts if a.number == number), None) if number is not None else \
        next((a for a in attempts if a.status is AttemptStatus.SUCCEEDED), None)
    return attempt.amount if attempt is not None else invoice.total_ttc


class SendEmailEffect:
    def __init__(self, uow: UowFactory, mailer: Mailer, links: DocumentLinks) -> None:
        self.uow = uow
        self.mailer = mailer
        self.links = links

    def __call__(self, job: OutboxJob) -> None:
        message_id = message_id_for(job)
        with self.uow() as uow:
            if uow.emails.status(message_id) == "sent":
                return
            notification = self._compose(uow, job, message_id)
            if notification is None:
                return  # the client was erased (GDPR): nobody to write to
            uow.emails.record(job.company_id, message_id, notification.kind.value, notification.to_email,
                              "pending", uow.clock.now())
            uow.commit()
        try:
            self.mailer.send(notification)
        except MailTemporaryFailure as error:
            self._log(job, message_id, notification, "pending", str(error))
            raise RetryLater(str(error)) from error
        except MailPermanentFailure as error:
            self._log(job, message_id, notification, "failed", str(error))
            raise GiveUp(str(error)) from error
        self._log(job, message_id, notification, "sent", None)

    def _log(self, job: OutboxJob, message_id: str, n: Notification, status: str, error: str | None) -> None:
        with self.uow() as uow:
            uow.emails.record(job.company_id, message_id, n.kind.value, n.to_email, status, uow.clock.now(), error)
            uow.commit()

    def _compose(self, uow: UnitOfWork, job: OutboxJob, message_id: str) -> Notification | None:
        kind = _KINDS[job.effect]
        company = uow.companies.get(job.company_id)
        context = _company_context(company)
        if kind is EmailKind.ATTESTATION_AVAILABLE:
            attestation = uow.attestations.get(job.company_id, str(job.payload["attestation_id"]))
            client = uow.clients.get(job.company_id, attestation.client_id)
            context |= {
                "attestation_number": attestation.number or "",
                "year": str(attestation.year),
                "amount_paid": attestation.amount_paid.format_fr(),
                "cesu_paid": attestation.cesu_paid.format_fr() if attestation.cesu_paid.cents else "",
                "replaces_number": attestation.replaces_number or "",
                "download_url": self.links.download_url(job.company_id, "attestation", attestation.id),
            }
        elif kind is EmailKind.CREDIT_NOTE_AVAILABLE:
            note = uow.credit_notes.get(job.company_id, str(job.payload["credit_note_id"]))
            client = uow.clients.get(job.company_id, note.client_id)
            # refunded to the card (a refund the company made itself, recorded since, is not announced here,
            # nor one asked for after a later debit: its own email tells it once made)
            announced_apart = uow.outbox.by_key(job.company_id, job_key(
                Effect.MAIL_CREDIT_NOTE_REFUNDED, CreditNoteRefundToAnnounce(job.company_id, note.id))) is not None
            refunded = (note.refund_status is not RefundStatus.NONE and note.refund_method is None
                        and note.refund_amount.cents > 0 and not announced_apart)
            left_to_pay = uow.invoices.get(job.company_id, note.invoice_id).left_to_pay  # as it stands now
            context |= {
                "credit_note_number": note.number,
                "invoice_number": note.invoice_number,
                "issued_on": note.issued_on.strftime("%d/%m/%Y"),
                "amount_ttc": note.total_ttc.format_fr(),
                "reason": note.reason,
                "refund_amount": note.refund_amount.format_fr() if refunded else "",
                "left_to_pay": left_to_pay.format_fr() if left_to_pay.cents else "",
                "download_url": self.links.download_url(job.company_id, "credit_note", note.id),
            }
        elif kind is EmailKind.CREDIT_NOTE_REFUNDED:
            note = uow.credit_notes.get(job.company_id, str(job.payload["credit_note_id"]))
            if note.refund_status is RefundStatus.PENDING:
                raise RetryLater(f"avoir {note.number} : remboursement pas encore fait")
            if note.refund_status is not RefundStatus.SUCCEEDED:
                return None  # refused by the bank: the company settles it with the client, no email
            client = uow.clients.get(job.company_id, note.client_id)
            context |= {
                "credit_note_number": note.number,
                "invoice_number": note.invoice_number,
                "refund_amount": note.refund_amount.format_fr(),
                "download_url": self.links.download_url(job.company_id, "credit_note", note.id),
            }
        elif kind is EmailKind.INVOICE_AVAILABLE:
            invoice = uow.invoices.get(job.company_id, str(job.payload["invoice_id"]))
            client = uow.clients.get(job.company_id, invoice.client_id)
            if invoice.will_be_debited(client):
                return None  # the debit's own email (confirmed, refused, to confirm) brings the invoice
            context |= {
                "invoice_number": invoice.number or "",
                "amount_ttc": invoice.total_ttc.format_fr(),
                "issued_on": invoice.issued_on.strftime("%d/%m/%Y") if invoice.issued_on else "",
                "left_to_pay": invoice.left_to_pay.format_fr() if invoice.left_to_pay.cents else "",
                "download_url": self.links.download_url(job.company_id, "invoice", invoice.id),
            }
        else:
            invoice = uow.invoices.get(job.company_id, str(job.payload["invoice_id"]))
            client = uow.clients.get(job.company_id, invoice.client_id)
            zone = ZoneInfo(company.timezone)
            context |= {
                "invoice_number": invoice.number or "",
                "amount_ttc": _debit_amount(uow, invoice, job).format_fr(),
                "issued_on": invoice.issued_on.strftime("%d/%m/%Y") if invoice.issued_on else "",
                "download_url": self.links.download_url(job.company_id, "invoice", invoice.id),
            }
            if invoice.paid_at:
                context["paid_on"] = invoice.paid_at.astimezone(zone).strftime("%d/%m/%Y")
            if kind is EmailKind.DEBIT_FAILED:
                context["reason"] = invoice.payment_failure or str(job.payload.get("reason", ""))
            if kind is EmailKind.AUTHENTICATION_NEEDED:
                context["payment_url"] = self.links.payment_url(job.company_id, invoice.id)
        if client.is_erased:
            return None
        context["client_name"] = client.full_name
        return Notification(message_id=message_id, kind=kind, to_email=client.email, to_name=client.full_name,
                            context=context)
