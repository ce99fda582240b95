"""Send records to the shop and report, per record: sent / unchanged / failed with the reason."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ogust.application.commands import ExportToShop, SyncIntervenant, TransmitClient
from ogust.application.handlers.shop_sync import (
    ExportToShopHandler,
    SyncIntervenantHandler,
    SyncRequest,
    TransmitClientHandler,
)
from ogust.application.outbox import JobStatus, OutboxJob
from ogust.application.worker import OutboxProcessor

if TYPE_CHECKING:
    from ogust.application.shop_export import ShopExport


@dataclass(frozen=True)
class RecordReport:
    kind: str
    record_id: str
    label: str
    outcome: str  # "sent" | "unchanged" | "failed" | "queued"
    reason: str | None = None


def _report(request: SyncRequest, job: OutboxJob | None) -> RecordReport:
    base = (request.kind, request.record_id, request.label)
    if request.job_key is None:
        return RecordReport(*base, "unchanged")
    if job is None:
        return RecordReport(*base, "queued", "toujours en file d'attente")
    if job.status is JobStatus.DONE:
        return RecordReport(*base, "sent")
    if job.status is JobStatus.DEAD:
        return RecordReport(*base, "failed", job.last_error)
    return RecordReport(*base, "failed", f"{job.last_error} (nouvel essai automatique prévu)")


class ShopSyncService:
    def __init__(self, sync_intervenant: SyncIntervenantHandler, transmit_client: TransmitClientHandler,
                 export: ExportToShopHandler, processor: OutboxProcessor,
                 bulk_export: ShopExport | None = None) -> None:
        """With ``bulk_export``, a batch goes through the shop's bulk endpoints (application/shop_export.py);
        without it, one outbox job per changed record."""
        self.sync_intervenant_handler = sync_intervenant
        self.transmit_client_handler = transmit_client
        self.export_handler = export
        self.processor = processor
        self.bulk_export = bulk_export

    def sync_intervenant(self, cmd: SyncIntervenant, timeout: float = 30.0) -> RecordReport:
        return self._run(cmd.company_id, [self.sync_intervenant_handler(cmd)], timeout, None)[0]

    def transmit_client(self, cmd: TransmitClient, timeout: float = 30.0) -> RecordReport:
        return self._run(cmd.company_id, [self.transmit_client_handler(cmd)], timeout, None)[0]

    def export(self, cmd: ExportToShop, on_start: Callable[[int], None] | None = None,
               on_progress: Callable[[int], None] | None = None, timeout: float = 600.0) -> list[RecordReport]:
        if self.bulk_export is not None:
            reports: list[RecordReport] = []
            self.bulk_export(cmd, on_start, on_progress, reports.append)
            return reports
        requests = self.export_handler(cmd)
        if on_start:
            on_start(len(requests))
        if on_progress:
            on_progress(sum(1 for r in requests if r.job_key is None))
        return self._run(cmd.company_id, requests, timeout, on_progress)

    def _run(self, company_id: str, requests: list[SyncRequest], timeout: float,
             on_progress: Callable[[int], None] | None) -> list[RecordReport]:
        keys = [r.job_key for r in requests if r.job_key]
        jobs = self.processor.wait_for(keys, company_id, timeout, on_progress) if keys else {}
        return [_report(r, jobs.get(r.job_key) if r.job_key else None) for r in requests]
