"""Attestations fiscales from what clients paid in a year (Paris time), validated once."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ogust.application import commands as c
from ogust.application.handlers.attestations import (
    GenerateAttestationHandler,
    GenerateAttestationsHandler,
    ValidateAttestationHandler,
)
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.outbox import Effect
from ogust.domain.attestation import AttestationStatus
from ogust.domain.errors import InvalidTransition, InvalidValue, NothingToAttest, YearNotOver
from ogust.domain.money import Money
from ogust.domain.payment import Payment, PaymentMethod
from tests.unit.application.conftest import contents, validated_invoice


@pytest.fixture
def paid(uow, ready, marie, cards, worker):
    invoice = validated_invoice(uow, ready, marie, cards)
    worker.run_until_idle()
    return invoice


def test_generate_counts_the_card_payment_not_cash(uow, ready, paid):
    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=paid.client_id, amount=Money(1000),
                             received_at=uow.clock.now(), method=PaymentMethod.CASH))
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    assert attestation.amount_paid == Money(5500) and attestation.status is AttestationStatus.DRAFT
    assert [(l.intervenant_name, l.month, l.minutes) for l in attestation.lines] == [("Marie Curie", 11, 120)]


def test_generating_again_recomputes_the_same_draft(uow, ready, paid):
    generate = GenerateAttestationHandler(uow)
    first = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=paid.client_id, amount=Money(500),
                             received_at=uow.clock.now(), method=PaymentMethod.CHEQUE))
    second = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    assert second.id == first.id and second.amount_paid == Money(6000)
    assert len(uow.attestations.items) == 1


def test_the_year_is_that_of_paris(uow, ready, marie, cards, worker):
    invoice = validated_invoice(uow, ready, marie, cards)
    uow.clock.current = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 1 January 2027 in Paris
    worker.run_until_idle()  # the debit goes through then
    generate = GenerateAttestationHandler(uow)
    before = contents(uow)
    with pytest.raises(NothingToAttest):
        generate(c.GenerateAttestation(ready.id, invoice.client_id, 2026))
    assert contents(uow) == before
    assert generate(c.GenerateAttestation(ready.id, invoice.client_id, 2027)).amount_paid == Money(5500)


def test_validated_only_once_the_year_is_over_until_then_a_draft_recomputed(uow, ready, paid):
    """In November the draft is a preview: validated then, it would leave out December's payments."""
    generate, validate = GenerateAttestationHandler(uow), ValidateAttestationHandler(uow)
    attestation = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    before = contents(uow)
    with pytest.raises(YearNotOver):
        validate(c.ValidateAttestation(ready.id, attestation.id))
    assert contents(uow) == before and attestation.status is AttestationStatus.DRAFT
    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=paid.client_id, amount=Money(500),
                             received_at=datetime(2026, 12, 20, 10, 0, tzinfo=UTC), method=PaymentMethod.CHEQUE))
    uow.clock.current = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    validated = validate(c.ValidateAttestation(ready.id, attestation.id))
    assert (validated.number, validated.amount_paid) == ("AF-2026-000001", Money(6000))


def test_validation_counts_what_was_paid_since_the_draft(uow, ready, paid):
    """Drafted in December, validated in January: the cheque of 20 December is on the attestation."""
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    assert attestation.amount_paid == Money(5500)
    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=paid.client_id, amount=Money(700),
                             received_at=datetime(2026, 12, 20, 10, 0, tzinfo=UTC), method=PaymentMethod.CHEQUE))
    uow.clock.current = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    validated = ValidateAttestationHandler(uow)(c.ValidateAttestation(ready.id, attestation.id))
    assert (validated.id, validated.number, validated.amount_paid) == (attestation.id, "AF-2026-000001", Money(6200))


def test_validate_numbers_once_and_freezes(uow, ready, paid):
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    uow.clock.current = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # the year is over
    validated = ValidateAttestationHandler(uow)(c.ValidateAttestation(ready.id, attestation.id))
    assert (validated.status, validated.number) == (AttestationStatus.VALIDATED, "AF-2026-000001")
    keys = {j.key for j in uow.outbox.jobs.values()}
    assert f"{Effect.PUBLISH_ATTESTATION.value}|attestation:{attestation.id}:validated" in keys
    assert f"{Effect.MAIL_ATTESTATION_AVAILABLE.value}|attestation:{attestation.id}:validated" in keys
    before = contents(uow)
    with pytest.raises(InvalidTransition):
        ValidateAttestationHandler(uow)(c.ValidateAttestation(ready.id, attestation.id))
    with pytest.raises(InvalidTransition):  # a validated attestation is not recomputed
        GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    assert contents(uow) == before and validated.amount_paid == Money(5500)


@pytest.mark.parametrize("year", [1999, 2101])
def test_absurd_years_are_refused(uow, ready, paid, year):
    before = contents(uow)
    with pytest.raises(InvalidValue):
        GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, paid.client_id, year))
    assert contents(uow) == before


def test_batch_reports_each_client_and_one_problem_stops_no_other(uow, ready, paid):
    from ogust.application.handlers.people import CreateClientHandler
    from ogust.domain.address import Address
    cash_only = CreateClientHandler(uow)(c.CreateClient(ready.id, "Paul", "Martin", "paul@example.fr",
                                                        Address("1 rue Basse", "75003", "Paris")))
    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=cash_only.id, amount=Money(1000),
                             received_at=uow.clock.now(), method=PaymentMethod.CASH))
    progress = []
    outcomes = GenerateAttestationsHandler(uow)(c.GenerateAttestations(ready.id, 2026), progress.append)
    by_client = {o.client_id: o for o in outcomes}
    assert by_client[paid.client_id].attestation_id is not None and by_client[paid.client_id].error is None
    assert by_client[cash_only.id].attestation_id is None and "2026" in by_client[cash_only.id].error
    assert progress == [1, 1] and len(uow.attestations.items) == 1


def test_a_refund_made_after_the_year_leaves_that_years_attestation_as_it_was(uow, ready, paid, worker):
    """Paid in 2026, part refunded to the card in January 2027: the 2026 attestation says what was paid
    in 2026 whether it is computed before or after the refund — the day an operator validates it no
    longer decides the client's tax credit. A refund within the year is deducted."""
    generate = GenerateAttestationHandler(uow)
    within = IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, paid.id, "Intervention écourtée", Money(500)))
    worker.run_until_idle()  # refunded to the card in November 2026
    assert uow.credit_notes.get(ready.id, within.id).refunded_at.year == 2026
    before = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026)).amount_paid
    assert before == Money(5000)
    uow.clock.current = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    later = IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, paid.id, "Geste commercial", Money(2000)))
    worker.run_until_idle()
    assert uow.credit_notes.get(ready.id, later.id).refunded_at.year == 2027
    [outcome] = GenerateAttestationsHandler(uow)(c.GenerateAttestations(ready.id, 2026))  # the batch's way
    assert uow.attestations.get(ready.id, outcome.attestation_id).amount_paid == Money(5000)
    after = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    validated = ValidateAttestationHandler(uow)(c.ValidateAttestation(ready.id, after.id))
    assert after.amount_paid == before == validated.amount_paid == Money(5000)
    # the January refund lowers 2027, the year it was received — through both ways of computing it
    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=paid.client_id, amount=Money(3000),
                             received_at=datetime(2027, 1, 20, 10, 0, tzinfo=UTC), method=PaymentMethod.CHEQUE))
    uow.clock.current = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    of_2027 = generate(c.GenerateAttestation(ready.id, paid.client_id, 2027))
    assert (of_2027.amount_paid, of_2027.refunds_deducted) == (Money(1000), Money(2000))
    [outcome] = GenerateAttestationsHandler(uow)(c.GenerateAttestations(ready.id, 2027))
    again = uow.attestations.get(ready.id, outcome.attestation_id)
    assert (again.id, again.amount_paid, again.refunds_deducted) == (of_2027.id, Money(1000), Money(2000))


def test_a_payment_recorded_after_validation_gives_an_attestation_rectificative(uow, ready, paid, worker, shop,
                                                                                mailer):
    """A cheque of 30 December entered in January, after the attestation was validated: it was on no
    attestation (the client lost its tax credit). Generated again, the year gets an attestation
    rectificative — a new number, naming the one it replaces, in its place in the client's account."""
    generate, validate = GenerateAttestationHandler(uow), ValidateAttestationHandler(uow)
    first = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    uow.clock.current = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    validate(c.ValidateAttestation(ready.id, first.id))
    worker.run_until_idle()
    with pytest.raises(InvalidTransition, match="validée et à jour : rien à rectifier"):
        generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))

    uow.payments.add(Payment(company_id=ready.id, invoice_id=paid.id, client_id=paid.client_id, amount=Money(800),
                             received_at=datetime(2026, 12, 30, 11, 0, tzinfo=UTC), method=PaymentMethod.CHEQUE))
    second = generate(c.GenerateAttestation(ready.id, paid.client_id, 2026))
    assert (second.id != first.id, second.status, second.revision, second.replaces_number, second.amount_paid) == (
        True, AttestationStatus.DRAFT, 2, "AF-2026-000001", Money(6300))
    assert uow.attestations.get(ready.id, first.id).amount_paid == Money(5500)  # the validated one never changes
    assert uow.attestations.for_client_year(ready.id, paid.client_id, 2026).id == second.id
    rectified = validate(c.ValidateAttestation(ready.id, second.id))
    assert rectified.number == "AF-2026-000002"
    worker.run_until_idle()
    [published] = [d for d in shop.documents.values() if d.kind == "attestation"]  # in the first one's place
    assert (published.id, published.number, published.amount_ttc_cents) == (first.id, "AF-2026-000002", 6300)
    assert "rectificative, remplace la n° AF-2026-000001" in published.title
    emailed = [n for n in mailer.sent if n.context.get("attestation_number") == "AF-2026-000002"]
    assert [n.context["replaces_number"] for n in emailed] == ["AF-2026-000001"]
    [outcome] = GenerateAttestationsHandler(uow)(c.GenerateAttestations(ready.id, 2026))  # the batch sees the same
    assert "validée et à jour" in outcome.error


def test_a_refund_given_back_by_the_company_is_taken_off_the_last_payment_made_otherwise(uow, ready, marie, cards):
    """20,00 € in CESU préfinancés, the other 35,00 € by cheque; an avoir of 10,00 € given back by
    cheque: it comes off the cheque (the last payment), once — not off each payment made otherwise."""
    from datetime import date

    from ogust.application.handlers.credit_notes import RecordRefundHandler
    from ogust.application.handlers.invoicing import RecordPaymentHandler

    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)  # 55,00 €
    record = RecordPaymentHandler(uow)
    record(c.RecordPayment(ready.id, invoice.id, PaymentMethod.CESU, date(2026, 11, 1), "CESU-1", Money(2000)))
    record(c.RecordPayment(ready.id, invoice.id, PaymentMethod.CHEQUE, date(2026, 11, 2), "123"))
    note = IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Heure non faite", Money(1000)))
    RecordRefundHandler(uow)(c.RecordRefund(ready.id, note.id, PaymentMethod.CHEQUE, date(2026, 11, 2)))
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(ready.id, invoice.client_id, 2026))
    assert (attestation.amount_paid, attestation.cesu_paid) == (Money(2500), Money(2000))
    [outcome] = GenerateAttestationsHandler(uow)(c.GenerateAttestations(ready.id, 2026))
    assert outcome.attestation_id == attestation.id and uow.attestations.get(ready.id, attestation.id).amount_paid \
        == Money(2500)
