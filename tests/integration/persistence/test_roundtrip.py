"""Every aggregate comes back from the database as it was saved: fields, lines, money, enums,
timezone-aware datetimes."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from ogust.domain.aggregate import Aggregate
from ogust.domain.attestation import Attestation, AttestationLine, AttestationStatus
from ogust.domain.client import Client, ClientOrigin
from ogust.domain.devis import AcceptanceChannel, Devis, DevisStatus
from ogust.domain.errors import NotFound
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import AttemptStatus, Payment, PaymentAttempt, PaymentMethod
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import InterventionMode, Tarif
from ogust.domain.units import Quantity, Unit

from .conftest import ADDRESS, World, new_company

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")
AT = datetime(2026, 10, 6, 9, 30, tzinfo=PARIS)


def fields(obj: object) -> dict[str, object]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _company(w: World, invoice_id: str = "") -> Aggregate:
    company = new_company()
    company.link_shop("acc_42", "s" * 32)
    return company


def _tarif(w: World, invoice_id: str = "") -> Aggregate:
    return Tarif(w.company_id, "JARDIN", "Jardinage", Unit.FLAT, Money(4999), VatRate.INTERMEDIATE_10,
                 tax_credit_eligible=False, mode=InterventionMode.MANDATAIRE)


def _mapping(w: World, invoice_id: str = "") -> Aggregate:
    return ShopServiceMapping(w.company_id, "svc_menage", "Ménage à domicile", w.tarif.id)


def _intervenant(w: World, invoice_id: str = "") -> Aggregate:
    intervenant = Intervenant(w.company_id, "Inès", "Benali", "M-777", email="ines@example.fr", phone="06 11 22 33 44",
                              profile=ShopProfile("Bonjour", ("svc_a", "svc_b"), ("69001", "69002"), ()))
    intervenant.mark_synced(intervenant.fingerprint, AT)
    intervenant.mark_sync_failed("abc", "boutique indisponible")
    return intervenant


def _client(w: World, invoice_id: str = "") -> Aggregate:
    client = Client(w.company_id, "Zoé", "Roux", "zoe@example.fr", ADDRESS, origin=ClientOrigin.SHOP)
    client.link_shop_client("shopcli_1")
    client.save_payment_method("cus_1", "pm_1")
    client.mark_synced("f" * 16, AT)
    return client


def _devis_lines(w: World) -> list[DevisLine]:
    return [DevisLine(w.tarif.id, f"Ménage {n}", Quantity.hours_minutes(90 + n), Money(2500), VatRate.REDUCED_5_5)
            for n in range(3)]


def _devis(w: World, invoice_id: str = "") -> Aggregate:
    return Devis.accepted_from_shop_order(w.company_id, w.client, "order_rt", _devis_lines(w), AT)


def _intervention(w: World, invoice_id: str = "") -> Aggregate:
    intervention = Intervention(w.company_id, w.client.id, w.intervenant.id, w.tarif.id, AT, AT + timedelta(hours=2),
                                ADDRESS)
    intervention.mark_done(intervention.end)
    return intervention


def _invoice(w: World, invoice_id: str = "") -> Aggregate:
    lines = [
        InvoiceLine(w.tarif.id, "Ménage du 6", Quantity.hours_minutes(120), Money(2500), VatRate.REDUCED_5_5,
                    performed_on=date(2026, 10, 6), intervenant_matricule="M-001", intervenant_name="Paul Durand"),
        InvoiceLine(w.tarif.id, "Frais", Quantity.pieces(2), Money(333), VatRate.STANDARD_20,
                    tax_credit_eligible=False),
    ]
    invoice = Invoice(w.company_id, w.client.id, InvoiceSource.CONTRACT, lines, period_start=date(2026, 10, 1),
                      period_end=date(2026, 10, 31), created_at=AT)
    invoice.validate("FA-2026-999001", date(2026, 11, 2), w.client)
    invoice.mark_paid("pi_123", AT + timedelta(days=1))
    return invoice


def _attestation(w: World, invoice_id: str = "") -> Aggregate:
    lines = [AttestationLine("M-001", "Paul Durand", month, 60 * month, month) for month in (1, 2, 12)]
    attestation = Attestation(w.company_id, w.client.id, 2025, Money(123456), lines, created_at=AT)
    attestation.validate("AF-2025-000001", AT + timedelta(hours=1), w.client, PARIS)
    return attestation


def _attempt(w: World, invoice_id: str) -> Aggregate:
    attempt = PaymentAttempt(w.company_id, invoice_id, 1, Money(5000), "ogust:key:1", created_at=AT)
    attempt.start_charging(AT)
    attempt.failed("carte refusée", "pi_9", AT + timedelta(minutes=1))
    return attempt


def _payment(w: World, invoice_id: str) -> Aggregate:
    return Payment(w.company_id, invoice_id, w.client.id, Money(5000), AT, method=PaymentMethod.CESU,
                   reference="CESU-1")


BUILDERS: dict[str, Callable[[World, str], Aggregate]] = {
    "company": _company, "tarif": _tarif, "mapping": _mapping, "intervenant": _intervenant, "client": _client,
    "devis": _devis, "intervention": _intervention, "invoice": _invoice, "attestation": _attestation,
    "payment_attempt": _attempt, "payment": _payment,
}
REPOSITORY = {"company": "companies", "tarif": "tarifs", "mapping": "mappings", "intervenant": "intervenants",
              "client": "clients", "devis": "devis", "intervention": "interventions", "invoice": "invoices",
              "attestation": "attestations", "payment_attempt": "payment_attempts", "payment": "payments"}


@pytest.fixture
def invoice_id(world: World, make_uow) -> str:
    """An invoice that attempts and payments can refer to."""
    invoice = Invoice(world.company_id, world.client.id, InvoiceSource.MANUAL,
                      [InvoiceLine(world.tarif.id, "Ménage", Quantity.hours_minutes(60), Money(2500),
                                   VatRate.REDUCED_5_5)])
    with make_uow() as uow:
        uow.invoices.add(invoice)
        uow.commit()
    return invoice.id


def _load(uow, kind: str, item: Aggregate) -> Aggregate:
    repository = getattr(uow, REPOSITORY[kind])
    return repository.get(item.id) if kind == "company" else repository.get(item.company_id, item.id)


@pytest.mark.parametrize("kind", BUILDERS)
def test_aggregate_round_trips(kind: str, world: World, invoice_id: str, make_uow) -> None:
    item = BUILDERS[kind](world, invoice_id)
    item.pull_events()
    saved = fields(item)
    with make_uow() as uow:
        getattr(uow, REPOSITORY[kind]).add(item)
        uow.commit()

    with make_uow() as uow:
        loaded = _load(uow, kind, item)
        assert loaded is not item
        assert fields(loaded) == saved
        assert loaded.pull_events() == []
        for name, value in fields(loaded).items():
            if isinstance(value, datetime):
                assert value.tzinfo is not None, name
            if isinstance(saved[name], (Money, Quantity, ShopProfile)) or name in {"status", "unit", "vat_rate"}:
                assert type(value) is type(saved[name]), name


def test_lines_keep_their_order_and_totals(world: World, make_uow) -> None:
    invoice = Invoice(world.company_id, world.client.id, InvoiceSource.MANUAL, [
        InvoiceLine(world.tarif.id, label, Quantity.hours_minutes(minutes), Money(2500), VatRate.REDUCED_5_5)
        for label, minutes in (("c", 45), ("a", 61), ("b", 30))
    ])
    with make_uow() as uow:
        uow.invoices.add(invoice)
        uow.commit()
    with make_uow() as uow:
        loaded = uow.invoices.get(world.company_id, invoice.id)
        assert [line.label for line in loaded.lines] == ["c", "a", "b"]
        assert loaded.total_ttc == invoice.total_ttc
        assert loaded.vat_breakdown() == invoice.vat_breakdown()
        loaded.replace_lines([InvoiceLine(world.tarif.id, "z", Quantity.pieces(1), Money(100), VatRate.STANDARD_20),
                              loaded.lines[2]])
        uow.commit()
    with make_uow() as uow:
        loaded = uow.invoices.get(world.company_id, invoice.id)
        assert [line.label for line in loaded.lines] == ["z", "b"]
        assert loaded.version == 2
        count = uow.session.execute(
            text("SELECT count(*) FROM invoice_lines WHERE invoice_id = :id"), {"id": invoice.id}
        ).scalar_one()
        assert count == 2  # the replaced lines are deleted, not orphaned


def test_datetimes_come_back_in_utc_and_naive_ones_are_refused(world: World, make_uow) -> None:
    start = datetime(2026, 7, 1, 8, 0, tzinfo=PARIS)  # summer time: UTC+2
    intervention = Intervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id,
                                start, start + timedelta(hours=1), ADDRESS)
    with make_uow() as uow:
        uow.interventions.add(intervention)
        uow.commit()
    with make_uow() as uow:
        loaded = uow.interventions.get(world.company_id, intervention.id)
        assert loaded.start == start
        assert loaded.start.utcoffset() == timedelta(0)
        assert loaded.start.hour == 6

    with make_uow() as uow:
        loaded = uow.interventions.get(world.company_id, intervention.id)
        loaded.end = datetime(2026, 7, 1, 12, 0)  # naive: refused by the column type
        with pytest.raises(StatementError, match="naive datetime"):
            uow.commit()


def test_queries_are_scoped_to_the_company(world: World, make_uow) -> None:
    other = new_company()
    with make_uow() as uow:
        uow.companies.add(other)
        uow.commit()
    with make_uow() as uow:
        assert uow.clients.find(other.id, world.client.id) is None
        with pytest.raises(NotFound):
            uow.clients.get(other.id, world.client.id)
        with pytest.raises(NotFound):
            uow.companies.get("nope")
        assert uow.clients.list(other.id) == []
        assert uow.tarifs.by_code(other.id, "MENAGE") is None
        assert uow.tarifs.by_code(world.company_id, "MENAGE").id == world.tarif.id
        assert uow.intervenants.by_matricule(world.company_id, "M-001").id == world.intervenant.id
        assert uow.clients.by_email(world.company_id, " JEANNE.martin@example.fr").id == world.client.id
        assert {c.id for c in uow.companies.list()} >= {world.company_id, other.id}


def test_planning_and_invoicing_queries(world: World, make_uow) -> None:
    def slot(day: int, hour: int, status: InterventionStatus = InterventionStatus.PLANNED) -> Intervention:
        start = datetime(2026, 10, day, hour, tzinfo=PARIS)
        i = Intervention(world.company_id, world.client.id, world.intervenant.id, world.tarif.id, start,
                         start + timedelta(hours=2), ADDRESS)
        if status is InterventionStatus.DONE:
            i.mark_done(i.end)
        if status is InterventionStatus.CANCELLED:
            i.cancel()
        return i

    early, touching, late = slot(5, 8), slot(5, 10), slot(31, 22, InterventionStatus.DONE)
    done, cancelled = slot(6, 8, InterventionStatus.DONE), slot(7, 8, InterventionStatus.CANCELLED)
    with make_uow() as uow:
        for i in (early, touching, late, done, cancelled):
            uow.interventions.add(i)
        uow.commit()
    with make_uow() as uow:
        repo = uow.interventions
        cid, who = world.company_id, world.intervenant.id
        window = repo.for_intervenant(cid, who, datetime(2026, 10, 5, 9, tzinfo=PARIS),
                                      datetime(2026, 10, 5, 10, tzinfo=PARIS))
        assert [i.id for i in window] == [early.id]  # [start, end): the 10:00 one does not intersect
        period = (datetime(2026, 10, 1, tzinfo=PARIS), datetime(2026, 10, 30, 23, 59, 59, tzinfo=PARIS))
        assert [i.id for i in repo.done_not_invoiced(cid, world.client.id, *period)] == [done.id]
        assert repo.clients_with_done_not_invoiced(cid, *period) == [world.client.id]
        assert repo.clients_with_done_not_invoiced(cid, period[0], datetime(2026, 10, 6, tzinfo=PARIS)) == []
        # begun by the 5th at 10:00, still planned (never declared done): early and touching; not afterwards
        assert repo.count_begun_still_planned(cid, *period, datetime(2026, 10, 5, 10, tzinfo=PARIS)) == 2
        assert repo.count_begun_still_planned(cid, *period, datetime(2026, 10, 5, 9, 59, tzinfo=PARIS)) == 1
        assert repo.count_begun_still_planned(cid, *period, datetime(2026, 10, 5, 10, tzinfo=PARIS),
                                              world.client.id) == 2
        assert repo.count_begun_still_planned(cid, *period, datetime(2026, 10, 5, 10, tzinfo=PARIS), "other") == 0
        assert repo.count_begun_still_planned(cid, datetime(2026, 10, 6, tzinfo=PARIS), period[1],
                                              datetime(2026, 11, 1, tzinfo=PARIS)) == 0


def test_invoice_attestation_and_payment_queries(world: World, make_uow) -> None:
    invoice = _invoice(world)
    attestation = _attestation(world)
    attempt = PaymentAttempt(world.company_id, invoice.id, 1, Money(100), "k", status=AttemptStatus.SUCCEEDED,
                             payment_intent_id="pi_query")
    payment = Payment(world.company_id, invoice.id, world.client.id, Money(100),
                      datetime(2026, 12, 31, 23, 30, tzinfo=PARIS))
    with make_uow() as uow:
        for repo, item in (("invoices", invoice), ("attestations", attestation), ("payment_attempts", attempt),
                           ("payments", payment)):
            getattr(uow, repo).add(item)
        uow.commit()
    with make_uow() as uow:
        cid = world.company_id
        assert uow.invoices.by_number(cid, "FA-2026-999001").id == invoice.id
        assert [i.id for i in uow.invoices.with_status(cid, [InvoiceStatus.PAID])] == [invoice.id]
        assert uow.invoices.with_status(cid, [InvoiceStatus.DRAFT]) == []
        assert uow.attestations.for_client_year(cid, world.client.id, 2025).id == attestation.id
        assert uow.attestations.by_number(cid, "AF-2025-000001").status is AttestationStatus.VALIDATED
        assert uow.payment_attempts.by_payment_intent("pi_query").id == attempt.id
        assert [a.id for a in uow.payment_attempts.for_invoice(cid, invoice.id)] == [attempt.id]
        in_2026 = (datetime(2026, 1, 1, tzinfo=PARIS), datetime(2027, 1, 1, tzinfo=PARIS))
        assert uow.payments.clients_paid_between(cid, *in_2026) == [world.client.id]
        # 23:30 in Paris on 31 December is still 2026, though it is 22:30 UTC
        assert uow.payments.clients_paid_between(cid, in_2026[1], datetime(2028, 1, 1, tzinfo=PARIS)) == []
        assert [p.id for p in uow.payments.for_client(cid, world.client.id)] == [payment.id]


def test_devis_queries_and_enums(world: World, make_uow) -> None:
    devis = _devis(world)
    with make_uow() as uow:
        uow.devis.add(devis)
        uow.commit()
    with make_uow() as uow:
        loaded = uow.devis.by_shop_order(world.company_id, "order_rt")
        assert loaded.status is DevisStatus.ACCEPTED
        assert loaded.acceptance_channel is AcceptanceChannel.SHOP
        assert loaded.lines[0].vat_rate is VatRate.REDUCED_5_5
        assert loaded.lines[0].quantity.unit is Unit.HOUR
        assert [d.id for d in uow.devis.for_client(world.company_id, world.client.id)] == [devis.id]


def test_objects_stay_readable_after_the_unit_of_work(world: World, make_uow) -> None:
    with make_uow() as uow:
        invoice = Invoice(world.company_id, world.client.id, InvoiceSource.MANUAL,
                          [InvoiceLine(world.tarif.id, "x", Quantity.pieces(1), Money(100), VatRate.STANDARD_20)])
        uow.invoices.add(invoice)
        uow.commit()
    with make_uow() as uow:
        loaded = uow.invoices.get(world.company_id, invoice.id)
    assert loaded.total_ttc == Money(120)  # lines eagerly loaded, nothing expired
    assert loaded.created_at is None or loaded.created_at.tzinfo is UTC
