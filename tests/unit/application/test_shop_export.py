"""Export to the shop through its bulk endpoints, a page at a time: only what changed is sent, each
record is reported, refusals are kept on the record, an unreachable shop leaves outbox jobs."""
from __future__ import annotations

import pytest

from ogust.application import commands as c
from ogust.application.handlers.setup import LinkShopAccountHandler
from ogust.application.handlers.shop_sync import ExportToShopHandler, SyncIntervenantHandler, TransmitClientHandler
from ogust.application.outbox import Effect
from ogust.application.shop_export import ShopExport
from ogust.application.shop_sync_service import ShopSyncService
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.errors import ShopNotLinked
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.shop_sync import SyncStatus
from tests.fakes import ShopUnavailable

HOME = Address("3 rue Haute", "75002", "Paris")


@pytest.fixture
def linked(uow, company, shop):
    LinkShopAccountHandler(uow, shop)(c.LinkShopAccount(company.id, "acc_demo", "s" * 32))
    return company


def people(uow, company, clients: int, intervenants: int = 0) -> tuple[list[Client], list[Intervenant]]:
    made_clients = [Client(company.id, f"Prénom{n}", f"Nom{n:04d}", f"c{n}@example.fr", HOME) for n in range(clients)]
    made_intervenants = [Intervenant(company.id, f"I{n}", f"Inter{n:03d}", f"M{n:03d}",
                                     profile=ShopProfile("", ("svc_menage",), (), ())) for n in range(intervenants)]
    for record in (*made_clients, *made_intervenants):
        uow.clients.add(record) if isinstance(record, Client) else uow.intervenants.add(record)
    return made_clients, made_intervenants


def export(uow, shop, company, page_size=500, **options):
    reports, progress, totals = [], [], []
    summary = ShopExport(uow, shop, page_size)(c.ExportToShop(company.id, **options), totals.append, progress.append,
                                               reports.append)
    return summary, reports, progress, totals


def test_sends_what_changed_in_bulk_and_reports_each_record_in_name_order(uow, linked, shop):
    clients, intervenants = people(uow, linked, 7, 3)
    summary, reports, progress, totals = export(uow, shop, linked, page_size=3)
    assert summary == {"sent": 10, "unchanged": 0, "failed": 0}
    assert [r.label for r in reports] == [i.full_name for i in intervenants] + [c.full_name for c in clients]
    assert [(r.kind, r.outcome) for r in reports] == [("intervenant", "sent")] * 3 + [("client", "sent")] * 7
    assert shop.calls == ["bulk_upsert_intervenants"] + ["bulk_upsert_clients"] * 3  # pages of 3: 3+3+1
    assert totals == [10] and sum(progress) == 10
    assert set(shop.clients) == {c.id for c in clients}
    assert all(c.sync_status is SyncStatus.IN_SYNC and c.shop_client_id == f"shopcli_{c.id[:8]}" for c in clients)
    assert uow.outbox.jobs == {}  # nothing left for the workers

    clients[4].update(phone="06 11 22 33 44")
    shop.calls.clear()
    summary, reports, _, _ = export(uow, shop, linked, page_size=3)
    assert summary == {"sent": 1, "unchanged": 9, "failed": 0}
    assert [r.record_id for r in reports if r.outcome == "sent"] == [clients[4].id]
    assert shop.calls == ["bulk_upsert_clients"]  # only the page that had a change
    assert shop.clients[clients[4].id]["phone"] == "06 11 22 33 44"


def test_a_refused_record_keeps_the_reason_and_goes_again_next_time(uow, linked, shop):
    clients, _ = people(uow, linked, 3)
    shop.refuse[clients[1].id] = "Services inconnus de la boutique : svc_jardinage."
    summary, reports, _, _ = export(uow, shop, linked)
    assert summary == {"sent": 2, "unchanged": 0, "failed": 1}
    failed = [r for r in reports if r.outcome == "failed"]
    assert [(r.record_id, r.reason) for r in failed] == [
        (clients[1].id, "Services inconnus de la boutique : svc_jardinage.")]
    assert clients[1].sync_status is SyncStatus.FAILED
    assert clients[1].sync_failure == "refusé par la boutique : Services inconnus de la boutique : svc_jardinage."
    summary, _, _, _ = export(uow, shop, linked)
    assert summary == {"sent": 0, "unchanged": 2, "failed": 1}
    del shop.refuse[clients[1].id]
    summary, _, _, _ = export(uow, shop, linked)
    assert summary == {"sent": 1, "unchanged": 2, "failed": 0}
    assert clients[1].sync_status is SyncStatus.IN_SYNC and clients[1].sync_failure is None


def test_an_unreachable_shop_leaves_single_pushes_to_the_workers(uow, linked, shop, processor):
    clients, intervenants = people(uow, linked, 2, 1)
    shop.fail_next = [ShopUnavailable("HTTP 503"), ShopUnavailable("HTTP 503")]
    summary, reports, _, _ = export(uow, shop, linked)
    assert summary == {"sent": 0, "unchanged": 0, "failed": 3}
    assert {r.reason for r in reports} == {"boutique injoignable : HTTP 503 (nouvel essai automatique prévu)"}
    assert sorted(j.effect for j in uow.outbox.jobs.values()) == [Effect.SYNC_INTERVENANT.value] + [
        Effect.TRANSMIT_CLIENT.value] * 2
    processor.run_until_idle()  # the shop is back: the workers push them one by one
    assert set(shop.clients) == {c.id for c in clients} and set(shop.intervenants) == {intervenants[0].id}
    summary, _, _, _ = export(uow, shop, linked)
    assert summary == {"sent": 0, "unchanged": 3, "failed": 0}


def test_chosen_records_only_and_a_linked_shop_is_required(uow, company, shop):
    clients, intervenants = people(uow, company, 4, 2)
    with pytest.raises(ShopNotLinked):
        export(uow, shop, company)
    LinkShopAccountHandler(uow, shop)(c.LinkShopAccount(company.id, "acc_demo", "s" * 32))
    summary, reports, _, totals = export(uow, shop, company, ids=(clients[2].id, intervenants[1].id))
    assert summary == {"sent": 2, "unchanged": 0, "failed": 0} and totals == [2]
    assert [r.record_id for r in reports] == [intervenants[1].id, clients[2].id]
    summary, reports, _, _ = export(uow, shop, company, intervenants=False)
    assert [r.kind for r in reports] == ["client"] * 4 and summary == {"sent": 3, "unchanged": 1, "failed": 0}


def test_the_sync_service_uses_the_bulk_export_when_given_one(uow, linked, shop, processor):
    clients, _ = people(uow, linked, 2)
    service = ShopSyncService(SyncIntervenantHandler(uow), TransmitClientHandler(uow), ExportToShopHandler(uow),
                              processor, ShopExport(uow, shop))
    reports = service.export(c.ExportToShop(linked.id))
    assert [r.outcome for r in reports] == ["sent", "sent"] and shop.calls == ["bulk_upsert_clients"]
