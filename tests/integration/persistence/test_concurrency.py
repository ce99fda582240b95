"""What the database refuses when two units of work collide: stale versions, duplicate orders,
a second successful debit; and numbering that stays gapless under concurrency."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from ogust.domain.client import Client
from ogust.domain.devis import Devis
from ogust.domain.errors import ConcurrencyConflict
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import AttemptStatus, PaymentAttempt
from ogust.domain.units import Quantity

from .conftest import ADDRESS, World

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _line(world: World, label: str = "Ménage") -> InvoiceLine:
    return InvoiceLine(world.tarif.id, label, Quantity.hours_minutes(60), Money(2500), VatRate.REDUCED_5_5)


def _draft(world: World) -> Invoice:
    return Invoice(world.company_id, world.client.id, InvoiceSource.MANUAL, [_line(world)], created_at=AT)


def _save(make_uow, repository: str, *items) -> None:
    with make_uow() as uow:
        for item in items:
            getattr(uow, repository).add(item)
        uow.commit()


def test_stale_version_is_a_conflict(world: World, make_uow) -> None:
    with make_uow() as first:
        mine = first.clients.get(world.company_id, world.client.id)
        first.commit()  # read done; the object stays in this session at version 1
        with make_uow() as second:
            theirs = second.clients.get(world.company_id, world.client.id)
            theirs.update(phone="0100000000")
            second.commit()
        mine.update(phone="0200000000")
        with pytest.raises(ConcurrencyConflict):
            first.commit()
    with make_uow() as uow:
        client = uow.clients.get(world.company_id, world.client.id)
        assert (client.phone, client.version) == ("0100000000", 2)


def test_interleaved_transactions_conflict_on_postgresql(world: World, make_uow, engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot interleave")
    with make_uow() as first, make_uow() as second:
        mine = first.clients.get(world.company_id, world.client.id)
        theirs = second.clients.get(world.company_id, world.client.id)
        theirs.update(phone="0100000000")
        second.commit()
        mine.update(phone="0200000000")
        with pytest.raises(ConcurrencyConflict):
            first.commit()


def test_changing_only_the_lines_bumps_the_version(world: World, make_uow) -> None:
    invoice = _draft(world)
    _save(make_uow, "invoices", invoice)
    with make_uow() as first:
        mine = first.invoices.get(world.company_id, invoice.id)
        first.commit()
        with make_uow() as second:
            theirs = second.invoices.get(world.company_id, invoice.id)
            theirs.replace_lines([_line(world, "theirs")])
            second.commit()
            assert theirs.version == 2
        mine.replace_lines([_line(world, "mine")])
        with pytest.raises(ConcurrencyConflict):
            first.commit()
    with make_uow() as uow:
        assert [line.label for line in uow.invoices.get(world.company_id, invoice.id).lines] == ["theirs"]


def test_same_shop_order_twice_is_a_conflict_and_writes_nothing(world: World, make_uow) -> None:
    def order(client: Client) -> Devis:
        lines = [DevisLine(world.tarif.id, "Ménage", Quantity.hours_minutes(60), Money(2500), VatRate.REDUCED_5_5)]
        return Devis.accepted_from_shop_order(world.company_id, client, "order_dup", lines, AT)

    _save(make_uow, "devis", order(world.client))
    late_client = Client(world.company_id, "Léa", "Petit", "lea@example.fr", ADDRESS)
    with make_uow() as uow:
        uow.clients.add(late_client)
        uow.devis.add(order(late_client))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    with make_uow() as uow:
        assert uow.clients.find(world.company_id, late_client.id) is None
        assert uow.devis.by_shop_order(world.company_id, "order_dup").client_id == world.client.id


def test_a_query_that_autoflushes_a_duplicate_raises_a_conflict(world: World, make_uow) -> None:
    def order() -> Devis:
        lines = [DevisLine(world.tarif.id, "Ménage", Quantity.hours_minutes(60), Money(2500), VatRate.REDUCED_5_5)]
        return Devis.accepted_from_shop_order(world.company_id, world.client, "order_flush", lines, AT)

    _save(make_uow, "devis", order())
    with make_uow() as uow:
        uow.devis.add(order())
        with pytest.raises(ConcurrencyConflict):
            uow.devis.for_client(world.company_id, world.client.id)


def test_only_one_succeeded_attempt_per_invoice(world: World, make_uow) -> None:
    invoice = _draft(world)
    _save(make_uow, "invoices", invoice)

    def attempt(number: int, status: AttemptStatus) -> PaymentAttempt:
        return PaymentAttempt(world.company_id, invoice.id, number, Money(2638),
                              PaymentAttempt.key_for(world.company_id, invoice.id, number), status=status)

    _save(make_uow, "payment_attempts", attempt(1, AttemptStatus.FAILED), attempt(2, AttemptStatus.FAILED),
          attempt(3, AttemptStatus.SUCCEEDED))
    with pytest.raises(ConcurrencyConflict):
        _save(make_uow, "payment_attempts", attempt(4, AttemptStatus.SUCCEEDED))
    with pytest.raises(ConcurrencyConflict):  # the same attempt number twice
        _save(make_uow, "payment_attempts", attempt(3, AttemptStatus.PENDING))
    with make_uow() as uow:  # an existing attempt moving to succeeded is refused too
        second = next(a for a in uow.payment_attempts.for_invoice(world.company_id, invoice.id) if a.number == 2)
        second.succeeded("pi_again", AT)
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    with make_uow() as uow:
        statuses = [a.status for a in uow.payment_attempts.for_invoice(world.company_id, invoice.id)]
        assert statuses == [AttemptStatus.FAILED, AttemptStatus.FAILED, AttemptStatus.SUCCEEDED]


def test_duplicate_invoice_number_is_refused(world: World, make_uow) -> None:
    first, second = _draft(world), _draft(world)
    first.validate("FA-2026-424242", date(2026, 11, 2), world.client)
    _save(make_uow, "invoices", first)
    second.validate("FA-2026-424242", date(2026, 11, 2), world.client)
    with pytest.raises(ConcurrencyConflict):
        _save(make_uow, "invoices", second)


def test_validating_from_two_threads_numbers_without_gap_or_duplicate(world: World, make_uow) -> None:
    drafts = [_draft(world) for _ in range(20)]
    _save(make_uow, "invoices", *drafts)
    errors: list[BaseException] = []

    def validate(invoices: list[Invoice]) -> None:
        try:
            for invoice in invoices:
                with make_uow() as uow:
                    loaded = uow.invoices.get(world.company_id, invoice.id)
                    number = uow.sequences.next_number(world.company_id, "FA", 2026)
                    loaded.validate(number, date(2026, 11, 2), world.client)
                    uow.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=validate, args=(drafts[n::2],)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with make_uow() as uow:
        numbers = sorted(i.number for i in uow.invoices.list(world.company_id) if i.number)
        jobs = uow.outbox.list(world.company_id, limit=1000)
    assert numbers == [f"FA-2026-{n:06d}" for n in range(1, 21)]
    assert len(jobs) == 60  # publish, charge and the invoice's email, written with each validation


def test_a_number_taken_by_a_rolled_back_transaction_is_given_again(world: World, make_uow) -> None:
    with make_uow() as uow:
        assert uow.sequences.next_number(world.company_id, "AF", 2025) == "AF-2025-000001"
        assert uow.sequences.next_number(world.company_id, "AF", 2025) == "AF-2025-000002"
        # no commit: rolled back
    with make_uow() as uow:
        assert uow.sequences.next_number(world.company_id, "AF", 2025) == "AF-2025-000001"
        assert uow.sequences.next_number(world.company_id, "AF", 2026) == "AF-2026-000001"
        uow.commit()
    with make_uow() as uow:
        assert uow.sequences.next_number(world.company_id, "AF", 2025) == "AF-2025-000002"
