"""Where an intervenant or a client stands with the shop, from fingerprints of what was sent."""
from __future__ import annotations

import pytest

from ogust.domain.address import Address
from ogust.domain.events import ClientTransmissionRequested, IntervenantSyncRequested
from ogust.domain.intervenant import ShopProfile
from ogust.domain.shop_sync import SyncStatus
from tests.unit.domain.builders import at, client, intervenant


def _change(record):
    if hasattr(record, "matricule"):
        record.update(profile=ShopProfile("Nouvelle présentation", ("svc_menage",)))
    else:
        record.update(address=Address("9 rue Basse", "75003", "Paris"))


def _request(record, force=False):
    if hasattr(record, "matricule"):
        return record.request_sync(force=force)
    return record.request_transmission(force=force)


@pytest.fixture(params=["intervenant", "client"])
def record(request):
    return intervenant() if request.param == "intervenant" else client()


def test_status_cycle(record):
    assert record.sync_status is SyncStatus.NEVER_SENT
    sent = record.fingerprint
    record.mark_synced(sent, at(2026, 11, 2))
    assert record.sync_status is SyncStatus.IN_SYNC
    _change(record)
    assert record.fingerprint != sent
    assert record.sync_status is SyncStatus.CHANGED
    record.mark_sync_failed(record.fingerprint, "refusé par la boutique : zone inconnue")
    assert record.sync_status is SyncStatus.FAILED
    assert record.sync_failure == "refusé par la boutique : zone inconnue"
    record.mark_synced(record.fingerprint, at(2026, 11, 3))
    assert record.sync_status is SyncStatus.IN_SYNC
    assert record.sync_failure is None and record.failed_fingerprint is None


def test_failure_of_an_older_version_does_not_hide_a_newer_success(record):
    old = record.fingerprint
    _change(record)
    record.mark_synced(record.fingerprint, at(2026, 11, 2))
    record.mark_sync_failed(old, "boutique injoignable")
    assert record.sync_status is SyncStatus.IN_SYNC


def test_success_of_an_older_version_does_not_clear_a_newer_failure(record):
    old = record.fingerprint
    _change(record)
    record.mark_sync_failed(record.fingerprint, "refusé")
    record.mark_synced(old, at(2026, 11, 2))
    assert record.sync_status is SyncStatus.FAILED


def test_never_sent_fails_then_succeeds(record):
    record.mark_sync_failed(record.fingerprint, "boutique injoignable")
    assert record.sync_status is SyncStatus.FAILED
    record.mark_synced(record.fingerprint, at(2026, 11, 2))
    assert record.sync_status is SyncStatus.IN_SYNC


def test_request_returns_false_when_in_sync_and_records_nothing(record):
    record.mark_synced(record.fingerprint, at(2026, 11, 2))
    assert _request(record) is False
    assert record.pull_events() == []


@pytest.mark.parametrize("state", ["never_sent", "changed", "failed"])
def test_request_records_one_event_with_the_fingerprint(record, state):
    if state != "never_sent":
        record.mark_synced(record.fingerprint, at(2026, 11, 2))
        _change(record)
    if state == "failed":
        record.mark_sync_failed(record.fingerprint, "refusé")
    assert _request(record) is True
    [event] = record.pull_events()
    assert isinstance(event, (IntervenantSyncRequested, ClientTransmissionRequested))
    assert event.fingerprint == record.fingerprint
    assert record.id in event.key


def test_forced_request_when_in_sync(record):
    record.mark_synced(record.fingerprint, at(2026, 11, 2))
    assert _request(record, force=True) is True
    assert len(record.pull_events()) == 1


def test_same_content_same_key_changed_content_new_key(record):
    _request(record)
    _request(record)
    first, second = record.pull_events()
    assert first.key == second.key
    _change(record)
    _request(record)
    [third] = record.pull_events()
    assert third.key != first.key


def test_forced_request_has_a_new_key_each_time(record):
    """A forced resend must not reuse the key of the job that already ran (the outbox would skip it)."""
    _request(record)
    [plain] = record.pull_events()
    record.mark_synced(record.fingerprint, at(2026, 11, 2))
    _request(record, force=True)
    _request(record, force=True)
    forced = record.pull_events()
    assert len({plain.key, *(e.key for e in forced)}) == 3


def test_resend_after_a_failure_has_a_new_key(record):
    """The job that failed is dead under its key: asking again must enqueue a new one."""
    _request(record)
    [first] = record.pull_events()
    record.mark_sync_failed(record.fingerprint, "refusé")
    _request(record)
    [again] = record.pull_events()
    assert again.key != first.key


def test_intervenant_fields_sent_include_sorted_skills():
    person = intervenant(profile=ShopProfile("Douce", ("svc_b", "svc_a"), ("75002",), ("repassage", "cuisine")))
    fields = person.shop_fields()
    assert fields["skills"] == ["cuisine", "repassage"] and fields["services"] == ["svc_a", "svc_b"]
    same_order_swapped = intervenant(id=person.id, profile=ShopProfile("Douce", ("svc_a", "svc_b"), ("75002",),
                                                                        ("cuisine", "repassage")))
    assert same_order_swapped.fingerprint == person.fingerprint


def test_content_sent_before_and_back_again_is_a_new_request(record):
    """A → B → A → B: each send after the first must get a job of its own."""
    keys = []
    first = record.fingerprint
    for step in range(4):
        _request(record)
        [event] = record.pull_events()
        keys.append(event.key)
        record.mark_synced(record.fingerprint, at(2026, 11, 2, 9, step))
        if step % 2 == 0:
            _change(record)
        else:
            _revert(record, first)
    assert len(set(keys)) == 4


def _revert(record, fingerprint):
    if hasattr(record, "matricule"):
        record.update(profile=ShopProfile("Douce", ("svc_menage",), ("75002",), ("repassage",)))
    else:
        from tests.unit.domain.builders import ADDRESS
        record.update(address=ADDRESS)
    assert record.fingerprint == fingerprint
