"""A debit given up after its retries (a Stripe outage of hours) stays « en cours », its outcome
unknown: every refusal it causes says so and how to resume it, instead of « attendez son issue » —
nothing would ever come. Resumed, the job starts a new series of attempts and debits once."""
from __future__ import annotations

import pytest

from ogust.application import commands as c
from ogust.application.effects.registry import build_effects
from ogust.application.handlers.invoicing import RecordPaymentHandler, RetryPaymentHandler
from ogust.application.handlers.payments import CancelDebitHandler
from ogust.application.outbox import JobStatus
from ogust.application.queries import OutboxAdmin, Queries
from ogust.application.worker import OutboxProcessor, WorkerSettings
from ogust.domain.errors import InvalidTransition
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus, PaymentMethod
from tests.fakes import FakeLinks
from tests.unit.application.conftest import attempts, charge_job, validated_invoice


def test_an_abandoned_debit_says_how_to_resume_it(uow, ready, marie, shop, cards, mailer, clock):
    worker = OutboxProcessor(uow, build_effects(uow, shop, cards, mailer, FakeLinks()),
                             WorkerSettings(backoff_base_seconds=1, max_attempts=3), name="w1")
    invoice = validated_invoice(uow, ready, marie, cards)
    cards.fail_unknown(3)  # Stripe unreachable, three times: the charge job is given up
    for _ in range(3):
        worker.run_until_idle()
        clock.advance(seconds=3600)
    job = charge_job(uow, invoice)
    assert job.status is JobStatus.DEAD and [a.status for a in attempts(uow, invoice)] == [AttemptStatus.CHARGING]

    for refused in (lambda: RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id)),
                    lambda: RecordPaymentHandler(uow)(c.RecordPayment(ready.id, invoice.id, PaymentMethod.CHEQUE,
                                                                      clock.now().date())),
                    lambda: CancelDebitHandler(uow, cards)(c.CancelDebit(ready.id, invoice.id))):
        with pytest.raises(InvalidTransition, match=rf"abandonné après 3 essai\(s\) .* outbox retry {job.id} »"):
            refused()
    assert Queries(uow).invoice(ready.id, invoice.id).abandoned_debit_job_id == job.id

    OutboxAdmin(uow).retry(job.id)  # Stripe is back
    assert charge_job(uow, invoice).attempts == 0
    worker.run_until_idle()
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.PAID and len(cards.debited) == 1
    assert Queries(uow).invoice(ready.id, invoice.id).abandoned_debit_job_id is None
