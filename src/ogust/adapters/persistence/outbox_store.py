"""The outbox table: jobs written with the change, leased to workers by a conditional UPDATE.

A job is claimable when it is pending and due, or when its worker's lease expired. Claiming
re-checks that condition in the ``UPDATE … WHERE id = :id AND <claimable>`` itself and keeps the
job only when exactly one row changed, so two workers never hold the same job, on SQLite as on
PostgreSQL (where candidates are also picked with ``FOR UPDATE SKIP LOCKED``). Every method runs
in the unit of work's transaction: the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from ogust.adapters.persistence.statements import insert_unless_exists
from ogust.adapters.persistence.tables import outbox_jobs as jobs
from ogust.application.outbox import JobStatus, OutboxJob

_FIELDS = ("id", "company_id", "effect", "key", "payload", "status", "attempts", "created_at", "available_at",
           "lease_until", "worker", "last_error", "done_at")


def _job(row: Row) -> OutboxJob:
    return OutboxJob(**{name: getattr(row, name) for name in _FIELDS})


def _claimable(now: datetime, early: bool = False) -> Any:
    due = and_(jobs.c.status == JobStatus.PENDING,
               or_(jobs.c.available_at <= now, jobs.c.attempts == 0) if early else jobs.c.available_at <= now)
    lease_expired = and_(jobs.c.status == JobStatus.PROCESSING, jobs.c.lease_until < now)
    return or_(due, lease_expired)


class SqlAlchemyOutboxStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: OutboxJob) -> None:
        """Enqueue, unless the company already has a job with this key (the unique constraint decides)."""
        insert_unless_exists(self.session, jobs, ("company_id", "key"), {name: getattr(job, name) for name in _FIELDS})

    def claim(self, worker: str, now: datetime, lease_until: datetime, limit: int,
              effects: Iterable[str] | None = None) -> list[OutboxJob]:
        candidates = select(jobs.c.id).where(_claimable(now))
        if effects is not None:
            candidates = candidates.where(jobs.c.effect.in_(list(effects)))
        candidates = candidates.order_by(jobs.c.available_at, jobs.c.created_at, jobs.c.id).limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = [job_id for job_id in self.session.scalars(candidates)
                   if self._lease(job_id, worker, now, lease_until)]
        if not claimed:
            return []
        rows = self.session.execute(select(jobs).where(jobs.c.id.in_(claimed)).order_by(jobs.c.available_at, jobs.c.id))
        return [_job(row) for row in rows]

    def claim_keys(self, worker: str, now: datetime, lease_until: datetime, company_id: str,
                   keys: Iterable[str], early: bool = False) -> list[OutboxJob]:
        """Lease the company's claimable jobs among ``keys`` (same guarantee as ``claim``); ``early``:
        those never tried yet, held back until later, too."""
        wanted = list(keys)
        if not wanted:
            return []
        candidates = select(jobs.c.id).where(jobs.c.company_id == company_id, jobs.c.key.in_(wanted),
                                             _claimable(now, early))
        if self.session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        claimed = [job_id for job_id in self.session.scalars(candidates)
                   if self._lease(job_id, worker, now, lease_until, early)]
        if not claimed:
            return []
        rows = self.session.execute(select(jobs).where(jobs.c.id.in_(claimed)).order_by(jobs.c.available_at, jobs.c.id))
        return [_job(row) for row in rows]

    def _lease(self, job_id: str, worker: str, now: datetime, lease_until: datetime, early: bool = False) -> bool:
        result = self.session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, _claimable(now, early))
            .values(status=JobStatus.PROCESSING, worker=worker, lease_until=lease_until, attempts=jobs.c.attempts + 1)
        )
        return result.rowcount == 1

    def renew(self, job_id: str, worker: str, now: datetime, lease_until: datetime) -> bool:
        """Extend a lease this worker still holds (not expired, not taken over)."""
        result = self.session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.worker == worker, jobs.c.status == JobStatus.PROCESSING,
                   jobs.c.lease_until >= now)
            .values(lease_until=lease_until)
        )
        return result.rowcount == 1

    def complete(self, job_id: str, worker: str, now: datetime) -> bool:
        return self._finish(job_id, worker, status=JobStatus.DONE, done_at=now, lease_until=None)

    def release(self, job_id: str, worker: str, error: str, retry_at: datetime | None) -> bool:
        """Back to pending at ``retry_at``, or dead when it is None."""
        if retry_at is None:
            return self._finish(job_id, worker, status=JobStatus.DEAD, last_error=error, lease_until=None)
        return self._finish(job_id, worker, status=JobStatus.PENDING, available_at=retry_at, last_error=error,
                            lease_until=None)

    def _finish(self, job_id: str, worker: str, **values: Any) -> bool:
        """Only the worker that holds the lease may record the outcome."""
        result = self.session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.worker == worker, jobs.c.status == JobStatus.PROCESSING)
            .values(**values)
        )
        return result.rowcount == 1

    def get(self, job_id: str) -> OutboxJob | None:
        row = self.session.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return _job(row) if row else None

    def by_key(self, company_id: str, key: str) -> OutboxJob | None:
        row = self.session.execute(select(jobs).where(jobs.c.company_id == company_id, jobs.c.key == key)).first()
        return _job(row) if row else None

    def list(self, company_id: str | None = None, status: JobStatus | None = None, limit: int = 200) -> list[OutboxJob]:
        """Newest first: past the limit, what is left out is the oldest, not today's failures."""
        statement = select(jobs).order_by(jobs.c.created_at.desc(), jobs.c.id.desc()).limit(limit)
        if company_id is not None:
            statement = statement.where(jobs.c.company_id == company_id)
        if status is not None:
            statement = statement.where(jobs.c.status == status)
        return [_job(row) for row in self.session.execute(statement)]

    def retry(self, job_id: str, now: datetime) -> bool:
        """A dead (or pending) job back to pending, due now, for a new series of attempts (its count
        starts again: kept, one more failure would give it up at once)."""
        result = self.session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status.in_([JobStatus.DEAD, JobStatus.PENDING]))
            .values(status=JobStatus.PENDING, available_at=now, lease_until=None, attempts=0)
        )
        return result.rowcount == 1

    def counts(self, company_id: str | None = None) -> dict[str, int]:
        """Jobs per status (of one company when given), every status present (0 when none)."""
        counts = {status.value: 0 for status in JobStatus}
        statement = select(jobs.c.status, func.count()).group_by(jobs.c.status)
        if company_id is not None:
            statement = statement.where(jobs.c.company_id == company_id)
        for status, count in self.session.execute(statement):
            counts[status.value] = count
        return counts
