"""A card debit whose job was given up (dead-lettered after its retries: a long Stripe outage, a
wrong key) stays « en cours » for ever: its outcome is unknown, so nothing may debit the card again
or settle the invoice otherwise — the refusals said « attendez son issue », and nothing would ever
come. They now say the debit was abandoned and how to resume it: the job retried looks the
PaymentIntent up before creating one, so it finds a debit already made instead of making a second."""
from __future__ import annotations

from collections.abc import Iterable

from ogust.application.outbox import JobStatus, OutboxJob, charge_job_key
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.errors import InvalidTransition
from ogust.domain.invoice import Invoice
from ogust.domain.payment import AttemptStatus, PaymentAttempt

_UNDER_WAY = (AttemptStatus.PENDING, AttemptStatus.CHARGING)


def abandoned_debit(uow: UnitOfWork, invoice: Invoice,
                    attempts: Iterable[PaymentAttempt]) -> tuple[PaymentAttempt, OutboxJob] | None:
    """The debit of ``invoice`` still under way whose job is dead, with that job; None if none."""
    for attempt in attempts:
        if attempt.status in _UNDER_WAY:
            job = uow.outbox.by_key(invoice.company_id, charge_job_key(invoice.company_id, invoice.id,
                                                                       attempt.number))
            if job is not None and job.status is JobStatus.DEAD:
                return attempt, job
    return None


def refuse_if_debit_abandoned(uow: UnitOfWork, invoice: Invoice, attempts: Iterable[PaymentAttempt]) -> None:
    found = abandoned_debit(uow, invoice, attempts)
    if found is None:
        return
    attempt, job = found
    raise InvalidTransition(
        f"Le débit n° {attempt.number} de la facture {invoice.number} a été abandonné après {job.attempts} "
        f"essai(s) ({job.last_error or 'sans réponse'}) : on ne sait pas s'il a été fait, et un autre débit ou "
        f"règlement risquerait un double paiement. Relancez-le : « ogust outbox retry {job.id} » "
        f"(POST /api/outbox/{job.id}/retry) ; il retrouvera le débit s'il a été fait, sinon il le fera.",
        status=invoice.status.value, outbox_job_id=job.id,
    )
