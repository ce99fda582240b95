"""Debit the card saved at ordering when an invoice is validated — never twice.

Each attempt is a row (unique per invoice and number; one succeeded per invoice at most) with a
deterministic idempotency key. An attempt whose outcome is unknown stays "charging" and is
resumed with the same key; the gateway looks the PaymentIntent up before creating one."""
from __future__ import annotations

from ogust.application.effects import RetryLater
from ogust.application.handlers import UowFactory
from ogust.application.outbox import OutboxJob
from ogust.application.ports import ChargeOutcome, ChargeRequest, ChargeResult, PaymentGateway, PaymentOutcomeUnknown
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.credit_note import not_deducted_from
from ogust.domain.errors import ConcurrencyConflict
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.payment import MINIMUM_CARD_DEBIT, AttemptStatus, Payment, PaymentAttempt, PaymentMethod


class ChargeInvoiceEffect:
    def __init__(self, uow: UowFactory, gateway: PaymentGateway) -> None:
        self.uow = uow
        self.gateway = gateway

    def __call__(self, job: OutboxJob) -> None:
        invoice_id = str(job.payload["invoice_id"])
        number = int(job.payload.get("attempt", 1))
        request = self._prepare(job.company_id, invoice_id, number)
        if request is None:
            return
        try:
            result = self.gateway.charge(request)
        except PaymentOutcomeUnknown as error:
            if error.payment_intent_id:
                self._remember_intent(job.company_id, invoice_id, number, error.payment_intent_id)
            raise RetryLater(f"issue du débit inconnue, reprise avec la même clé : {error}") from error
        self.record(job.company_id, invoice_id, number, result)

    def _remember_intent(self, company_id: str, invoice_id: str, number: int, payment_intent_id: str) -> None:
        """The PaymentIntent exists, its outcome is not known yet: keep its id on the attempt, so that
        Stripe's webhook finds the invoice even if this job never gets an answer."""
        with self.uow() as uow:
            attempt = next(a for a in uow.payment_attempts.for_invoice(company_id, invoice_id) if a.number == number)
            attempt.awaits_outcome_of(payment_intent_id, uow.clock.now())
            try:
                uow.commit()
            except ConcurrencyConflict:
                pass  # the webhook recorded the outcome meanwhile: nothing to remember

    def _prepare(self, company_id: str, invoice_id: str, number: int) -> ChargeRequest | None:
        """Create or resume the attempt; None when there is nothing (more) to debit."""
        with self.uow() as uow:
            invoice = uow.invoices.get(company_id, invoice_id)
            if invoice.status is InvoiceStatus.PAID or invoice.is_draft:
                return None
            client = uow.clients.get(company_id, invoice.client_id)
            if not client.has_card:
                return None  # no card saved: the client pays another way
            attempts = {a.number: a for a in uow.payment_attempts.for_invoice(company_id, invoice_id)}
            if any(a.status is AttemptStatus.SUCCEEDED for a in attempts.values()):
                return None
            attempt = attempts.get(number)
            if attempt is None:
                if invoice.amount_due.cents <= 0:
                    return None  # fully credited before any debit: nothing is owed
                if invoice.amount_due < MINIMUM_CARD_DEBIT:
                    return None  # too small for a card debit: paid another way, no "refused" email
                attempt = PaymentAttempt(
                    company_id=company_id, invoice_id=invoice_id, number=number, amount=invoice.amount_due,
                    idempotency_key=PaymentAttempt.key_for(company_id, invoice_id, number),
                    created_at=uow.clock.now(),
                )
                uow.payment_attempts.add(attempt)
                invoice.debit_started()  # a payment recorded meanwhile by an operator conflicts with this
            elif attempt.status not in (AttemptStatus.PENDING, AttemptStatus.CHARGING):
                return None  # this attempt already has its outcome
            attempt.start_charging(uow.clock.now())
            try:
                uow.commit()
            except ConcurrencyConflict as error:
                raise RetryLater("tentative de débit prise par un autre processus") from error
            return ChargeRequest(
                company_id=company_id, invoice_id=invoice_id, invoice_number=invoice.number or "",
                amount=attempt.amount, customer_id=client.stripe_customer_id,
                payment_method_id=client.stripe_payment_method_id, idempotency_key=attempt.idempotency_key,
            )

    def record(self, company_id: str, invoice_id: str, number: int, result: ChargeResult) -> None:
        """Write the outcome of attempt ``number`` on the attempt and the invoice."""
        with self.uow() as uow:
            invoice = uow.invoices.get(company_id, invoice_id)
            attempt = next(a for a in uow.payment_attempts.for_invoice(company_id, invoice_id) if a.number == number)
            apply_outcome(uow, invoice, attempt, result)
            uow.commit()


def apply_outcome(uow: UnitOfWork, invoice: Invoice, attempt: PaymentAttempt, result: ChargeResult) -> None:
    """Move the attempt and the invoice to the outcome. A success is final: nothing moves it back."""
    now = uow.clock.now()
    if result.outcome is ChargeOutcome.SUCCEEDED:
        attempt.succeeded(result.payment_intent_id or attempt.payment_intent_id or "", now)
        if invoice.mark_paid(attempt.payment_intent_id or attempt.idempotency_key, now):
            uow.payments.add(Payment(
                company_id=invoice.company_id, invoice_id=invoice.id, client_id=invoice.client_id,
                amount=attempt.amount, received_at=now, method=PaymentMethod.CARD,
                reference=attempt.payment_intent_id or "",
            ))
            # credit notes issued while this debit was under way were not deducted from it: refund them
            for note in not_deducted_from(attempt.amount, invoice,
                                          uow.credit_notes.for_invoice(invoice.company_id, invoice.id)):
                note.refund_after_debit(attempt.payment_intent_id or "")
    elif attempt.status is AttemptStatus.SUCCEEDED or invoice.status is InvoiceStatus.PAID:
        return
    elif _superseded(uow, invoice, attempt):
        # a late (reordered) webhook about an earlier attempt: that attempt records it, but the invoice
        # follows its latest attempt — else a decline of attempt 1 arriving while attempt 2 awaits
        # 3-D Secure would allow a third attempt, and the client's confirmation a second debit
        if result.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED:
            attempt.needs_authentication(result.payment_intent_id or "", now)
        else:
            attempt.failed(result.reason or "carte refusée", result.payment_intent_id, now)
    elif result.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED:
        attempt.needs_authentication(result.payment_intent_id or "", now)
        invoice.mark_needs_authentication(attempt.number)
    else:
        reason = result.reason or "carte refusée"
        attempt.failed(reason, result.payment_intent_id, now)
        invoice.mark_payment_failed(attempt.number, reason)
        # credit notes issued while the debit was under way may cover the invoice: nothing is due then
        invoice.settle_by_credit(uow.payment_attempts.for_invoice(invoice.company_id, invoice.id))


def _superseded(uow: UnitOfWork, invoice: Invoice, attempt: PaymentAttempt) -> bool:
    """True when a later attempt than ``attempt`` exists for the invoice."""
    return any(other.number > attempt.number
               for other in uow.payment_attempts.for_invoice(invoice.company_id, invoice.id))


class DetachPaymentMethodEffect:
    """After a GDPR erasure: detach the client's card at Stripe, so it can never be charged again, then
    delete the Stripe customer (the name and email Stripe holds; the payments stay). Through the
    outbox, so that a Stripe outage delays them but never loses them; both are idempotent, so a retry
    does again only what was not done."""

    def __init__(self, gateway: PaymentGateway) -> None:
        self.gateway = gateway

    def __call__(self, job: OutboxJob) -> None:
        payment_method_id = str(job.payload.get("stripe_payment_method_id") or "")
        customer_id = str(job.payload.get("stripe_customer_id") or "")
        try:
            if payment_method_id:
                self.gateway.detach_payment_method(payment_method_id)
            if customer_id:
                self.gateway.delete_customer(customer_id)
        except PaymentOutcomeUnknown as error:
            raise RetryLater(f"effacement chez Stripe : pas de réponse ({error})") from error
