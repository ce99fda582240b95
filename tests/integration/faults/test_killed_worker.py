"""A worker process killed (SIGKILL) in the middle of a debit: its lease expires, another worker
takes the job over and finishes it — the card is debited once, the client gets one email."""
from __future__ import annotations

import pytest

from ogust.application.outbox import Effect, JobStatus
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus
from tests.integration.faults.office import eventually
from tests.integration.faults.proxy import FaultProxy

pytestmark = pytest.mark.integration

LEASE_SECONDS = 30


@pytest.mark.parametrize("killed", [
    "before the PaymentIntent is created",  # the attempt is 'charging', Stripe never saw the debit
    "after the PaymentIntent is created",   # Stripe debited the card, the answer never came back
])
def test_a_worker_killed_during_a_debit_is_taken_over_and_debits_once(office, killed) -> None:
    # the killed worker talks to Stripe through a proxy of its own, which keeps the debit stuck
    stuck = FaultProxy(office.localstripe.base_url).start()
    try:
        action = "hold_request" if killed.startswith("before") else "hold_answer"
        held = stuck.next("POST", "/v1/payment_intents", action)
        client = office.new_client()
        invoice = office.validated_invoice(client)

        worker = office.start_worker(stripe_base=stuck.base_url, lease_seconds=LEASE_SECONDS)
        assert held.reached.wait(30), f"the worker never tried the debit:\n{worker.log[-3000:]}"
        charge = office.job_of(invoice, Effect.CHARGE_INVOICE)
        assert (charge.status, charge.attempts) == (JobStatus.PROCESSING, 1)
        killed_worker = charge.worker
        assert [a.status for a in office.attempts(invoice)] == [AttemptStatus.CHARGING]
        debited_before_kill = [i["status"] for i in office.intents(invoice)]
        assert debited_before_kill == ([] if action == "hold_request" else ["succeeded"])

        worker.kill()
    finally:
        stuck.stop()
    assert office.status(invoice) is InvoiceStatus.VALIDATED  # nobody recorded anything

    # the dead worker's lease (OGUST_WORKER_LEASE_SECONDS, not the 60 s default) still runs:
    # no other worker may take the job until it expires
    remaining = (office.job_of(invoice, Effect.CHARGE_INVOICE).lease_until - office.clock.now()).total_seconds()
    assert LEASE_SECONDS - 10 < remaining <= LEASE_SECONDS
    assert office.drain() == 0
    assert office.job_of(invoice, Effect.CHARGE_INVOICE).status is JobStatus.PROCESSING

    # once it has expired (the clock is moved on rather than waited for), another worker takes over
    office.clock.advance(seconds=remaining + 1)
    office.work(office.all_done, what="another worker to finish every job")

    charge = office.job_of(invoice, Effect.CHARGE_INVOICE)
    assert (charge.status, charge.attempts) == (JobStatus.DONE, 2)
    assert charge.worker != killed_worker
    office.assert_debited_once(invoice)
    assert len(office.intents(invoice)) == 1  # not even a failed second one
    assert [a.status for a in office.attempts(invoice)] == [AttemptStatus.SUCCEEDED]
    assert len(eventually(lambda: office.emails_to(client), what="the debit email")) == 1
    assert list(office.emails_by_message_id(client).values()) == [1]
    assert [row["status"] for row in office.email_log()] == ["sent"]
