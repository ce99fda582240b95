"""The outbox worker: lease due jobs, perform their effect, record the outcome.

Safe to run as several processes: a job is leased by a conditional update, so two workers never
hold it at once; a worker that dies leaves a lease that expires, and another takes the job over.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from ogust.application.effects import GiveUp, RetryLater
from ogust.application.handlers import UowFactory
from ogust.application.outbox import JobStatus, OutboxJob

log = logging.getLogger("ogust.worker")

EffectFn = Callable[[OutboxJob], None]


@dataclass(frozen=True)
class WorkerSettings:
    lease_seconds: float = 60.0
    batch_size: int = 10
    max_attempts: int = 16  # 5 s doubling, capped at 1 h: about 10 h of passing faults before the dead letter
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 3600.0
    idle_sleep_seconds: float = 0.5


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class OutboxProcessor:
    def __init__(self, uow: UowFactory, effects: Mapping[str, EffectFn],
                 settings: WorkerSettings | None = None, name: str | None = None) -> None:
        self.uow = uow
        self.effects = dict(effects)
        self.settings = settings or WorkerSettings()
        self.name = name or worker_name()

    def backoff(self, attempts: int) -> float:
        return min(self.settings.backoff_base_seconds * 2 ** max(attempts - 1, 0), self.settings.backoff_max_seconds)

    def run_once(self, effects: Iterable[str] | None = None) -> int:
        """Lease one batch of due jobs and perform them. Returns how many were performed."""
        with self.uow() as uow:
            now = uow.clock.now()
            jobs = uow.outbox.claim(self.name, now, now + timedelta(seconds=self.settings.lease_seconds),
                                    self.settings.batch_size, effects)
            uow.commit()
        for job in jobs:
            self._perform(job)
        return len(jobs)

    def perform(self, job: OutboxJob) -> None:
        """Perform a job this worker leased (``claim`` or ``claim_keys``) and record the outcome."""
        self._perform(job)

    def _renew(self, job: OutboxJob) -> bool:
        """A batch is leased at once and run in turn: renew each job's lease just before running it,
        and skip it when the lease ran out meanwhile (another worker may have taken it over)."""
        with self.uow() as uow:
            now = uow.clock.now()
            renewed = uow.outbox.renew(job.id, self.name, now, now + timedelta(seconds=self.settings.lease_seconds))
            uow.commit()
        if not renewed:
            log.warning("job %s (%s) skipped: its lease ran out before it started", job.id, job.effect)
        return renewed

    def _perform(self, job: OutboxJob) -> None:
        if not self._renew(job):
            return
        effect = self.effects.get(job.effect)
        try:
            if effect is None:
                raise GiveUp(f"aucun effet pour {job.effect}")
            effect(job)
        except GiveUp as error:
            log.warning("job %s (%s) dead: %s", job.id, job.effect, error)
            self._release(job, str(error), dead=True)
        except RetryLater as error:
            log.info("job %s (%s) will be retried: %s", job.id, job.effect, error)
            self._release(job, str(error), dead=job.attempts >= self.settings.max_attempts)
        except Exception as error:  # an unexpected fault must not kill the worker
            log.exception("job %s (%s) failed", job.id, job.effect)
            self._release(job, f"{type(error).__name__}: {error}", dead=job.attempts >= self.settings.max_attempts)
        else:
            with self.uow() as uow:
                uow.outbox.complete(job.id, self.name, uow.clock.now())
                uow.commit()

    def _release(self, job: OutboxJob, error: str, dead: bool) -> None:
        with self.uow() as uow:
            retry_at = None if dead else uow.clock.now() + timedelta(seconds=self.backoff(job.attempts))
            uow.outbox.release(job.id, self.name, error[:2000], retry_at)
            uow.commit()

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        """Perform due jobs until none is left (jobs waiting for a backoff are not due)."""
        performed = 0
        for _ in range(max_rounds):
            count = self.run_once()
            if count == 0:
                break
            performed += count
        return performed

    def run_forever(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.name)
        while not stop.is_set():
            try:
                count = self.run_once()
            except Exception:
                log.exception("worker round failed")
                count = 0
            if count == 0:
                stop.wait(self.settings.idle_sleep_seconds)
        log.info("worker %s stopped", self.name)

    def wait_for(self, keys: Iterable[str], company_id: str, timeout: float = 30.0,
                 on_progress: Callable[[int], None] | None = None) -> dict[str, OutboxJob]:
        """Work (and wait for other workers) until each keyed job was tried at least once."""
        remaining = {k for k in keys}
        finished: dict[str, OutboxJob] = {}
        deadline = time.monotonic() + timeout
        while remaining and time.monotonic() < deadline:
            performed = self.run_once()
            with self.uow() as uow:
                for key in list(remaining):
                    job = uow.outbox.by_key(company_id, key)
                    if job is None:
                        continue
                    tried = job.status in (JobStatus.DONE, JobStatus.DEAD) or (
                        job.status is JobStatus.PENDING and job.attempts > 0)
                    if tried:
                        finished[key] = job
                        remaining.discard(key)
                        if on_progress:
                            on_progress(1)
            if remaining and performed == 0:
                time.sleep(0.05)
        return finished
