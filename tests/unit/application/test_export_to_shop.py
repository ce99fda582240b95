"""Sending to the shop, per record: sent / unchanged / failed with the reason; forced resends."""
from __future__ import annotations

import pytest

from ogust.application import commands as c
from ogust.application.handlers.people import CreateClientHandler
from ogust.application.handlers.shop_sync import ExportToShopHandler, SyncIntervenantHandler, TransmitClientHandler
from ogust.application.ports import ShopRejected, ShopUnavailable
from ogust.application.shop_sync_service import ShopSyncService
from ogust.domain.address import Address
from ogust.domain.errors import NotFound, ShopNotLinked
from ogust.domain.intervenant import ShopProfile
from tests.unit.application.conftest import contents


@pytest.fixture
def service(uow, processor):
    return ShopSyncService(SyncIntervenantHandler(uow), TransmitClientHandler(uow), ExportToShopHandler(uow),
                           processor)


@pytest.fixture
def jean(uow, ready):
    return CreateClientHandler(uow)(c.CreateClient(ready.id, "Jean", "Dupont", "jean@example.fr",
                                                   Address("3 rue Haute", "75002", "Paris")))


def outcomes(reports):
    return {(r.kind, r.label): (r.outcome, r.reason) for r in reports}


def test_export_reports_sent_then_unchanged(uow, ready, marie, jean, shop, service):
    first = service.export(c.ExportToShop(ready.id), timeout=2)
    assert outcomes(first) == {("intervenant", "Marie Curie"): ("sent", None),
                               ("client", "Jean Dupont"): ("sent", None)}
    assert set(shop.intervenants) == {marie.id} and set(shop.clients) == {jean.id}
    second = service.export(c.ExportToShop(ready.id), timeout=2)
    assert {r.outcome for r in second} == {"unchanged"}
    assert len(shop.calls) == 2


def test_export_reports_a_failure_with_its_reason(uow, ready, marie, ada, shop, service):
    shop.fail_next.append(ShopRejected("zone inconnue"))
    reports = outcomes(service.export(c.ExportToShop(ready.id, clients=False), timeout=2))
    assert sorted(r[0] for r in reports.values()) == ["failed", "sent"]
    [(outcome, reason)] = [v for v in reports.values() if v[0] == "failed"]
    assert "zone inconnue" in reason


def test_an_unavailable_shop_is_reported_with_the_automatic_retry(uow, ready, marie, shop, service):
    shop.fail_next.append(ShopUnavailable("timeout"))
    [report] = service.export(c.ExportToShop(ready.id), timeout=2)
    assert report.outcome == "failed" and "timeout" in report.reason and "nouvel essai" in report.reason


def test_only_changed_records_are_sent_and_ids_select(uow, ready, marie, ada, jean, shop, service):
    service.export(c.ExportToShop(ready.id), timeout=2)
    marie.update(profile=ShopProfile("Nouvelle", ("svc_menage",)))
    reports = outcomes(service.export(c.ExportToShop(ready.id), timeout=2))
    assert reports[("intervenant", "Marie Curie")] == ("sent", None)
    assert reports[("intervenant", "Ada Lovelace")] == ("unchanged", None)
    assert shop.intervenants[marie.id]["presentation"] == "Nouvelle"
    only = service.export(c.ExportToShop(ready.id, ids=(jean.id,)), timeout=2)
    assert [(r.kind, r.outcome) for r in only] == [("client", "unchanged")]


def test_forced_resend_really_sends_again(uow, ready, marie, shop, service):
    assert service.sync_intervenant(c.SyncIntervenant(ready.id, marie.id), timeout=2).outcome == "sent"
    assert service.sync_intervenant(c.SyncIntervenant(ready.id, marie.id), timeout=2).outcome == "unchanged"
    shop.intervenants.clear()  # the shop lost it
    report = service.sync_intervenant(c.SyncIntervenant(ready.id, marie.id, force=True), timeout=2)
    assert report.outcome == "sent"
    assert marie.id in shop.intervenants
    assert shop.calls == ["upsert_intervenant", "upsert_intervenant"]


def test_resend_after_a_refusal_really_tries_again(uow, ready, jean, shop, service):
    shop.fail_next.append(ShopRejected("email refusé"))
    assert service.transmit_client(c.TransmitClient(ready.id, jean.id), timeout=2).outcome == "failed"
    report = service.transmit_client(c.TransmitClient(ready.id, jean.id), timeout=2)  # the shop was fixed
    assert (report.outcome, report.reason) == ("sent", None)
    assert jean.id in shop.clients and jean.sync_failure is None


def test_asking_twice_before_the_worker_runs_queues_one_job(uow, ready, marie):
    handler = SyncIntervenantHandler(uow)
    first = handler(c.SyncIntervenant(ready.id, marie.id))
    second = handler(c.SyncIntervenant(ready.id, marie.id))
    assert first.job_key == second.job_key and len(uow.outbox.jobs) == 1


def test_refusals_queue_nothing(uow, company, ready, marie, jean):
    before = contents(uow)
    with pytest.raises(NotFound):
        SyncIntervenantHandler(uow)(c.SyncIntervenant(ready.id, "nobody"))
    ready.shop_account_id = None
    with pytest.raises(ShopNotLinked):
        TransmitClientHandler(uow)(c.TransmitClient(ready.id, jean.id))
    with pytest.raises(ShopNotLinked):
        ExportToShopHandler(uow)(c.ExportToShop(ready.id))
    assert contents(uow) == before


def test_going_back_to_a_value_sent_before_reaches_the_shop(uow, ready, marie, shop, service):
    sync = c.SyncIntervenant(ready.id, marie.id)
    original = marie.profile
    assert service.sync_intervenant(sync, timeout=2).outcome == "sent"
    marie.update(profile=ShopProfile("Douce", ("svc_menage",), ("75002",), ("repassage", "aide aux devoirs")))
    assert service.sync_intervenant(sync, timeout=2).outcome == "sent"
    marie.update(profile=original)
    assert service.sync_intervenant(sync, timeout=2).outcome == "sent"
    assert shop.intervenants[marie.id]["skills"] == ["repassage"]
    assert shop.calls == ["upsert_intervenant"] * 3
