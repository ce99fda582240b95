"""Credit note side effects: refund the card payment (once), publish the avoir to the shop.

The refund has a deterministic idempotency key per credit note; before calling the gateway the
refunds of the invoice are checked against what was paid, and the gateway looks up the refund
already made for the key before creating one. A job run twice therefore refunds once."""
from __future__ import annotations

from ogust.application.effects import RetryLater
from ogust.application.effects.shop import _publish, ensure_client_in_shop
from ogust.application.handlers import UowFactory
from ogust.application.outbox import OutboxJob
from ogust.application.ports import (
    DocumentLinks,
    PaymentGateway,
    PaymentOutcomeUnknown,
    RefundOutcome,
    RefundRequest,
    RefundResult,
    ShopApi,
    ShopDocument,
)
from ogust.domain.credit_note import RefundStatus, ensure_refund_within_payment
from ogust.domain.errors import ConcurrencyConflict, RefundExceedsPayment
from ogust.domain.payment import PaymentMethod

# An avoir is published with a negative amount, and its refund's progress as its status.
SHOP_STATUS = {RefundStatus.NONE: "issued", RefundStatus.PENDING: "refund_pending",
               RefundStatus.SUCCEEDED: "refunded", RefundStatus.FAILED: "refund_failed"}


class RefundCreditNoteEffect:
    def __init__(self, uow: UowFactory, gateway: PaymentGateway) -> None:
        self.uow = uow
        self.gateway = gateway

    def __call__(self, job: OutboxJob) -> None:
        credit_note_id = str(job.payload["credit_note_id"])
        request = self._prepare(job.company_id, credit_note_id)
        if request is None:
            return
        try:
            result = self.gateway.refund(request)
        except PaymentOutcomeUnknown as error:
            raise RetryLater(f"issue du remboursement inconnue, reprise avec la même clé : {error}") from error
        self.record(job.company_id, credit_note_id, result)

    def _prepare(self, company_id: str, credit_note_id: str) -> RefundRequest | None:
        """The refund to ask for; None when there is nothing (more) to refund."""
        with self.uow() as uow:
            note = uow.credit_notes.get(company_id, credit_note_id)
            if note.refund_status is not RefundStatus.PENDING or not note.payment_intent_id:
                return None
            card = [p for p in uow.payments.for_invoice(company_id, note.invoice_id)
                    if p.method is PaymentMethod.CARD and p.reference == note.payment_intent_id]
            others = [n for n in uow.credit_notes.for_invoice(company_id, note.invoice_id) if n.id != note.id]
            try:
                ensure_refund_within_payment(note.refund_amount, card, others)
            except RefundExceedsPayment as error:
                note.mark_refund_failed(error.message)
                uow.commit()
                return None
            return RefundRequest(
                company_id=company_id, credit_note_id=note.id, credit_note_number=note.number,
                invoice_id=note.invoice_id, payment_intent_id=note.payment_intent_id, amount=note.refund_amount,
                idempotency_key=note.refund_key,
            )

    def record(self, company_id: str, credit_note_id: str, result: RefundResult) -> None:
        with self.uow() as uow:
            note = uow.credit_notes.get(company_id, credit_note_id)
            if result.outcome is RefundOutcome.SUCCEEDED:
                note.mark_refunded(result.refund_id or "", uow.clock.now())
            else:
                note.mark_refund_failed(result.reason or "remboursement refusé")
            try:
                uow.commit()
            except ConcurrencyConflict as error:
                raise RetryLater("avoir modifié par un autre processus") from error


class PublishCreditNoteEffect:
    """Put the avoir, as it stands now, in the client's shop account, with its download link."""

    def __init__(self, uow: UowFactory, shop: ShopApi, links: DocumentLinks) -> None:
        self.uow = uow
        self.shop = shop
        self.links = links

    def __call__(self, job: OutboxJob) -> None:
        credit_note_id = str(job.payload["credit_note_id"])
        with self.uow() as uow:
            note = uow.credit_notes.get(job.company_id, credit_note_id)
            account = uow.companies.get(job.company_id).require_shop()
        shop_client_id = ensure_client_in_shop(self.uow, self.shop, job, note.client_id)
        document = ShopDocument(
            kind="credit_note", id=note.id, number=note.number, client_id=note.client_id,
            issued_on=note.issued_on.isoformat(), amount_ttc_cents=-note.total_ttc.cents,
            status=SHOP_STATUS[note.refund_status],
            download_url=self.links.download_url(job.company_id, "credit_note", note.id),
            title=f"Avoir {note.number} (facture {note.invoice_number})",
        )
        _publish(self.shop, account, shop_client_id, document)
