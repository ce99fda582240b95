"""Export to the shop in batch, through its bulk endpoints (up to 500 records per call).

Records are read a page at a time, in name order (intervenants, then clients); a page's changed
records go in one bulk call, and what the shop said about each is written back in one
transaction — nothing holds every record, or a job per record, at once. Records the shop already
has exactly are not sent. When the shop cannot be reached, the page's records are queued as
single pushes in the outbox instead, which the workers retry with a backoff.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ogust.application.commands import ExportToShop
from ogust.application.handlers import UowFactory
from ogust.application.page_garbage import PageGarbage
from ogust.application.ports import BulkOutcome, BulkShopApi, ShopRejected, ShopUnavailable
from ogust.application.shop_sync_service import RecordReport
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.errors import ConcurrencyConflict
from ogust.domain.shop_sync import ShopSynced, SyncStatus

BULK_LIMIT = 500  # records per call, as the shop's contract allows


@dataclass(frozen=True)
class _Kind:
    name: str  # "intervenant" | "client"
    repository: str  # the unit of work's attribute
    bulk: str  # the BulkShopApi method


_KINDS = (_Kind("intervenant", "intervenants", "bulk_upsert_intervenants"),
          _Kind("client", "clients", "bulk_upsert_clients"))


@dataclass(frozen=True)
class _Sending:
    record_id: str
    label: str
    fields: dict[str, object]
    fingerprint: str


class ShopExport:
    def __init__(self, uow: UowFactory, shop: BulkShopApi, page_size: int = BULK_LIMIT) -> None:
        self.uow = uow
        self.shop = shop
        self.page_size = min(page_size, BULK_LIMIT)

    def __call__(self, cmd: ExportToShop, on_start: Callable[[int], None] | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 on_record: Callable[[RecordReport], None] | None = None) -> dict[str, int]:
        """Send what changed; report each record (``on_record``) as its page is done. Returns how
        many records ended in each outcome (sent, unchanged, failed)."""
        wanted = set(cmd.ids)
        kinds = [k for k in _KINDS if (cmd.intervenants if k.name == "intervenant" else cmd.clients)]
        with self.uow() as uow:
            account = uow.companies.get(cmd.company_id).require_shop()
            total = len(wanted) if wanted else sum(getattr(uow, k.repository).count(cmd.company_id) for k in kinds)
        if on_start:
            on_start(total)
        summary = {"sent": 0, "unchanged": 0, "failed": 0}
        garbage = PageGarbage()
        for kind in kinds:
            after: tuple[str, str, str] | None = None
            while True:
                with self.uow() as uow:
                    page = getattr(uow, kind.repository).page(cmd.company_id, after, self.page_size)
                    if not page:
                        break
                    last = page[-1]
                    after = (last.last_name, last.first_name, last.id)
                    chosen = [r for r in page if not wanted or r.id in wanted]
                    order = [(r.id, r.full_name) for r in chosen]
                    erased = {r.id for r in chosen if getattr(r, "is_erased", False)}  # the shop's copy is gone too
                    sending = [_Sending(r.id, r.full_name, r.shop_fields(), r.fingerprint)
                               for r in chosen if r.sync_status is not SyncStatus.IN_SYNC and r.id not in erased]
                del page, chosen
                reports = self._send(cmd.company_id, account, kind, sending) if sending else {}
                for record_id, label in order:
                    report = reports.get(record_id) or RecordReport(
                        kind.name, record_id, label, "unchanged",
                        "effacé (RGPD) : plus transmis à la boutique" if record_id in erased else None)
                    summary[report.outcome] = summary.get(report.outcome, 0) + 1
                    if on_record:
                        on_record(report)
                if on_progress:
                    on_progress(len(order))
                garbage.page_done()  # the page's objects are in reference cycles (see page_garbage)
        return summary

    def _send(self, company_id: str, account: str, kind: _Kind, sending: list[_Sending]) -> dict[str, RecordReport]:
        """One bulk call for the page, then its outcomes written in one transaction."""
        try:
            outcomes: Sequence[BulkOutcome] | str = getattr(self.shop, kind.bulk)(account, [s.fields for s in sending])
            if len(outcomes) != len(sending):
                outcomes = f"la boutique a répondu pour {len(outcomes)} fiches sur {len(sending)}"
            queue = False
        except ShopRejected as error:  # the whole call refused: every record fails with the reason
            outcomes, queue = f"refusé par la boutique : {error}", False
        except ShopUnavailable as error:  # try again later: single pushes, retried by the workers
            outcomes, queue = f"boutique injoignable : {error}", True
        for attempt in range(3):
            try:
                with self.uow() as uow:
                    records = {r.id: r for r in getattr(uow, kind.repository).get_many(
                        company_id, [s.record_id for s in sending])}
                    reports = {s.record_id: self._apply(uow, kind, records, s, outcomes, index, queue)
                               if s.record_id in records else
                               RecordReport(kind.name, s.record_id, s.label, "failed", "fiche supprimée entre-temps")
                               for index, s in enumerate(sending)}
                    uow.commit()
                return reports
            except ConcurrencyConflict:  # a record changed meanwhile: read it again and record again
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _apply(uow: UnitOfWork, kind: _Kind, records: dict, sent: _Sending, outcomes: Sequence[BulkOutcome] | str,
               index: int, queue: bool) -> RecordReport:
        record: ShopSynced = records[sent.record_id]
        base = (kind.name, sent.record_id, sent.label)
        if isinstance(outcomes, str):
            if queue:
                queued = record.request_sync() if kind.name == "intervenant" else record.request_transmission()
                record.mark_sync_failed(sent.fingerprint, outcomes)
                return RecordReport(*base, "failed", outcomes + (" (nouvel essai automatique prévu)" if queued else ""))
            record.mark_sync_failed(sent.fingerprint, outcomes)
            return RecordReport(*base, "failed", outcomes)
        outcome = outcomes[index]
        if not outcome.ok:
            record.mark_sync_failed(sent.fingerprint, f"refusé par la boutique : {outcome.reason}")
            return RecordReport(*base, "failed", outcome.reason)
        record.mark_synced(sent.fingerprint, uow.clock.now())
        if outcome.shop_client_id and hasattr(record, "link_shop_client"):
            record.link_shop_client(outcome.shop_client_id)
        return RecordReport(*base, "sent")
