"""The outbox worker: dead letters, backoff, faults that do not kill it, expired leases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ogust.application.effects import GiveUp, RetryLater
from ogust.application.outbox import JobStatus, OutboxJob
from ogust.application.worker import OutboxProcessor, WorkerSettings

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


class Scripted:
    """An effect that raises the scripted errors in turn, then succeeds; counts its calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[str] = []

    def __call__(self, job: OutboxJob) -> None:
        self.calls.append(job.id)
        if self.errors:
            raise self.errors.pop(0)


def enqueue(uow, company, effect="test.effect", key="k1") -> OutboxJob:
    job = OutboxJob(company_id=company.id, effect=effect, key=key, payload={}, created_at=uow.clock.now(),
                    available_at=uow.clock.now())
    uow.outbox.add(job)
    return job


def processor(uow, effect, name="w1", **settings) -> OutboxProcessor:
    return OutboxProcessor(uow, {"test.effect": effect},
                           WorkerSettings(**({"backoff_base_seconds": 10, "max_attempts": 3} | settings)), name=name)


def test_success_marks_the_job_done(uow, company):
    effect = Scripted()
    job = enqueue(uow, company)
    assert processor(uow, effect).run_once() == 1
    assert (job.status, job.attempts, job.done_at, job.worker) == (JobStatus.DONE, 1, NOW, "w1")
    assert processor(uow, effect).run_once() == 0 and len(effect.calls) == 1


def test_give_up_is_dead_at_once(uow, company):
    job = enqueue(uow, company)
    processor(uow, Scripted(GiveUp("adresse refusée"))).run_until_idle()
    assert (job.status, job.attempts, job.last_error) == (JobStatus.DEAD, 1, "adresse refusée")


def test_unknown_effect_is_dead(uow, company):
    job = enqueue(uow, company, effect="nobody.knows")
    processor(uow, Scripted()).run_until_idle()
    assert job.status is JobStatus.DEAD and "nobody.knows" in job.last_error


def test_retry_later_backs_off_exponentially_then_dies(uow, company):
    effect = Scripted(*(RetryLater("injoignable") for _ in range(5)))
    job = enqueue(uow, company)
    worker = processor(uow, effect)
    waits = []
    for _ in range(2):
        worker.run_once()
        assert job.status is JobStatus.PENDING and job.last_error == "injoignable"
        waits.append(job.available_at - uow.clock.now())
        assert worker.run_once() == 0  # not due before the backoff
        uow.clock.current = job.available_at
    assert waits == [timedelta(seconds=10), timedelta(seconds=20)]
    worker.run_once()
    assert (job.status, job.attempts) == (JobStatus.DEAD, 3)
    assert len(effect.calls) == 3


def test_backoff_is_capped():
    worker = OutboxProcessor(lambda: None, {}, WorkerSettings(backoff_base_seconds=5, backoff_max_seconds=60))
    assert [worker.backoff(n) for n in (1, 2, 3, 4, 5, 10)] == [5, 10, 20, 40, 60, 60]


def test_an_unexpected_fault_is_retried_and_the_worker_survives(uow, company):
    effect = Scripted(KeyError("boom"))
    broken, fine = enqueue(uow, company, key="k1"), enqueue(uow, company, key="k2")
    worker = processor(uow, effect)
    assert worker.run_once() == 2
    assert broken.status is JobStatus.PENDING and broken.last_error == "KeyError: 'boom'"
    assert fine.status is JobStatus.DONE
    uow.clock.current = broken.available_at
    worker.run_once()
    assert broken.status is JobStatus.DONE


def test_unexpected_faults_die_after_max_attempts(uow, company):
    job = enqueue(uow, company)
    worker = processor(uow, Scripted(*(ValueError("x") for _ in range(5))))
    for _ in range(3):
        uow.clock.current = job.available_at
        worker.run_once()
    assert (job.status, job.attempts) == (JobStatus.DEAD, 3)


def test_run_forever_survives_a_failing_round(uow, company):
    import threading
    worker = processor(uow, Scripted(), idle_sleep_seconds=0.001)
    rounds = []

    def run_once(effects=None):
        rounds.append(1)
        if len(rounds) == 1:
            raise RuntimeError("database away")
        stop.set()
        return 0

    worker.run_once = run_once
    stop = threading.Event()
    worker.run_forever(stop)
    assert len(rounds) == 2


def test_an_expired_lease_is_taken_over(uow, company):
    job = enqueue(uow, company)
    lease = timedelta(seconds=60)
    claimed = uow.outbox.claim("dead-worker", uow.clock.now(), uow.clock.now() + lease, 10)  # then it died
    assert claimed == [job]
    effect = Scripted()
    other = processor(uow, effect, name="w2", lease_seconds=60)
    assert other.run_once() == 0  # the lease still holds
    uow.clock.advance(seconds=61)
    assert other.run_once() == 1
    assert (job.status, job.worker, job.attempts) == (JobStatus.DONE, "w2", 2)
    # the first worker coming back cannot record an outcome any more
    assert uow.outbox.complete(job.id, "dead-worker", uow.clock.now()) is False
    assert uow.outbox.release(job.id, "dead-worker", "late", None) is False
    assert job.status is JobStatus.DONE


@pytest.mark.parametrize("batch", [1, 3])
def test_run_until_idle_performs_every_due_job(uow, company, batch):
    jobs = [enqueue(uow, company, key=f"k{i}") for i in range(5)]
    assert processor(uow, Scripted(), batch_size=batch).run_until_idle() == 5
    assert all(j.status is JobStatus.DONE for j in jobs)



def test_a_job_whose_lease_ran_out_before_its_turn_is_left_to_the_worker_that_took_it_over(uow, company):
    """A worker leases a batch and runs it in turn; if a job's lease expired meanwhile and another
    worker took it over, the first one must not run it too."""
    from datetime import timedelta

    from ogust.application.outbox import OutboxJob
    from ogust.application.worker import OutboxProcessor, WorkerSettings

    ran: list[str] = []

    def slow(job):
        ran.append(job.id)
        uow.clock.advance(seconds=120)  # longer than the lease

    settings = WorkerSettings(lease_seconds=60, batch_size=2)
    now = uow.clock.now()
    for key in ("a", "b"):
        uow.outbox.add(OutboxJob(company.id, "shop.transmit_client", key, {}, now, now))
    first = OutboxProcessor(uow, {"shop.transmit_client": slow}, settings, name="first")
    batch = uow.outbox.claim("first", now, now + timedelta(seconds=60), 2)
    assert len(batch) == 2
    first.perform(batch[0])  # meanwhile the lease of the second job ran out
    second = OutboxProcessor(uow, {"shop.transmit_client": lambda job: ran.append(f"second:{job.id}")},
                             settings, name="second")
    assert second.run_once() == 1  # another worker takes it over
    first.perform(batch[1])  # the first worker's turn comes: it skips the job
    assert ran == [batch[0].id, f"second:{batch[1].id}"]
    assert uow.outbox.get(batch[1].id).status.value == "done"
