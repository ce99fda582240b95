"""Credit notes (avoirs): the only correction of a validated invoice. Numbered in their own gapless
series; the refund of a card payment is an outbox job written in the same transaction."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ogust.application.commands import IssueCreditNote, RecordRefund
from ogust.application.handlers import UowFactory
from ogust.domain.credit_note import (
    CreditNote,
    amount_credit_lines,
    full_credit_lines,
    line_credit_lines,
    refundable_otherwise,
)
from ogust.domain.errors import CreditExceedsInvoice, InvalidTransition, InvalidValue
from ogust.domain.invoice import PAYMENT_REFERENCE_MAX
from ogust.domain.money import total
from ogust.domain.payment import AttemptStatus
from ogust.domain.validation import check_amount, check_text

CREDIT_NOTE_PREFIX = "AV"


class IssueCreditNoteHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: IssueCreditNote) -> CreditNote:
        check_text(cmd.reason, "reason", "Motif de l'avoir", 500)
        if cmd.amount is not None:
            check_amount(cmd.amount, "amount_cents", "Le montant de l'avoir")
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            if invoice.is_draft:
                raise InvalidTransition("Une facture brouillon se corrige directement : pas d'avoir.",
                                        status=invoice.status.value)
            if invoice.creditable_ttc.cents <= 0:
                raise CreditExceedsInvoice(
                    f"La facture {invoice.number} est déjà entièrement créditée.", invoice=invoice.number)
            earlier = uow.credit_notes.for_invoice(cmd.company_id, invoice.id)
            if invoice.paid_ttc.cents > 0 and any(
                    a.status in (AttemptStatus.PENDING, AttemptStatus.CHARGING, AttemptStatus.NEEDS_AUTHENTICATION)
                    for a in uow.payment_attempts.for_invoice(cmd.company_id, invoice.id)):
                # refunded to the card once debited, it could give back what was paid otherwise
                raise InvalidTransition(f"Un débit de la carte est en cours pour la facture {invoice.number}, réglée "
                                        f"en partie autrement ({invoice.paid_ttc}) : attendez son issue pour émettre "
                                        "l'avoir.", status=invoice.status.value)
            if cmd.line is not None:
                lines = line_credit_lines(invoice, cmd.line, cmd.amount, earlier)
            elif cmd.amount is None and invoice.credited_ttc.cents == 0:
                lines = full_credit_lines(invoice)
            else:
                lines = amount_credit_lines(invoice, cmd.amount if cmd.amount is not None else invoice.creditable_ttc)
            payments = uow.payments.for_invoice(cmd.company_id, invoice.id)
            CreditNote.ensure_possible(invoice, total([line.amount_ttc for line in lines]), payments, earlier)
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            now = uow.clock.now()
            today = now.astimezone(zone).date()
            number = uow.sequences.next_number(cmd.company_id, CREDIT_NOTE_PREFIX, today.year)
            note = CreditNote.issue(invoice, number, today, cmd.reason, lines, payments, earlier, now)
            invoice.settle_by_credit(uow.payment_attempts.for_invoice(cmd.company_id, invoice.id))
            uow.credit_notes.add(note)
            uow.commit()
            return note


class RecordRefundHandler:
    """Enregistrer un remboursement: a credit note on an invoice paid by cheque, transfer, CESU or cash,
    given back to the client by the company itself. The credit note is refunded (published so to the
    shop); the attestation fiscale counts the invoice's payment net of it."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: RecordRefund) -> CreditNote:
        check_text(cmd.reference, "reference", "Référence du remboursement", PAYMENT_REFERENCE_MAX, required=False)
        with self.uow() as uow:
            note = uow.credit_notes.get(cmd.company_id, cmd.credit_note_id)
            invoice = uow.invoices.get(cmd.company_id, note.invoice_id)
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            now = uow.clock.now()
            if cmd.refunded_on > now.astimezone(zone).date():
                raise InvalidValue(f"Jour du remboursement dans le futur : {cmd.refunded_on:%d/%m/%Y}.",
                                   field="refunded_on")
            payments = uow.payments.for_invoice(cmd.company_id, invoice.id)
            refundable = refundable_otherwise(invoice, payments,
                                              uow.credit_notes.for_invoice(cmd.company_id, invoice.id))
            # the day the money went, at noon in the company's zone (as a payment received)
            note.record_refund(cmd.method, datetime.combine(cmd.refunded_on, time(12), zone), cmd.reference.strip(),
                               refundable)
            uow.commit()
            return note
