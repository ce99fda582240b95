"""Pushes to the shop: the record keeps the outcome; invoices go after their client."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.application import commands as c
from ogust.application.effects import GiveUp, RetryLater
from ogust.application.effects.shop import PublishInvoiceEffect, SyncIntervenantEffect, TransmitClientEffect
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.handlers.invoicing import ManualInvoiceHandler, RecordPaymentHandler, ValidateInvoiceHandler
from ogust.application.handlers.people import CreateClientHandler
from ogust.application.handlers.shop_sync import SyncIntervenantHandler, TransmitClientHandler
from ogust.application.outbox import Effect, JobStatus
from ogust.application.ports import ShopRejected, ShopUnavailable
from ogust.domain.address import Address
from ogust.domain.errors import ConcurrencyConflict
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod
from ogust.domain.shop_sync import SyncStatus
from tests.fakes import FakeLinks


@pytest.fixture
def jean(uow, ready):
    return CreateClientHandler(uow)(c.CreateClient(ready.id, "Jean", "Dupont", "jean@example.fr",
                                                   Address("3 rue Haute", "75002", "Paris")))


def job_of(uow, request):
    return uow.outbox.by_key(uow.companies.list()[0].id, request.job_key)


def test_rejected_records_the_reason_and_the_job_dies(uow, ready, marie, shop, processor):
    request = SyncIntervenantHandler(uow)(c.SyncIntervenant(ready.id, marie.id))
    shop.fail_next.append(ShopRejected("zone 75002 inconnue"))
    processor.run_until_idle()
    job = job_of(uow, request)
    assert job.status is JobStatus.DEAD and "zone 75002 inconnue" in job.last_error
    assert marie.sync_status is SyncStatus.FAILED
    assert marie.sync_failure == "refusé par la boutique : zone 75002 inconnue"
    assert shop.intervenants == {}


def test_unavailable_retries_later_and_the_record_shows_the_failure(uow, ready, marie, shop, processor):
    request = SyncIntervenantHandler(uow)(c.SyncIntervenant(ready.id, marie.id))
    shop.fail_next.append(ShopUnavailable("timeout"))
    processor.run_until_idle()
    job = job_of(uow, request)
    assert job.status is JobStatus.PENDING and job.attempts == 1
    assert marie.sync_status is SyncStatus.FAILED and "injoignable" in marie.sync_failure
    uow.clock.current = job.available_at
    processor.run_until_idle()
    assert job.status is JobStatus.DONE
    assert marie.sync_status is SyncStatus.IN_SYNC and marie.sync_failure is None
    assert shop.intervenants[marie.id]["matricule"] == "M001"


def test_effects_raise_retry_later_or_give_up(uow, ready, marie, jean, shop):
    request = TransmitClientHandler(uow)(c.TransmitClient(ready.id, jean.id))
    job = job_of(uow, request)
    shop.fail_next.extend([ShopUnavailable("503"), ShopRejected("email déjà pris")])
    with pytest.raises(RetryLater):
        TransmitClientEffect(uow, shop)(job)
    with pytest.raises(GiveUp):
        TransmitClientEffect(uow, shop)(job)
    assert jean.sync_status is SyncStatus.FAILED and "email déjà pris" in jean.sync_failure
    TransmitClientEffect(uow, shop)(job)
    assert jean.sync_status is SyncStatus.IN_SYNC and jean.shop_client_id == f"shopcli_{jean.id[:8]}"


def test_a_record_changed_while_being_sent_stays_changed(uow, ready, marie, shop):
    request = SyncIntervenantHandler(uow)(c.SyncIntervenant(ready.id, marie.id))
    SyncIntervenantEffect(uow, shop)(job_of(uow, request))
    marie.update(phone="0600000000")
    assert marie.sync_status is SyncStatus.CHANGED


def served_by(marie) -> tuple[c.ManualInvoiceLine, ...]:
    return (c.ManualInvoiceLine("MEN", 60, date(2026, 10, 30), marie.id),)


def test_publishing_an_invoice_transmits_the_client_first(uow, ready, marie, jean, shop, processor):
    invoice = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, jean.id, served_by(marie)))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    processor.run_until_idle()
    assert shop.calls[:2] == ["upsert_client", "publish_document"]
    shop_client_id = f"shopcli_{jean.id[:8]}"
    document = shop.documents[(shop_client_id, invoice.id)]
    assert (document.kind, document.number, document.amount_ttc_cents, document.status,
            document.left_to_pay_cents) == ("invoice", "FA-2026-000001", 2750, "validated", 2750)
    assert document.download_url.endswith(invoice.id)
    assert jean.sync_status is SyncStatus.IN_SYNC and jean.shop_client_id == shop_client_id


def test_a_client_already_in_the_shop_is_not_sent_again(uow, ready, marie, jean, shop):
    TransmitClientEffect(uow, shop)(job_of(uow, TransmitClientHandler(uow)(c.TransmitClient(ready.id, jean.id))))
    invoice = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, jean.id, served_by(marie)))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    shop.calls.clear()
    job = uow.outbox.by_key(ready.id, f"{Effect.PUBLISH_INVOICE.value}|invoice:{invoice.id}:validated")
    PublishInvoiceEffect(uow, shop, FakeLinks())(job)
    assert shop.calls == ["publish_document"]


def test_publishing_fails_when_the_client_cannot_be_sent(uow, ready, marie, jean, shop):
    invoice = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, jean.id, served_by(marie)))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    job = uow.outbox.by_key(ready.id, f"{Effect.PUBLISH_INVOICE.value}|invoice:{invoice.id}:validated")
    shop.fail_next.append(ShopUnavailable("timeout"))
    with pytest.raises(RetryLater):
        PublishInvoiceEffect(uow, shop, FakeLinks())(job)
    assert shop.documents == {} and shop.calls == ["upsert_client"]
    shop.fail_next.append(ShopRejected("document invalide"))
    with pytest.raises(GiveUp):
        PublishInvoiceEffect(uow, shop, FakeLinks())(job)
    assert shop.documents == {}


def conflicting_commits(uow, times: int) -> list[int]:
    """The next ``times`` commits find the record changed by another process (a stale version)."""
    commit, refused = uow._commit, []

    def refuse() -> None:
        if len(refused) < times:
            refused.append(1)
            raise ConcurrencyConflict("Ces données viennent d'être modifiées par une autre opération : réessayez.")
        commit()

    uow._commit = refuse
    return refused


def test_a_client_sent_by_two_workers_at_once_is_noted_without_failing_the_publication(uow, ready, marie, jean,
                                                                                      shop):
    """Found by the race tests (two `ogust worker` processes on PostgreSQL): an invoice's two
    publications (validated, then paid) both send its client, and the second to note it in the
    client's record met the first's change and failed with a traceback, to be done again later."""
    invoice = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, jean.id, served_by(marie)))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    job = uow.outbox.by_key(ready.id, f"{Effect.PUBLISH_INVOICE.value}|invoice:{invoice.id}:validated")
    refused = conflicting_commits(uow, 1)
    PublishInvoiceEffect(uow, shop, FakeLinks())(job)
    assert refused == [1]
    assert shop.calls == ["upsert_client", "publish_document"]
    assert jean.sync_status is SyncStatus.IN_SYNC and jean.shop_client_id == f"shopcli_{jean.id[:8]}"


def test_a_record_that_keeps_changing_while_sent_is_sent_again_later(uow, ready, jean, shop):
    job = job_of(uow, TransmitClientHandler(uow)(c.TransmitClient(ready.id, jean.id)))
    conflicting_commits(uow, 2)
    with pytest.raises(RetryLater, match="modifiée par une autre opération"):
        TransmitClientEffect(uow, shop)(job)
    TransmitClientEffect(uow, shop)(job)
    assert jean.sync_status is SyncStatus.IN_SYNC


def test_what_is_left_to_pay_follows_credit_notes_and_payments_and_an_avoir_is_published_as_one(
        uow, ready, marie, jean, shop, processor):
    invoice = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, jean.id, served_by(marie)))
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    note = IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Intervention écourtée", Money(750)))
    processor.run_until_idle()
    shop_client_id = f"shopcli_{jean.id[:8]}"
    published = shop.documents[(shop_client_id, invoice.id)]
    assert (published.amount_ttc_cents, published.left_to_pay_cents, published.status) == (2750, 2000, "validated")
    avoir = shop.documents[(shop_client_id, note.id)]
    assert (avoir.kind, avoir.number, avoir.amount_ttc_cents, avoir.status, avoir.left_to_pay_cents) == (
        "credit_note", note.number, -750, "issued", None)

    RecordPaymentHandler(uow)(c.RecordPayment(ready.id, invoice.id, PaymentMethod.CESU, date(2026, 10, 30), "",
                                              Money(500)))
    processor.run_until_idle()
    assert shop.documents[(shop_client_id, invoice.id)].left_to_pay_cents == 1500
    RecordPaymentHandler(uow)(c.RecordPayment(ready.id, invoice.id, PaymentMethod.CHEQUE, date(2026, 10, 30)))
    processor.run_until_idle()
    published = shop.documents[(shop_client_id, invoice.id)]
    assert (published.status, published.left_to_pay_cents) == ("paid", 0)
