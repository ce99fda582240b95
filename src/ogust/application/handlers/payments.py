"""Payment outcomes reported by Stripe webhooks: deduplicated by event id, never moving a paid
invoice back."""
from __future__ import annotations

from dataclasses import dataclass

from ogust.application.effects.payments import apply_outcome
from ogust.application.handlers import UowFactory
from ogust.application.ports import ChargeOutcome, ChargeResult
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.payment import PaymentAttempt

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
