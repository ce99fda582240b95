"""Credit notes (avoirs): the domain's rules, and the handler and refund job on fakes."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.application.commands import GenerateAttestation, IssueCreditNote
from ogust.application.effects.credit_notes import (
    PublishCreditNoteEffect,
    RefundCreditNoteEffect,
)
from ogust.application.effects.payments import ChargeInvoiceEffect
from ogust.application.effects.registry import build_effects
from ogust.application.handlers.attestations import GenerateAttestationHandler
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.outbox import Effect
from ogust.application.ports import ChargeRequest
from ogust.application.worker import OutboxProcessor, WorkerSettings
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import (
    CreditNote,
    RefundStatus,
    amount_credit_lines,
    full_credit_lines,
)
from ogust.domain.errors import (
    CreditExceedsInvoice,
    InvalidTransition,
    InvalidValue,
    RefundExceedsPayment,
)
from ogust.domain.events import (
    CreditNoteIssued,
    CreditNoteRefunded,
    CreditNoteRefundRequested,
)
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentAttempt, PaymentMethod
from ogust.domain.units import Quantity
from tests.fakes import FakeLinks, FakeMailer, FakeShopApi, FakeUnitOfWork, FixedClock

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


ZOE = Address("2 rue Haute", "75003", "Paris")


def an_invoice(*lines: InvoiceLine, number: str = "FA-2026-000001") -> Invoice:
    invoice = Invoice(company_id="co", client_id="cli", source=InvoiceSource.MANUAL, lines=list(lines) or [
        InvoiceLine("t1", "Ménage", Quantity.hours_minutes(150), Money(2500), VatRate.INTERMEDIATE_10,
                    performed_on=date(2026, 4, 6), intervenant_matricule="M001", intervenant_name="Marie Curie"),
        InvoiceLine("t2", "Aide à la toilette", Quantity.hours_minutes(60), Money(3000), VatRate.REDUCED_5_5,
                    performed_on=date(2026, 4, 8), intervenant_matricule="M002", intervenant_name="Paul Martin"),
    ])
    invoice.validate(number, date(2026, 4, 30), Client(company_id="co", first_name="Zoé", last_name="Lefèvre",
                                                       email="zoe@example.fr", address=ZOE, id="cli"))
    return invoice


def card_payment(invoice: Invoice, reference: str = "pi_1") -> Payment:
    return Payment(company_id=invoice.company_id, invoice_id=invoice.id, client_id=invoice.client_id,
                   amount=invoice.total_ttc, received_at=NOW, method=PaymentMethod.CARD, reference=reference)


def issue(invoice, lines, payments=(), earlier=(), number="AV-2026-000001") -> CreditNote:
    return CreditNote.issue(invoice, number, date(2026, 5, 4), "Geste commercial", lines, list(payments),
                            list(earlier), NOW)


# ---------------------------------------------------------------------- domain
def test_a_full_credit_note_takes_off_exactly_the_invoice():
    invoice = an_invoice()
    note = issue(invoice, full_credit_lines(invoice))
    assert (note.total_ht, note.total_vat, note.total_ttc) == (invoice.total_ht, invoice.total_vat, invoice.total_ttc)
    assert invoice.credited_ttc == invoice.total_ttc and invoice.creditable_ttc == Money(0)
    assert note.refund_status is RefundStatus.NONE  # not paid by card: nothing to refund
    assert [type(e) for e in note.pull_events()] == [CreditNoteIssued]


@pytest.mark.parametrize("cents", [1, 999, 1000, 3333, 10039])
def test_an_amount_is_spread_over_the_vat_rates_and_adds_up_exactly(cents):
    invoice = an_invoice()  # 68,75 € at 10 % and 31,65 € at 5,5 %
    lines = amount_credit_lines(invoice, Money(cents))
    assert sum(line.amount_ttc.cents for line in lines) == cents
    for line in lines:
        assert line.amount_ht == line.amount_ttc.times(10_000, 10_000 + line.vat_rate.value)


def test_credit_notes_never_add_up_to_more_than_the_invoice():
    invoice = an_invoice()
    first = issue(invoice, amount_credit_lines(invoice, Money(10000)))
    with pytest.raises(CreditExceedsInvoice):
        issue(invoice, amount_credit_lines(invoice, Money(41)), earlier=[first], number="AV-2026-000002")
    assert invoice.credited_ttc == Money(10000)
    issue(invoice, amount_credit_lines(invoice, Money(40)), earlier=[first], number="AV-2026-000002")
    assert invoice.creditable_ttc == Money(0)


def test_a_draft_invoice_gets_no_credit_note_and_a_reason_is_required():
    draft = Invoice(company_id="co", client_id="cli", source=InvoiceSource.MANUAL,
                    lines=[InvoiceLine("t1", "Ménage", Quantity.hours_minutes(60), Money(2500),
                                       VatRate.INTERMEDIATE_10)])
    with pytest.raises(InvalidTransition):
        draft.record_credit(Money(100))
    invoice = an_invoice()
    with pytest.raises(InvalidValue):
        CreditNote.issue(invoice, "AV-2026-000001", date(2026, 5, 4), "  ", full_credit_lines(invoice), [], [], NOW)


def test_a_card_payment_is_refunded_and_refunds_never_exceed_what_was_paid():
    invoice = an_invoice()
    paid = card_payment(invoice)
    note = issue(invoice, amount_credit_lines(invoice, Money(3000)), [paid])
    assert (note.refund_status, note.refund_amount, note.payment_intent_id) == (RefundStatus.PENDING, Money(3000),
                                                                                "pi_1")
    assert [type(e) for e in note.pull_events()] == [CreditNoteIssued, CreditNoteRefundRequested]
    # the card paid less than the invoice (say, a part was settled otherwise): refunds stop at what it paid
    partly = Payment(company_id="co", invoice_id=invoice.id, client_id="cli", amount=Money(5000), received_at=NOW,
                     method=PaymentMethod.CARD, reference="pi_1")
    with pytest.raises(RefundExceedsPayment):
        issue(invoice, amount_credit_lines(invoice, Money(2001)), [partly], earlier=[note], number="AV-2026-000002")


def test_a_refund_is_recorded_once():
    invoice = an_invoice()
    note = issue(invoice, full_credit_lines(invoice), [card_payment(invoice)])
    note.pull_events()
    assert note.mark_refunded("re_1", NOW) is True
    assert note.mark_refunded("re_1", NOW) is False
    assert [type(e) for e in note.pull_events()] == [CreditNoteRefunded]
    note.mark_refund_failed("trop tard")  # a refund made is never undone
    assert note.refund_status is RefundStatus.SUCCEEDED


# ---------------------------------------------------------------------- handler and jobs, on fakes
@pytest.fixture
def world():
    uow = FakeUnitOfWork(FixedClock(NOW))
    company = Company(name="Aide & Vous", address=Address("1 rue de la Paix", "75002", "Paris"),
                      siret="73282932000074", sap_declaration_number="SAP123456789",
                      sap_declaration_date=date(2020, 1, 15))
    company.link_shop("acc_demo", "0123456789abcdef0123")
    client = Client(company_id=company.id, first_name="Zoé", last_name="Lefèvre", email="zoe@example.fr",
                    address=Address("2 rue Haute", "75003", "Paris"), stripe_customer_id="cus_1",
                    stripe_payment_method_id="pm_1")
    uow.companies.add(company)
    uow.clients.add(client)
    invoice = an_invoice()
    invoice.company_id, invoice.client_id = company.id, client.id
    invoice.pull_events()
    uow.invoices.add(invoice)
    return uow, company, client, invoice, FakePaymentGateway(any_card_usable=True)


@pytest.fixture
def paid(world):
    """The invoice debited on the card, as the charge job records it."""
    uow, company, _client, invoice, gateway = world
    uow.payment_attempts.add(PaymentAttempt(company_id=company.id, invoice_id=invoice.id, number=1,
                                            amount=invoice.total_ttc, idempotency_key="key-1"))
    result = gateway.charge(ChargeRequest(company.id, invoice.id, invoice.number, invoice.total_ttc, "cus_1", "pm_1",
                                          "key-1"))
    ChargeInvoiceEffect(uow, gateway).record(company.id, invoice.id, 1, result)
    assert invoice.status.value == "paid"
    uow.outbox.jobs.clear()  # the debit's own jobs (emails, shop) are not this test's subject
    return world


def run_jobs(uow, gateway, shop):
    processor = OutboxProcessor(uow, build_effects(uow, shop, gateway, FakeMailer(), FakeLinks()),
                                WorkerSettings(backoff_base_seconds=1))
    return processor.run_until_idle()


def test_a_credit_note_on_a_card_paid_invoice_refunds_the_card_once_through_the_outbox(paid):
    uow, company, _client, invoice, gateway = paid
    shop = FakeShopApi()
    note = IssueCreditNoteHandler(uow)(IssueCreditNote(company.id, invoice.id, "Intervention annulée"))

    assert note.number == "AV-2026-000001" and note.total_ttc == invoice.total_ttc
    [refund_job] = uow.outbox.of_effect(Effect.REFUND_CREDIT_NOTE.value)
    assert refund_job.payload["credit_note_id"] == note.id
    run_jobs(uow, gateway, shop)

    assert note.refund_status is RefundStatus.SUCCEEDED and note.refund_id == "re_fake_1"
    assert gateway.refunded_cents == {"pi_fake_1": invoice.total_ttc.cents}
    # the job run again (a worker that died before recording it): the gateway's key answers, no second refund
    RefundCreditNoteEffect(uow, gateway)(refund_job)
    note.refund_status = RefundStatus.PENDING
    RefundCreditNoteEffect(uow, gateway)(refund_job)
    assert len(gateway.refunds) == 1 and gateway.refunded_cents == {"pi_fake_1": invoice.total_ttc.cents}
    # published to the shop as an avoir with a negative amount and a download link
    [document] = [d for d in shop.documents.values() if d.id == note.id]
    assert (document.kind, document.amount_ttc_cents, document.status) == ("credit_note", -invoice.total_ttc.cents,
                                                                          "refunded")
    assert document.download_url == f"https://ogust.test/d/credit_note/{note.id}"


def test_a_partial_refund_then_one_beyond_what_was_paid_is_refused(paid):
    uow, company, _client, invoice, gateway = paid
    handler = IssueCreditNoteHandler(uow)
    first = handler(IssueCreditNote(company.id, invoice.id, "Retard", Money(2000)))
    run_jobs(uow, gateway, FakeShopApi())
    assert first.refund_status is RefundStatus.SUCCEEDED and gateway.refunded_cents == {"pi_fake_1": 2000}

    with pytest.raises(CreditExceedsInvoice):
        handler(IssueCreditNote(company.id, invoice.id, "Encore", invoice.total_ttc))
    rest = handler(IssueCreditNote(company.id, invoice.id, "Solde"))  # the whole of what is left
    run_jobs(uow, gateway, FakeShopApi())
    assert rest.number == "AV-2026-000002" and rest.total_ttc == invoice.total_ttc - Money(2000)
    assert gateway.refunded_cents == {"pi_fake_1": invoice.total_ttc.cents}
    with pytest.raises(CreditExceedsInvoice):
        handler(IssueCreditNote(company.id, invoice.id, "De trop", Money(1)))


def test_refunds_are_checked_against_the_payment_before_calling_the_gateway(paid):
    uow, company, _client, invoice, gateway = paid
    note = IssueCreditNoteHandler(uow)(IssueCreditNote(company.id, invoice.id, "Retard", Money(2000)))
    [payment] = uow.payments.list(company.id)
    payment.amount = Money(1500)  # the books say less was paid than the avoir would refund
    run_jobs(uow, gateway, FakeShopApi())
    assert note.refund_status is RefundStatus.FAILED and "dépasserait" in note.refund_failure
    assert gateway.refund_requests == []


def test_an_unknown_refund_outcome_is_retried_with_the_same_key_and_refunds_once(paid):
    uow, company, _client, invoice, gateway = paid
    note = IssueCreditNoteHandler(uow)(IssueCreditNote(company.id, invoice.id, "Retard", Money(2000)))
    gateway.fail_refund_unknown(refund_first=True)  # refunded, but the answer was lost
    run_jobs(uow, gateway, FakeShopApi())
    assert note.refund_status is RefundStatus.PENDING
    uow.clock.advance(seconds=10)
    run_jobs(uow, gateway, FakeShopApi())
    assert note.refund_status is RefundStatus.SUCCEEDED
    assert {r.idempotency_key for r in gateway.refund_requests} == {note.refund_key}
    assert len(gateway.refund_requests) == 2 and gateway.refunded_cents == {"pi_fake_1": 2000}


def test_an_invoice_not_paid_by_card_gets_an_avoir_without_refund(world):
    uow, company, _client, invoice, _gateway = world
    note = IssueCreditNoteHandler(uow)(IssueCreditNote(company.id, invoice.id, "Erreur de tarif", Money(500)))
    assert note.refund_status is RefundStatus.NONE
    assert uow.outbox.of_effect(Effect.REFUND_CREDIT_NOTE.value) == []
    assert len(uow.outbox.of_effect(Effect.PUBLISH_CREDIT_NOTE.value)) == 1


def test_the_attestation_counts_what_the_client_kept_paying(paid):
    uow, company, client, invoice, gateway = paid
    IssueCreditNoteHandler(uow)(IssueCreditNote(company.id, invoice.id, "Retard", Money(2000)))
    run_jobs(uow, gateway, FakeShopApi())
    attestation = GenerateAttestationHandler(uow)(GenerateAttestation(company.id, client.id, 2026))
    assert attestation.amount_paid == invoice.total_ttc - Money(2000)


def test_publishing_goes_through_the_effect_with_a_signed_link(paid):
    uow, company, _client, invoice, _gateway = paid
    note = IssueCreditNoteHandler(uow)(IssueCreditNote(company.id, invoice.id, "Retard", Money(2000)))
    shop = FakeShopApi()
    [job] = uow.outbox.of_effect(Effect.PUBLISH_CREDIT_NOTE.value)
    PublishCreditNoteEffect(uow, shop, FakeLinks())(job)
    [document] = shop.documents.values()
    assert (document.number, document.title, document.status) == (
        note.number, f"Avoir {note.number} (facture {invoice.number})", "refund_pending")
