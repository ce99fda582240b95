"""Avoirs on a card-paid invoice, refunded on localstripe through the outbox: full, partial, never
beyond what was paid, once however often the job runs."""
from __future__ import annotations

import httpx
import pytest

from ogust.adapters.payments.stripe_gateway import StripePaymentGateway
from ogust.application.commands import IssueCreditNote
from ogust.application.effects.credit_notes import RefundCreditNoteEffect
from ogust.application.outbox import Effect, JobStatus, job_key
from ogust.application.ports import RefundOutcome, RefundRequest
from ogust.domain.credit_note import RefundStatus
from ogust.domain.errors import CreditExceedsInvoice
from ogust.domain.events import CreditNoteRefundRequested
from ogust.domain.money import Money
from tests.integration.documents.conftest import Billing, paid_invoice
from tests.support.localstripe import LocalStripe

pytestmark = pytest.mark.integration


def refunds_of(localstripe: LocalStripe, payment_intent_id: str) -> list[dict]:
    response = httpx.get(f"{localstripe.base_url}/v1/refunds", params={"payment_intent": payment_intent_id},
                         headers={"Authorization": f"Bearer {localstripe.api_key}"}, timeout=10)
    response.raise_for_status()
    return response.json()["data"]


def issue(billing: Billing, invoice_id: str, amount: Money | None, reason: str = "Intervention écourtée"):
    note = billing.container.issue_credit_note()(IssueCreditNote(billing.company_id, invoice_id, reason, amount))
    billing.container.processor().run_until_idle()
    return billing.container.document_queries().credit_note(billing.company_id, note.id)


def test_a_full_credit_note_refunds_the_whole_payment_on_stripe(billing, localstripe_server):
    invoice = paid_invoice(billing)

    note = issue(billing, invoice.id, None, "Prestation annulée")

    assert note.number.startswith("AV-") and note.total_ttc == invoice.total_ttc == Money(6875)
    assert note.refund_status is RefundStatus.SUCCEEDED and note.refund_id.startswith("re_")
    [refund] = refunds_of(localstripe_server, invoice.payment_reference)
    assert (refund["id"], refund["amount"], refund["status"]) == (note.refund_id, 6875, "succeeded")
    assert refund["metadata"]["idempotency_key"] == note.refund_key
    assert refund["metadata"]["credit_note_number"] == note.number


def test_a_partial_refund_then_one_beyond_what_was_paid_is_refused(billing, localstripe_server):
    invoice = paid_invoice(billing)
    first = issue(billing, invoice.id, Money(1000))
    assert first.refund_status is RefundStatus.SUCCEEDED
    assert [r["amount"] for r in refunds_of(localstripe_server, invoice.payment_reference)] == [1000]

    with pytest.raises(CreditExceedsInvoice):
        issue(billing, invoice.id, Money(5876))  # 58,75 € are left: one cent too much
    assert [r["amount"] for r in refunds_of(localstripe_server, invoice.payment_reference)] == [1000]

    # the gateway itself refuses to go beyond what Stripe says is left, without creating a refund
    gateway = StripePaymentGateway(localstripe_server.api_key, api_base=localstripe_server.base_url, timeout=5)
    refused = gateway.refund(RefundRequest(billing.company_id, "cn-x", "AV-X", invoice.id, invoice.payment_reference,
                                           Money(5876), "ogust:test:beyond"))
    assert refused.outcome is RefundOutcome.REFUSED and "refusé" in refused.reason
    assert [r["amount"] for r in refunds_of(localstripe_server, invoice.payment_reference)] == [1000]

    rest = issue(billing, invoice.id, None, "Solde")
    assert rest.total_ttc == Money(5875) and rest.refund_status is RefundStatus.SUCCEEDED
    assert sorted(r["amount"] for r in refunds_of(localstripe_server, invoice.payment_reference)) == [1000, 5875]
    with pytest.raises(CreditExceedsInvoice):
        issue(billing, invoice.id, Money(1))


def test_the_refund_job_run_twice_refunds_once(billing, localstripe_server):
    invoice = paid_invoice(billing)
    container = billing.container
    note = container.issue_credit_note()(IssueCreditNote(billing.company_id, invoice.id, "Retard", Money(2000)))
    key = job_key(Effect.REFUND_CREDIT_NOTE, CreditNoteRefundRequested(billing.company_id, note.id, invoice.id))
    with container.uow() as uow:
        job = uow.outbox.by_key(billing.company_id, key)
    effect = RefundCreditNoteEffect(container.uow, container.payments())

    effect(job)
    # a worker that refunded, then died before recording it: the job runs again from the start
    with container.uow() as uow:
        stored = uow.credit_notes.get(billing.company_id, note.id)
        first_refund = stored.refund_id
        stored.refund_status, stored.refund_id = RefundStatus.PENDING, None
        uow.commit()
    effect(job)
    effect(job)  # and once more, now that it is recorded: nothing to do

    [refund] = refunds_of(localstripe_server, invoice.payment_reference)
    assert refund["amount"] == 2000 and refund["id"] == first_refund
    final = container.document_queries().credit_note(billing.company_id, note.id)
    assert (final.refund_status, final.refund_id) == (RefundStatus.SUCCEEDED, first_refund)

    # the outbox's own copy of the job, retried by an operator, refunds nothing more either
    container.processor().run_until_idle()
    with container.uow() as uow:
        assert uow.outbox.by_key(billing.company_id, key).status is JobStatus.DONE
        job_id = uow.outbox.by_key(billing.company_id, key).id
    with container.uow() as uow:
        uow.outbox.retry(job_id, uow.clock.now())
        uow.commit()
    container.processor().run_until_idle()
    assert len(refunds_of(localstripe_server, invoice.payment_reference)) == 1


def test_the_avoir_is_published_to_the_shop_with_a_signed_link(billing, shop_server, shop_account):
    invoice = paid_invoice(billing)
    note = issue(billing, invoice.id, Money(1500))

    account = shop_server.admin.account(shop_account[0])
    documents = [d for docs in account["documents"].values() for d in docs if d["id"] == note.id]
    assert [(d["kind"], d["number"], d["amount_ttc_cents"], d["status"]) for d in documents] == [
        ("credit_note", note.number, -1500, "refunded")]
    assert "/documents/" in documents[0]["download_url"]
