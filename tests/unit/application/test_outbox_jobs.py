"""Events become outbox jobs: exactly the mapped effects, once per event key."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ogust.application.outbox import EFFECTS, Effect, JobStatus, job_key, jobs_for
from ogust.domain import events as ev
from ogust.domain.events import Event

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)

SAMPLES = [
    ev.IntervenantSyncRequested("co", "int-1", "fp"),
    ev.ClientTransmissionRequested("co", "cli-1", "fp"),
    ev.OrderAccepted("co", "dev-1", "ord-1"),
    ev.InvoiceValidated("co", "inv-1", "FA-2026-000001"),
    ev.InvoicePaymentRetryRequested("co", "inv-1", 2),
    ev.InvoicePaid("co", "inv-1", "pi_1"),
    ev.InvoicePaymentFailed("co", "inv-1", 1, "refusée"),
    ev.InvoicePaymentNeedsAuthentication("co", "inv-1", 1),
    ev.AttestationValidated("co", "att-1", "AF-2026-000001"),
    ev.CreditNoteIssued("co", "av-1", "AV-2026-000001", "inv-1"),
    ev.ClientErased("co", "cli-1", "pm_1", "shop_cli_1", True),
]


def test_every_event_kind_has_a_mapping():
    """An event without a mapping would make every commit that raises it fail (KeyError)."""
    kinds = {k for k in vars(ev).values() if isinstance(k, type) and issubclass(k, Event) and k is not Event}
    assert kinds - set(EFFECTS) == set()


@pytest.mark.parametrize("event,effects", [
    (SAMPLES[0], [Effect.SYNC_INTERVENANT]),
    (SAMPLES[1], [Effect.TRANSMIT_CLIENT]),
    (SAMPLES[2], []),
    (SAMPLES[3], [Effect.PUBLISH_INVOICE, Effect.CHARGE_INVOICE, Effect.MAIL_INVOICE_AVAILABLE]),
    (SAMPLES[4], [Effect.CHARGE_INVOICE]),
    (SAMPLES[5], [Effect.MAIL_DEBIT_CONFIRMED, Effect.PUBLISH_INVOICE]),
    (SAMPLES[6], [Effect.MAIL_DEBIT_FAILED, Effect.PUBLISH_INVOICE]),
    (SAMPLES[7], [Effect.MAIL_AUTHENTICATION_NEEDED, Effect.PUBLISH_INVOICE]),
    (SAMPLES[8], [Effect.PUBLISH_ATTESTATION, Effect.MAIL_ATTESTATION_AVAILABLE]),
    (SAMPLES[9], [Effect.PUBLISH_CREDIT_NOTE, Effect.MAIL_CREDIT_NOTE_AVAILABLE]),
    (SAMPLES[10], [Effect.DETACH_PAYMENT_METHOD, Effect.SHOP_ERASE_CLIENT]),
], ids=lambda v: type(v).__name__ if isinstance(v, Event) else "")
def test_an_event_enqueues_exactly_its_effects(event, effects):
    jobs = jobs_for(event, NOW)
    assert [j.effect for j in jobs] == [e.value for e in effects]
    for job in jobs:
        assert job.company_id == "co" and job.status is JobStatus.PENDING and job.attempts == 0
        assert job.created_at == job.available_at == NOW
        assert job.key == f"{job.effect}|{event.key}"
        assert "company_id" not in job.payload
        assert all(job.payload[k] == v for k, v in vars(event).items() if k != "company_id")


def test_the_same_event_twice_enqueues_once(uow, company):
    event = ev.InvoicePaid(company.id, "inv-1", "pi_1")
    for job in jobs_for(event, NOW) + jobs_for(event, NOW):
        uow.outbox.add(job)
    assert sorted(j.effect for j in uow.outbox.jobs.values()) == sorted(
        [Effect.MAIL_DEBIT_CONFIRMED.value, Effect.PUBLISH_INVOICE.value])


def test_distinct_events_get_distinct_keys():
    keys = [job_key(Effect.CHARGE_INVOICE, e) for e in (
        ev.InvoicePaymentRetryRequested("co", "inv-1", 2), ev.InvoicePaymentRetryRequested("co", "inv-1", 3),
        ev.InvoicePaymentRetryRequested("co", "inv-2", 2), ev.InvoiceValidated("co", "inv-1", "FA-1"))]
    assert len(set(keys)) == len(keys)


def test_payloads_are_independent_copies():
    first, second = jobs_for(ev.InvoicePaid("co", "inv-1", "pi_1"), NOW)
    first.payload["invoice_id"] = "changed"
    assert second.payload["invoice_id"] == "inv-1"


def test_commit_writes_the_jobs_of_the_events_raised(uow, company):
    from ogust.domain.client import Client
    from ogust.domain.devis import Devis
    from ogust.domain.lines import DevisLine
    from ogust.domain.money import Money, VatRate
    from ogust.domain.units import Quantity
    from tests.unit.domain.builders import ADDRESS
    client = Client(company_id=company.id, first_name="Jean", last_name="Dupont", email="jean@example.fr",
                    address=ADDRESS)
    devis = Devis.accepted_from_shop_order(company.id, client, "ord-1", [
        DevisLine("t", "x", Quantity.pieces(1), Money(100), VatRate.STANDARD_20)], NOW)
    uow.devis.add(devis)
    uow.commit()
    assert uow.outbox.jobs == {}  # OrderAccepted has no effect
    assert devis.pull_events() == []  # but it was pulled: it will not come back at the next commit
