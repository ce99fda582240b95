"""The outbox as an operator reads it after an outage (ogust outbox list / retry): the most recent
first, in French, what is tried again when, what was given up and how to resume it — one by one or
all at once."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from ogust.application.outbox import JobStatus, OutboxJob
from ogust.entrypoints.cli import ops_commands
from ogust.entrypoints.cli.base import Cli

pytestmark = pytest.mark.integration


def jobs(api, *statuses: JobStatus) -> list[str]:
    with api.container.uow() as uow:
        now = uow.clock.now()
        made = []
        for n, status in enumerate(statuses):
            job = OutboxJob(api.company_id, "shop.publish_invoice", f"shop.publish_invoice|test:{n}",
                            {"invoice_id": api.invoice_id}, now - timedelta(minutes=len(statuses) - n),
                            now + timedelta(minutes=30), status=status, attempts=3,
                            last_error="boutique injoignable")
            uow.outbox.add(job)
            made.append(job.id)
        uow.commit()
    return made


def test_the_list_is_newest_first_and_says_what_happens_next(offline_api):
    older, newer = jobs(offline_api, JobStatus.PENDING, JobStatus.DEAD)
    cli = Cli(_container=offline_api.container)
    shown = CliRunner().invoke(ops_commands.outbox, ["list"], obj=cli)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].startswith(newer) and f"abandonné : « ogust outbox retry {newer} »" in lines[0]
    assert lines[1].startswith(older) and "nouvel essai le " in lines[1] and "boutique injoignable" in lines[1]
    assert lines[-1] == "Bilan : en attente 1, en cours 0, fait 0, en échec 1"
    one = CliRunner().invoke(ops_commands.outbox, ["list", "--limit", "1"], obj=cli)
    assert one.output.startswith(newer)  # past the limit, the oldest are left out, not today's failures


def test_every_dead_effect_retried_at_once_for_a_new_series_of_attempts(offline_api):
    dead = jobs(offline_api, JobStatus.DEAD, JobStatus.DEAD, JobStatus.DONE)[:2]
    cli = Cli(_container=offline_api.container, queue_only=True)
    both = CliRunner().invoke(ops_commands.outbox, ["retry"], obj=cli)
    assert both.exit_code == 2 and "Donnez l'id d'un effet, ou --all-dead" in both.output
    retried = CliRunner().invoke(ops_commands.outbox, ["retry", "--all-dead"], obj=cli)
    assert retried.exit_code == 0 and "2 effet(s) abandonné(s) remis en file." in retried.output, retried.output
    with offline_api.container.uow() as uow:
        again = [uow.outbox.get(job_id) for job_id in dead]
    assert [(j.status, j.attempts) for j in again] == [(JobStatus.PENDING, 0)] * 2
    assert all(j.available_at <= datetime.now(j.available_at.tzinfo) for j in again)


def test_every_dead_effect_retried_through_the_api(offline_api, http):
    dead = jobs(offline_api, JobStatus.DEAD)
    response = http.post("/api/outbox/retry-dead")
    assert response.status_code == 200, response.text
    assert [(j["id"], j["status"], j["attempts"]) for j in response.json()] == [(dead[0], "pending", 0)]
    assert http.post("/api/outbox/retry-dead").json() == []
