"""Invoices from a devis, for a period's done interventions, by hand; validation and numbering."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ogust.application import commands as c
from ogust.application.handlers.invoicing import (
    ContractInvoiceHandler,
    DiscardDraftInvoiceHandler,
    InvoiceFromDevisHandler,
    ManualInvoiceHandler,
    RetryPaymentHandler,
    ValidateInvoiceHandler,
)
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.planning import CancelInterventionHandler, MarkInterventionDoneHandler
from ogust.application.outbox import Effect
from ogust.domain.devis import Devis
from ogust.domain.errors import InvalidTransition, InvalidValue, InvoiceAlreadyValidated, NotFound, NothingToInvoice
from ogust.domain.invoice import InvoiceSource, InvoiceStatus
from ogust.domain.money import Money
from ogust.domain.units import Quantity
from tests.unit.application.conftest import SOON, contents, declare_done, item, order

PARIS = ZoneInfo("Europe/Paris")


def place(uow, ready, marie, cards, *items, order_id="ord_1"):
    return PlaceOrderHandler(uow, cards)(order(ready, *(items or (item(marie),)), order_id=order_id))


# ---------------------------------------------------------------- from a devis
def test_invoice_from_devis_lists_each_intervention_with_its_intervenant(uow, ready, marie, cards):
    result = place(uow, ready, marie, cards, item(marie, SOON, 150), item(marie, SOON + timedelta(days=1), 60))
    declare_done(uow, ready.id, *result.intervention_ids)
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert invoice.source is InvoiceSource.DEVIS and invoice.devis_id == result.devis_id and invoice.is_draft
    assert [(l.quantity, l.performed_on, l.intervenant_matricule, l.intervenant_name) for l in invoice.lines] == [
        (Quantity.hours_minutes(150), date(2026, 11, 10), "M001", "Marie Curie"),
        (Quantity.hours_minutes(60), date(2026, 11, 11), "M001", "Marie Curie"),
    ]
    assert invoice.total_ttc == Money(6875 + 2750)
    assert all(uow.interventions.get(ready.id, i).invoice_id == invoice.id for i in result.intervention_ids)


def test_invoicing_a_devis_twice_is_refused_and_writes_nothing(uow, ready, marie, cards):
    result = place(uow, ready, marie, cards)
    declare_done(uow, ready.id, *result.intervention_ids)
    InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    before = contents(uow)
    with pytest.raises(NothingToInvoice):
        InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert contents(uow) == before


def test_a_devis_without_interventions_in_the_planning_is_not_invoiced(uow, ready, marie, cards):
    """Its lines name no day and no intervenant, which an invoice must (art. D.7233-1)."""
    placed = place(uow, ready, marie, cards)
    with uow:
        devis = uow.devis.get(ready.id, placed.devis_id)
        bare = Devis.accepted_from_shop_order(ready.id, uow.clients.get(ready.id, placed.client_id), "cmd-2",
                                              list(devis.lines), uow.clock.now())
        uow.devis.add(bare)
        uow.commit()
    before = contents(uow)
    with pytest.raises(NothingToInvoice, match="aucune intervention au planning"):
        InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, bare.id))
    assert contents(uow) == before


def test_cancelled_interventions_are_not_invoiced(uow, ready, marie, cards):
    result = place(uow, ready, marie, cards, item(marie, SOON), item(marie, SOON + timedelta(days=1)))
    CancelInterventionHandler(uow)(c.CancelIntervention(ready.id, result.intervention_ids[0]))
    declare_done(uow, ready.id, result.intervention_ids[1])
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert [l.intervention_id for l in invoice.lines] == [result.intervention_ids[1]]


def test_only_the_interventions_declared_done_are_invoiced_the_planned_ones_wait(uow, ready, marie, cards):
    """Work is invoiced once it has taken place (the card is debited at validation): a devis of two visits
    is invoiced visit by visit, as each is declared done; none done yet, nothing is invoiced."""
    first, second = SOON, SOON + timedelta(days=7)
    result = place(uow, ready, marie, cards, item(marie, first), item(marie, second))
    before = contents(uow)
    with pytest.raises(NothingToInvoice) as refused:
        InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert refused.value.message == (
        "Rien à facturer sur ce devis : aucune intervention réalisée et non facturée, 2 encore prévue(s). Une "
        "intervention se facture une fois faite : déclarez-la réalisée (ogust intervention done ID) après qu'elle "
        "a eu lieu, puis facturez.")
    assert refused.value.details["still_planned"] == 2 and contents(uow) == before

    declare_done(uow, ready.id, result.intervention_ids[0])
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert [l.intervention_id for l in invoice.lines] == [result.intervention_ids[0]]
    waiting = uow.interventions.get(ready.id, result.intervention_ids[1])
    assert (waiting.status.value, waiting.invoice_id) == ("planned", None)
    with pytest.raises(NothingToInvoice, match="1 encore prévue"):
        InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))

    declare_done(uow, ready.id, result.intervention_ids[1])
    later = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert [l.intervention_id for l in later.lines] == [result.intervention_ids[1]]
    assert (later.devis_id, later.id != invoice.id) == (result.devis_id, True)


def test_an_invoiced_intervention_is_not_cancelled_the_invoice_stands(uow, ready, marie, cards):
    """Cancelled after its invoice, it stayed billed and paid, and counted on the attestation fiscale:
    the invoice is corrected by a credit note, the planning keeps the intervention."""
    result = place(uow, ready, marie, cards)
    declare_done(uow, ready.id, *result.intervention_ids)
    invoice = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    cancel = CancelInterventionHandler(uow)
    before = contents(uow)
    with pytest.raises(InvalidTransition, match=r"sur un brouillon de facture : supprimez ce brouillon"):
        cancel(c.CancelIntervention(ready.id, result.intervention_ids[0]))
    assert contents(uow) == before
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    before = contents(uow)
    with pytest.raises(InvalidTransition) as refused:
        cancel(c.CancelIntervention(ready.id, result.intervention_ids[0]))
    assert refused.value.message == (
        "L'intervention est déjà facturée (facture FA-2026-000001) : elle ne s'annule plus au planning. "
        "Émettez un avoir sur la facture pour ce qui n'est pas dû.")
    assert contents(uow) == before
    assert uow.interventions.get(ready.id, result.intervention_ids[0]).status.value == "done"


def test_a_draft_discarded_releases_its_interventions_a_validated_invoice_is_not_discarded(uow, ready, marie,
                                                                                          cards):
    """A draft is no invoice: discarded, its intervention may be cancelled, or invoiced again."""
    result = place(uow, ready, marie, cards)
    [intervention_id] = result.intervention_ids
    declare_done(uow, ready.id, intervention_id)
    draft = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    DiscardDraftInvoiceHandler(uow)(c.DiscardDraftInvoice(ready.id, draft.id))
    assert uow.invoices.find(ready.id, draft.id) is None
    assert uow.interventions.get(ready.id, intervention_id).invoice_id is None
    again = InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))  # invoiced again
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, again.id))
    before = contents(uow)
    with pytest.raises(InvoiceAlreadyValidated):
        DiscardDraftInvoiceHandler(uow)(c.DiscardDraftInvoice(ready.id, again.id))
    assert contents(uow) == before and again.number == "FA-2026-000001"  # numbering untouched by the draft


def test_a_devis_whose_interventions_are_all_cancelled_has_nothing_to_invoice(uow, ready, marie, cards):
    result = place(uow, ready, marie, cards)
    CancelInterventionHandler(uow)(c.CancelIntervention(ready.id, result.intervention_ids[0]))
    before = contents(uow)
    with pytest.raises(NothingToInvoice):
        InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, result.devis_id))
    assert contents(uow) == before


def test_unknown_devis_is_not_found(uow, ready):
    with pytest.raises(NotFound):
        InvoiceFromDevisHandler(uow)(c.InvoiceFromDevis(ready.id, "nope"))
    assert uow.invoices.items == {}


# ---------------------------------------------------------------- for a period
def _done(uow, ready, marie, cards, start, order_id, minutes=60):
    """An intervention performed at ``start`` (booked while it was in the future)."""
    clock = uow.clock
    now = clock.current
    clock.current = start - timedelta(days=1)
    result = place(uow, ready, marie, cards, item(marie, start, minutes), order_id=order_id)
    clock.current = now
    MarkInterventionDoneHandler(uow)(c.MarkInterventionDone(ready.id, result.intervention_ids[0]))
    return result


def test_contract_invoice_takes_done_not_invoiced_interventions_of_the_period(uow, ready, marie, cards):
    october = [_done(uow, ready, marie, cards, datetime(2026, 10, day, 10, tzinfo=PARIS), f"o{day}")
               for day in (5, 12)]
    planned = place(uow, ready, marie, cards, item(marie, SOON), order_id="planned")  # not done: not invoiced
    clock = uow.clock
    now, clock.current = clock.current, datetime(2026, 10, 1, tzinfo=UTC)
    cancelled = place(uow, ready, marie, cards, item(marie, datetime(2026, 10, 20, 10, tzinfo=PARIS)), order_id="c")
    clock.current = now
    CancelInterventionHandler(uow)(c.CancelIntervention(ready.id, cancelled.intervention_ids[0]))
    handler = ContractInvoiceHandler(uow)
    invoice = handler(c.ContractInvoice(ready.id, october[0].client_id, date(2026, 10, 1), date(2026, 10, 31)))
    assert invoice.source is InvoiceSource.CONTRACT
    assert (invoice.period_start, invoice.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert [l.intervention_id for l in invoice.lines] == [r.intervention_ids[0] for r in october]
    assert uow.interventions.get(ready.id, planned.intervention_ids[0]).invoice_id is None
    before = contents(uow)
    with pytest.raises(NothingToInvoice):  # already invoiced
        handler(c.ContractInvoice(ready.id, october[0].client_id, date(2026, 10, 1), date(2026, 10, 31)))
    assert contents(uow) == before


def test_month_boundaries_are_those_of_paris(uow, ready, marie, cards):
    # 23:30 in Paris on 31 October is 22:30 UTC: it belongs to October
    last_evening = _done(uow, ready, marie, cards, datetime(2026, 10, 31, 23, 30, tzinfo=PARIS), "late", 30)
    # 00:30 in Paris on 1 November is still 31 October in UTC: it belongs to November
    first_night = _done(uow, ready, marie, cards, datetime(2026, 11, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
                        "night", 30)
    handler = ContractInvoiceHandler(uow)
    client_id = last_evening.client_id
    october = handler(c.ContractInvoice(ready.id, client_id, date(2026, 10, 1), date(2026, 10, 31)))
    assert [(l.intervention_id, l.performed_on) for l in october.lines] == [
        (last_evening.intervention_ids[0], date(2026, 10, 31))]
    november = handler(c.ContractInvoice(ready.id, client_id, date(2026, 11, 1), date(2026, 11, 30)))
    assert [(l.intervention_id, l.performed_on) for l in november.lines] == [
        (first_night.intervention_ids[0], date(2026, 11, 1))]


def test_contract_invoice_refusals_write_nothing(uow, ready, marie, cards):
    result = _done(uow, ready, marie, cards, datetime(2026, 10, 5, 10, tzinfo=PARIS), "o5")
    before = contents(uow)
    handler = ContractInvoiceHandler(uow)
    with pytest.raises(InvalidValue):
        handler(c.ContractInvoice(ready.id, result.client_id, date(2026, 10, 31), date(2026, 10, 1)))
    with pytest.raises(NothingToInvoice):
        handler(c.ContractInvoice(ready.id, result.client_id, date(2026, 9, 1), date(2026, 9, 30)))
    with pytest.raises(NotFound):
        handler(c.ContractInvoice(ready.id, "nobody", date(2026, 10, 1), date(2026, 10, 31)))
    assert contents(uow) == before


def test_nothing_to_invoice_names_what_was_never_declared_done(uow, ready, marie, cards):
    clock = uow.clock
    now, clock.current = clock.current, datetime(2026, 10, 1, tzinfo=UTC)
    booked = place(uow, ready, marie, cards, item(marie, datetime(2026, 10, 20, 10, tzinfo=PARIS)), order_id="b")
    clock.current = now  # 2 November: it has taken place, and nobody declared it done
    before = contents(uow)
    october = c.ContractInvoice(ready.id, booked.client_id, date(2026, 10, 1), date(2026, 10, 31))
    with pytest.raises(NothingToInvoice) as refused:
        ContractInvoiceHandler(uow)(october)
    assert refused.value.message == (
        "Aucune intervention réalisée et non facturée du 01/10/2026 au 31/10/2026. 1 intervention(s) de la période "
        "commencée(s) mais encore « prévue(s) » : déclarez-les réalisées d'abord.")
    assert refused.value.details["not_declared_done"] == 1 and contents(uow) == before


# ---------------------------------------------------------------- by hand
def test_manual_invoice_with_an_intervenant(uow, ready, marie, cards):
    client_id = place(uow, ready, marie, cards).client_id
    invoice = ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, client_id, (
        c.ManualInvoiceLine("MEN", 90, date(2026, 10, 7), marie.id),
        c.ManualInvoiceLine("VIT", 2, date(2026, 10, 8), marie.id, label="Vitres (2 passages)"),
        c.ManualInvoiceLine("HORS", 60),  # no tax credit (ancillary): may go without day and intervenant
    )))
    men, vit, hors = invoice.lines
    assert invoice.source is InvoiceSource.MANUAL
    assert (men.quantity, men.performed_on, men.intervenant_matricule, men.intervenant_name) == (
        Quantity.hours_minutes(90), date(2026, 10, 7), "M001", "Marie Curie")
    assert (vit.quantity, vit.label, vit.intervenant_matricule) == (Quantity.pieces(2), "Vitres (2 passages)", "M001")
    assert (hors.performed_on, hors.intervenant_matricule) == (None, None)
    assert not hors.tax_credit_eligible and men.tax_credit_eligible
    assert invoice.total_ttc == Money(4125 + 12000 + 3600)


SERVED = date(2026, 10, 7)


@pytest.mark.parametrize("lines,error", [
    (lambda marie: (), InvalidValue),
    (lambda marie: (c.ManualInvoiceLine("MEN", 60, SERVED, marie), c.ManualInvoiceLine("NOPE", 60)), NotFound),
    (lambda marie: (c.ManualInvoiceLine("MEN", 60, SERVED, intervenant_id="nobody"),), NotFound),
    (lambda marie: (c.ManualInvoiceLine("MEN", 60, SERVED, marie), c.ManualInvoiceLine("VIT", 0, SERVED, marie)),
     InvalidValue),  # a domain error, not a crash
    (lambda marie: (c.ManualInvoiceLine("MEN", -30, SERVED, marie),), InvalidValue),
    (lambda marie: (c.ManualInvoiceLine("MEN", 60, intervenant_id=marie),), InvalidValue),  # no day
    (lambda marie: (c.ManualInvoiceLine("VIT", 1, SERVED),), InvalidValue),  # no intervenant
])
def test_manual_invoice_refusals_write_nothing(uow, ready, marie, cards, lines, error):
    client_id = place(uow, ready, marie, cards).client_id
    before = contents(uow)
    with pytest.raises(error):
        ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, client_id, lines(marie.id)))
    assert contents(uow) == before


def test_a_service_is_invoiced_by_hand_with_its_day_and_its_intervenant(uow, ready, marie, cards):
    """Art. D.7233-1 du code du travail: the date of each intervention and the intervenant's identifier."""
    client_id = place(uow, ready, marie, cards).client_id
    with pytest.raises(InvalidValue) as refused:
        ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, client_id, (c.ManualInvoiceLine("MEN", 60),)))
    assert refused.value.message == (
        "Ligne MEN : une prestation de services à la personne se facture avec la date de l'intervention et "
        "l'intervenant (art. D.7233-1 du code du travail).")
    assert refused.value.details["field"] == "lines.performed_on"


# ---------------------------------------------------------------- validation and numbering
def _manual(uow, ready, client_id):
    marie = uow.intervenants.by_matricule(ready.id, "M001")
    return ManualInvoiceHandler(uow)(c.ManualInvoice(ready.id, client_id, (
        c.ManualInvoiceLine("MEN", 60, SERVED, marie.id),)))


def test_numbering_is_gapless_per_year_in_paris_time(uow, ready, marie, cards):
    client_id = place(uow, ready, marie, cards).client_id
    validate = ValidateInvoiceHandler(uow)
    first, second, third = (_manual(uow, ready, client_id) for _ in range(3))
    uow.clock.current = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Paris
    assert validate(c.ValidateInvoice(ready.id, first.id)).number == "FA-2026-000001"
    with pytest.raises(InvoiceAlreadyValidated):
        validate(c.ValidateInvoice(ready.id, first.id))
    assert validate(c.ValidateInvoice(ready.id, second.id)).number == "FA-2026-000002"
    uow.clock.current = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January in Paris
    third = validate(c.ValidateInvoice(ready.id, third.id))
    assert (third.number, third.issued_on) == ("FA-2027-000001", date(2027, 1, 1))


def test_validation_enqueues_publication_charge_and_email_once(uow, ready, marie, cards):
    client_id = place(uow, ready, marie, cards).client_id
    invoice = _manual(uow, ready, client_id)
    ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    jobs = [j for j in uow.outbox.jobs.values() if j.payload.get("invoice_id") == invoice.id]
    assert sorted(j.effect for j in jobs) == sorted([Effect.PUBLISH_INVOICE.value, Effect.CHARGE_INVOICE.value,
                                                     Effect.MAIL_INVOICE_AVAILABLE.value])
    before = contents(uow)
    with pytest.raises(InvoiceAlreadyValidated):
        ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
    assert contents(uow) == before


def test_retry_payment_refused_unless_failed_writes_nothing(uow, ready, marie, cards):
    client_id = place(uow, ready, marie, cards).client_id
    invoice = _manual(uow, ready, client_id)
    for step in ("draft", "validated"):
        if step == "validated":
            ValidateInvoiceHandler(uow)(c.ValidateInvoice(ready.id, invoice.id))
        before = contents(uow)
        with pytest.raises(InvalidTransition):
            RetryPaymentHandler(uow)(c.RetryPayment(ready.id, invoice.id))
        assert contents(uow) == before
    assert uow.invoices.get(ready.id, invoice.id).status is InvoiceStatus.VALIDATED
