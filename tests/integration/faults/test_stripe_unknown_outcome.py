"""The debit's answer is lost on its way back: Stripe debited the card, ogust does not know it.
The worker retries later with the same key, finds the PaymentIntent and does not debit again."""
from __future__ import annotations

import pytest

from ogust.application.outbox import Effect, JobStatus
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus

pytestmark = pytest.mark.integration

STRIPE_500 = {"error": {"type": "api_error", "message": "An unknown error occurred"}}


@pytest.mark.parametrize("fault", ["connection closed", "HTTP 500"])
def test_a_lost_debit_answer_is_retried_without_a_second_debit(office, fault) -> None:
    if fault == "connection closed":
        lost = office.stripe_proxy.next("POST", "/v1/payment_intents", "drop_answer")
    else:  # localstripe did the debit, the caller sees a 5xx
        lost = office.stripe_proxy.next("POST", "/v1/payment_intents", "respond", 500, STRIPE_500, forward=True)
    client = office.new_client()
    invoice = office.validated_invoice(client)

    charge = office.work(lambda: (job := office.job_of(invoice, Effect.CHARGE_INVOICE)).attempts == 1
                         and job.status is JobStatus.PENDING and job, what="the debit to be tried once")
    assert lost.reached.is_set()
    # the card was debited, but ogust does not know: nothing is decided, the job waits for a retry
    assert [i["status"] for i in office.intents(invoice)] == ["succeeded"]
    assert office.status(invoice) is InvoiceStatus.VALIDATED
    assert [a.status for a in office.attempts(invoice)] == [AttemptStatus.CHARGING]
    assert "inconnue" in (charge.last_error or "")
    assert charge.available_at > office.clock.now()
    assert office.emails_to(client) == []

    office.advance_past_backoff()
    office.work(office.all_done, what="every job of the invoice to be done")

    office.assert_debited_once(invoice)
    assert office.stripe_proxy.count("POST", "/v1/payment_intents") == 1  # the retry looked it up
    assert office.job_of(invoice, Effect.CHARGE_INVOICE).attempts == 2
    assert [a.status for a in office.attempts(invoice)] == [AttemptStatus.SUCCEEDED]
    [email] = office.emails_to(client)
    assert invoice.number in str(email["Subject"]) or invoice.number in email.get_body(("plain",)).get_content()


def test_with_stripe_unreachable_nothing_is_decided_and_the_card_is_debited_once_it_is_back(office) -> None:
    client = office.new_client()
    office.stripe_proxy.down = True
    invoice = office.validated_invoice(client)

    charge = office.work(lambda: (job := office.job_of(invoice, Effect.CHARGE_INVOICE)).attempts == 1
                         and job.status is JobStatus.PENDING and job, what="the debit to be tried once")
    assert office.intents(invoice) == []
    assert office.status(invoice) is InvoiceStatus.VALIDATED  # not "payment failed": nobody said no
    assert "pas de réponse de Stripe" in charge.last_error and "support@stripe.com" not in charge.last_error
    assert office.drain() == 0  # backing off

    office.stripe_proxy.down = False
    office.advance_past_backoff()
    office.work(office.all_done, what="every job of the invoice to be done")
    office.assert_debited_once(invoice)
    assert len(office.emails_to(client)) == 1
