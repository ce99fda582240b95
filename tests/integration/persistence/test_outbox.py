"""The outbox on a real database: jobs written with the change, deduplicated by key, leased to one
worker at a time (even across processes), reclaimed when a lease expires, dead-lettered, retried.
Also the e-mail log and the inbox."""
from __future__ import annotations

import multiprocessing
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from ogust.adapters.persistence.database import make_engine, make_session_factory
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application.outbox import Effect, JobStatus, OutboxJob
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Quantity
from tests.fakes import FixedClock

from .conftest import World

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)


@pytest.fixture
def effect() -> str:
    """An effect name of this test only: claims filtered on it never see other tests' jobs."""
    return f"test.{uuid.uuid4().hex[:8]}"


def job(company_id: str, effect: str, key: str, at: datetime = NOW) -> OutboxJob:
    return OutboxJob(company_id=company_id, effect=effect, key=key, payload={"n": key, "nested": [1, "a"]},
                     created_at=at, available_at=at)


def enqueue(make_uow, *jobs: OutboxJob) -> None:
    with make_uow() as uow:
        for item in jobs:
            uow.outbox.add(item)
        uow.commit()


def claim(make_uow, worker: str, effect: str, now: datetime = NOW, limit: int = 10) -> list[OutboxJob]:
    with make_uow() as uow:
        jobs = uow.outbox.claim(worker, now, now + LEASE, limit, [effect])
        uow.commit()
    return jobs


def test_add_skips_a_job_whose_key_exists(world: World, make_uow, effect: str) -> None:
    enqueue(make_uow, job(world.company_id, effect, "k1"))
    enqueue(make_uow, job(world.company_id, effect, "k1"), job(world.company_id, effect, "k2"),
            job(world.company_id, effect, "k2"))
    with make_uow() as uow:
        keys = sorted(j.key for j in uow.outbox.list(world.company_id))
        stored = uow.outbox.by_key(world.company_id, "k1")
    assert keys == ["k1", "k2"]
    assert stored.payload == {"n": "k1", "nested": [1, "a"]}
    assert stored.status is JobStatus.PENDING and stored.created_at == NOW and stored.created_at.tzinfo


def test_committing_an_aggregate_writes_the_jobs_of_its_events(world: World, make_uow) -> None:
    invoice = Invoice(world.company_id, world.client.id, InvoiceSource.MANUAL, [
        InvoiceLine(world.tarif.id, "Ménage", Quantity.hours_minutes(60), Money(2500), VatRate.REDUCED_5_5)])
    with make_uow() as uow:
        uow.invoices.add(invoice)
        uow.commit()
    with make_uow() as uow:
        loaded = uow.invoices.get(world.company_id, invoice.id)
        loaded.validate(uow.sequences.next_number(world.company_id, "FA", 2026), date(2026, 11, 2), world.client)
        # not committed: no job
    with make_uow() as uow:
        assert uow.outbox.list(world.company_id) == []
        loaded = uow.invoices.get(world.company_id, invoice.id)
        loaded.validate(uow.sequences.next_number(world.company_id, "FA", 2026), date(2026, 11, 2), world.client)
        uow.commit()
    with make_uow() as uow:
        jobs = uow.outbox.list(world.company_id)
    assert sorted(j.effect for j in jobs) == sorted([Effect.PUBLISH_INVOICE.value, Effect.CHARGE_INVOICE.value,
                                                     Effect.MAIL_INVOICE_AVAILABLE.value])
    assert all(j.payload == {"invoice_id": invoice.id, "number": "FA-2026-000001"} for j in jobs)


def test_a_lease_is_held_by_one_worker_until_it_expires(world: World, make_uow, effect: str) -> None:
    enqueue(make_uow, job(world.company_id, effect, "lease"))
    [first] = claim(make_uow, "worker-a", effect)
    assert (first.status, first.worker, first.attempts, first.lease_until) == (
        JobStatus.PROCESSING, "worker-a", 1, NOW + LEASE)
    assert claim(make_uow, "worker-b", effect, NOW + LEASE / 2) == []
    [taken_over] = claim(make_uow, "worker-b", effect, NOW + 2 * LEASE)  # worker-a died
    assert (taken_over.id, taken_over.worker, taken_over.attempts) == (first.id, "worker-b", 2)
    with make_uow() as uow:
        assert uow.outbox.complete(first.id, "worker-a", NOW) is False  # not its lease any more
        assert uow.outbox.release(first.id, "worker-a", "late", None) is False
        assert uow.outbox.complete(first.id, "worker-b", NOW + 3 * LEASE) is True
        uow.commit()
    with make_uow() as uow:
        done = uow.outbox.get(first.id)
    assert (done.status, done.done_at, done.lease_until) == (JobStatus.DONE, NOW + 3 * LEASE, None)
    assert claim(make_uow, "worker-c", effect, NOW + 10 * LEASE) == []


def test_only_the_holder_renews_a_lease_and_only_before_it_expires(world: World, make_uow, effect: str) -> None:
    enqueue(make_uow, job(world.company_id, effect, "renew"))
    [held] = claim(make_uow, "worker-a", effect)
    with make_uow() as uow:
        assert uow.outbox.renew(held.id, "worker-b", NOW, NOW + 2 * LEASE) is False  # not its lease
        assert uow.outbox.renew(held.id, "worker-a", NOW + LEASE / 2, NOW + 2 * LEASE) is True
        uow.commit()
    assert claim(make_uow, "worker-b", effect, NOW + LEASE * 3 / 2) == []  # the renewed lease still holds
    with make_uow() as uow:
        assert uow.outbox.renew(held.id, "worker-a", NOW + 3 * LEASE, NOW + 4 * LEASE) is False  # ran out
        uow.commit()


def test_release_retries_later_or_dead_letters_and_retry_revives(world: World, make_uow, effect: str) -> None:
    enqueue(make_uow, job(world.company_id, effect, "flaky"))
    [leased] = claim(make_uow, "w", effect)
    later = NOW + timedelta(minutes=5)
    with make_uow() as uow:
        assert uow.outbox.release(leased.id, "w", "boutique indisponible", later) is True
        uow.commit()
    assert claim(make_uow, "w", effect, later - timedelta(seconds=1)) == []
    [again] = claim(make_uow, "w", effect, later)
    assert (again.attempts, again.last_error) == (2, "boutique indisponible")
    with make_uow() as uow:
        assert uow.outbox.release(again.id, "w", "adresse refusée", None) is True
        uow.commit()
    with make_uow() as uow:
        dead = uow.outbox.get(again.id)
        assert dead.status is JobStatus.DEAD and dead.last_error == "adresse refusée"
        assert [j.id for j in uow.outbox.list(world.company_id, JobStatus.DEAD)] == [again.id]
        assert uow.outbox.counts()["dead"] >= 1
    assert claim(make_uow, "w", effect, NOW + timedelta(days=30)) == []
    retry_at = NOW + timedelta(hours=1)
    with make_uow() as uow:
        assert uow.outbox.retry(again.id, retry_at) is True
        assert uow.outbox.retry("no-such-job", retry_at) is False
        uow.commit()
    [revived] = claim(make_uow, "w", effect, retry_at)
    assert (revived.id, revived.attempts) == (again.id, 1)  # a new series of attempts: not given up at once
    with make_uow() as uow:
        assert uow.outbox.retry(revived.id, retry_at) is False  # processing: not for an operator to reset


def test_counts_lists_every_status(make_uow) -> None:
    with make_uow() as uow:
        counts = uow.outbox.counts()
    assert set(counts) == {s.value for s in JobStatus}
    assert all(isinstance(n, int) and n >= 0 for n in counts.values())


def test_claim_takes_only_the_requested_effects_in_order(world: World, make_uow, effect: str) -> None:
    other = effect + ".other"
    enqueue(make_uow, *(job(world.company_id, effect, f"k{n}", NOW - timedelta(minutes=n)) for n in range(5)),
            job(world.company_id, other, "x"), job(world.company_id, effect, "future", NOW + timedelta(hours=1)))
    jobs = claim(make_uow, "w", effect, limit=3)
    assert [j.key for j in jobs] == ["k4", "k3", "k2"]  # the longest waiting first
    assert [j.key for j in claim(make_uow, "w", effect)] == ["k1", "k0"]


# ---------------------------------------------------------------- the race


def _claim_until_empty(url: str, effect: str, worker: str, start) -> list[str]:
    """A worker process: its own engine; claim small batches, complete them, until none is left.
    ``start`` (a barrier) lets the four begin together, so that a process started late on a loaded
    machine does not find the jobs all taken."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    clock = FixedClock(NOW)
    claimed: list[str] = []
    try:
        start.wait(60)
        while True:
            with SqlAlchemyUnitOfWork(factory, clock) as uow:
                jobs = uow.outbox.claim(worker, NOW, NOW + timedelta(hours=1), 5, [effect])
                uow.commit()
            if not jobs:
                return claimed
            claimed += [j.id for j in jobs]
            # the effects' work, outside any transaction: the other processes get the lock meanwhile (without
            # it, on a fast machine, one process could drain the 200 jobs while the others' SQLite busy
            # handlers slept — no race left to test)
            time.sleep(0.01)
            with SqlAlchemyUnitOfWork(factory, clock) as uow:
                for j in jobs:
                    assert uow.outbox.complete(j.id, worker, NOW)
                uow.commit()
    finally:
        engine.dispose()


def test_claim_race_between_processes_gives_each_job_once(world: World, make_uow, effect: str,
                                                          database_url: str) -> None:
    enqueue(make_uow, *(job(world.company_id, effect, f"race-{n}") for n in range(200)))
    context = multiprocessing.get_context("fork")
    with context.Manager() as manager, context.Pool(4) as pool:
        start = manager.Barrier(4)
        results = pool.starmap(_claim_until_empty, [(database_url, effect, f"proc-{n}", start) for n in range(4)])
    claimed = [job_id for ids in results for job_id in ids]
    assert len(claimed) == 200
    assert len(set(claimed)) == 200
    assert sum(1 for ids in results if ids) >= 2, "the race needs at least two workers that got jobs"
    with make_uow() as uow:
        jobs = [j for j in uow.outbox.list(world.company_id, limit=1000) if j.effect == effect]
    assert {j.status for j in jobs} == {JobStatus.DONE}
    assert {j.attempts for j in jobs} == {1}


# ---------------------------------------------------------------- e-mail log and inbox


def test_email_log_records_one_row_per_message_id(world: World, make_uow) -> None:
    message_id = f"<{uuid.uuid4()}@ogust.test>"
    with make_uow() as uow:
        assert uow.emails.status(message_id) is None
        uow.emails.record(world.company_id, message_id, "debit_confirmed", "a@example.fr", "pending", NOW)
        uow.commit()
    with make_uow() as uow:
        assert uow.emails.status(message_id) == "pending"
        uow.emails.record(world.company_id, message_id, "debit_confirmed", "a@example.fr", "sent",
                          NOW + timedelta(seconds=3))
        uow.commit()
    with make_uow() as uow:
        [row] = uow.emails.list(world.company_id)
    assert row["message_id"] == message_id
    assert (row["status"], row["at"], row["created_at"], row["error"]) == (
        "sent", NOW + timedelta(seconds=3), NOW, None)


def test_inbox_remembers_messages(make_uow) -> None:
    event_id = f"evt_{uuid.uuid4().hex}"
    with make_uow() as uow:
        assert not uow.inbox.seen("stripe", event_id)
        uow.inbox.add("stripe", event_id, NOW)
        uow.inbox.add("stripe", event_id, NOW)  # twice in a row: still one
        uow.commit()
    with make_uow() as uow:
        assert uow.inbox.seen("stripe", event_id)
        assert not uow.inbox.seen("shop", event_id)
