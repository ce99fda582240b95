"""Payment outcomes reported by Stripe webhooks: deduplicated by event id, never moving a paid
invoice back; and the cancellation, by an operator, of a debit awaiting the client's 3-D Secure."""
from __future__ import annotations

from dataclasses import dataclass

from ogust.application.commands import CancelDebit
from ogust.application.debits import refuse_if_debit_abandoned
from ogust.application.effects.payments import apply_outcome
from ogust.application.handlers import UowFactory
from ogust.application.ports import ChargeOutcome, ChargeResult, PaymentGateway, PaymentOutcomeUnknown
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.errors import InvalidTransition
from ogust.domain.invoice import DEBIT_CANCELLED, Invoice, InvoiceStatus
from ogust.domain.payment import AttemptStatus, PaymentAttempt

_OUTCOMES = {
    "payment_intent.succeeded": ChargeOutcome.SUCCEEDED,
    "payment_intent.payment_failed": ChargeOutcome.DECLINED,
    "payment_intent.requires_action": ChargeOutcome.AUTHENTICATION_REQUIRED,
}


@dataclass(frozen=True)
class RecordPaymentEvent:
    event_id: str
    event_type: str
    payment_intent_id: str
    reason: str = ""
    idempotency_key: str = ""  # the PaymentIntent's metadata: finds the attempt before its id is recorded


class RecordPaymentEventHandler:
    """Returns what happened: "applied", "duplicate" or "ignored"."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: RecordPaymentEvent) -> str:
        with self.uow() as uow:
            if uow.inbox.seen("stripe", cmd.event_id):
                return "duplicate"
            uow.inbox.add("stripe", cmd.event_id, uow.clock.now())
            outcome = _OUTCOMES.get(cmd.event_type)
            attempt = _attempt_for(uow, cmd)
            if outcome is None or attempt is None:
                uow.commit()
                return "ignored"
            invoice = uow.invoices.get(attempt.company_id, attempt.invoice_id)
            apply_outcome(uow, invoice, attempt, ChargeResult(outcome, cmd.payment_intent_id, cmd.reason))
            uow.commit()
            return "applied"


def _attempt_for(uow: UnitOfWork, cmd: RecordPaymentEvent) -> PaymentAttempt | None:
    """The attempt the PaymentIntent was made for: by its id, or — when the debit's answer never
    reached us, so the id was not recorded — by the idempotency key the PaymentIntent carries."""
    attempt = uow.payment_attempts.by_payment_intent(cmd.payment_intent_id)
    if attempt is not None:
        return attempt
    parsed = PaymentAttempt.parse_key(cmd.idempotency_key) if cmd.idempotency_key else None
    if parsed is None:
        return None
    company_id, invoice_id, number = parsed
    return next((a for a in uow.payment_attempts.for_invoice(company_id, invoice_id)
                 if a.number == number and a.idempotency_key == cmd.idempotency_key), None)


CANCELLED = DEBIT_CANCELLED


class CancelDebitHandler:
    """Annuler le débit en attente: the client never confirmed the debit at their bank (3-D Secure),
    or pays otherwise. The PaymentIntent is cancelled at Stripe first — outside any transaction — so it
    can never debit the card; then the invoice awaits payment again (a new debit, or a cheque
    recorded). When the client confirmed first, the card is debited: the invoice is recorded paid,
    as the webhook would, and nothing is cancelled."""

    def __init__(self, uow: UowFactory, gateway: PaymentGateway) -> None:
        self.uow = uow
        self.gateway = gateway

    def __call__(self, cmd: CancelDebit) -> Invoice:
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            attempt = _awaiting_authentication(uow, invoice)
        result = self.gateway.cancel(attempt.payment_intent_id or "")
        if result.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED:  # the bank did not cancel it
            raise PaymentOutcomeUnknown(f"le débit {attempt.payment_intent_id} attend toujours le client : "
                                        "réessayez", payment_intent_id=attempt.payment_intent_id)
        with self.uow() as uow:
            invoice = uow.invoices.get(cmd.company_id, cmd.invoice_id)
            attempt = uow.payment_attempts.get(cmd.company_id, attempt.id)
            if result.outcome is ChargeOutcome.SUCCEEDED or invoice.status is not InvoiceStatus.NEEDS_AUTHENTICATION:
                apply_outcome(uow, invoice, attempt, result)  # confirmed first (or told by its webhook meanwhile)
            else:
                attempt.failed(CANCELLED, attempt.payment_intent_id, uow.clock.now())
                invoice.cancel_debit(attempt.number, CANCELLED)
                invoice.settle_by_credit(uow.payment_attempts.for_invoice(cmd.company_id, invoice.id))
            uow.commit()
            return invoice


def _awaiting_authentication(uow: UnitOfWork, invoice: Invoice) -> PaymentAttempt:
    if invoice.status is InvoiceStatus.NEEDS_AUTHENTICATION:
        waiting = [a for a in uow.payment_attempts.for_invoice(invoice.company_id, invoice.id)
                   if a.status is AttemptStatus.NEEDS_AUTHENTICATION and a.payment_intent_id]
        if waiting:
            return max(waiting, key=lambda a: a.number)
    refuse_if_debit_abandoned(uow, invoice, uow.payment_attempts.for_invoice(invoice.company_id, invoice.id))
    raise InvalidTransition(f"Aucun débit de la facture {invoice.number} n'attend la confirmation du client "
                            f"(elle est {invoice.status.label_fr}).", status=invoice.status.value)
