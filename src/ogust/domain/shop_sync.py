"""Where a record stands with the shop, derived from fingerprints of what was sent."""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from enum import Enum


class SyncStatus(Enum):
    NEVER_SENT = "never_sent"
    IN_SYNC = "in_sync"
    CHANGED = "changed"
    FAILED = "failed"


def fingerprint(payload: dict[str, object]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class ShopSynced:
    """Mixin for records sent to the shop. The host defines ``shop_fields()``."""

    synced_fingerprint: str | None
    synced_at: datetime | None
    sync_failure: str | None
    failed_fingerprint: str | None

    def shop_fields(self) -> dict[str, object]:
        raise NotImplementedError

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.shop_fields())

    @property
    def sync_status(self) -> SyncStatus:
        current = self.fingerprint
        if self.sync_failure and self.failed_fingerprint == current:
            return SyncStatus.FAILED
        if self.synced_fingerprint is None:
            return SyncStatus.NEVER_SENT
        return SyncStatus.IN_SYNC if self.synced_fingerprint == current else SyncStatus.CHANGED

    def sync_request_id(self, force: bool) -> str:
        """What tells this request's job apart from earlier ones for the same content. The same
        content asked twice between two sends is one job; but a job that already ran keeps its key,
        so content sent before and back again (A → B → A) is told apart by the last send, and a
        forced resend or a new try after a failure gets a fresh id."""
        if force or self.sync_status is SyncStatus.FAILED:
            return uuid.uuid4().hex
        if self.synced_at is None:
            return ""
        return "after-" + self.synced_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")

    def mark_synced(self, sent_fingerprint: str, at: datetime) -> None:
        self.synced_fingerprint = sent_fingerprint
        self.synced_at = at
        if self.failed_fingerprint == sent_fingerprint:
            self.sync_failure = None
            self.failed_fingerprint = None

    def mark_sync_failed(self, sent_fingerprint: str, reason: str) -> None:
        self.sync_failure = reason
        self.failed_fingerprint = sent_fingerprint
