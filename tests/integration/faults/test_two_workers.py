"""Two `ogust worker` processes on one outbox of 500 jobs: each effect is performed exactly once,
counted where it lands (the requests reaching the shop, and the shop's records)."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from ogust.application import commands as c
from ogust.application.handlers.shop_sync import ExportToShopHandler
from ogust.application.outbox import Effect, JobStatus
from ogust.domain.client import Client
from tests.integration.faults.office import ADDRESS, eventually

pytestmark = pytest.mark.integration

CLIENTS = 500


def test_two_worker_processes_perform_each_of_500_jobs_once(office) -> None:
    workers = [office.start_worker(), office.start_worker()]  # they start while the clients are made
    with office.container.uow() as uow:
        clients = [Client(office.company_id, "Client", f"N{n:03d}", f"client{n:03d}@example.fr", ADDRESS)
                   for n in range(CLIENTS)]
        for client in clients:
            uow.clients.add(client)
        uow.commit()
    ids = {client.id for client in clients}

    for worker in workers:
        worker.wait_started()
    # both are polling: queue the 500 transmissions at once (one transaction, as `ogust shop export`)
    started = time.monotonic()
    queued = ExportToShopHandler(office.container.uow)(c.ExportToShop(office.company_id, intervenants=False))
    assert len(queued) == CLIENTS and all(r.job_key for r in queued)

    def finished() -> bool:  # a cheap count (this folder's database has no other job to do)
        counts = office.container.queries().outbox_counts()
        return counts["pending"] + counts["processing"] == 0

    eventually(finished, timeout=60, every=0.2, what="the workers to empty the outbox")
    elapsed = time.monotonic() - started
    assert [worker.stop() for worker in workers] == [0, 0], [w.log[-2000:] for w in workers]

    jobs = office.jobs(Effect.TRANSMIT_CLIENT)
    assert len(jobs) == CLIENTS
    assert Counter(j.status for j in jobs) == {JobStatus.DONE: CLIENTS}
    assert Counter(j.attempts for j in jobs) == {1: CLIENTS}  # no job was ever held by two workers
    shares = Counter(j.worker for j in jobs)
    assert len(shares) == 2, f"both processes should have worked: {shares}"

    # at the shop: exactly one PUT per client, and one record each
    puts = Counter(s.path.rsplit("/", 1)[-1] for s in office.shop_proxy.seen
                   if s.method == "PUT" and "/clients/" in s.path)
    assert set(puts) == ids
    assert set(puts.values()) == {1}
    assert all(s.status == 200 for s in office.shop_proxy.seen if s.method == "PUT")
    records = office.shop.admin.account(office.shop_account)["clients"]
    assert sorted(r["ogust_id"] for r in records) == sorted(ids)

    # and each client knows its shop id
    with office.container.uow() as uow:
        stored = uow.clients.list(office.company_id)
    by_id = {r["ogust_id"]: r["shop_client_id"] for r in records}
    assert {client.id: client.shop_client_id for client in stored} == by_id
    print(f"\n{CLIENTS} jobs by 2 worker processes in {elapsed:.1f} s — shares {sorted(shares.values())}")
