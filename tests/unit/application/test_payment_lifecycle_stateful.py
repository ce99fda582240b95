"""The invoice and payment lifecycle as a state machine (hypothesis): invoices are validated, the
worker runs with unknown outcomes injected (Stripe timing out before or after debiting), the bank
asks for 3-D Secure and the client confirms — or an operator cancels the debit awaiting it —, Stripe's
webhooks arrive duplicated and in any order, operators retry payments, record cheques and transfers,
issue credit notes whose refunds also time out, and record the refunds they made themselves.

Whatever the sequence: at most one successful debit per invoice; an invoice is paid only with a
PaymentIntent that succeeded or a payment recorded by an operator — never both — and once everything
is delivered, paid if and only if one of them was; refunds never above what was paid, by card or
given back by the company."""
from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.application import commands as c
from ogust.application.effects.registry import build_effects
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler, RecordRefundHandler
from ogust.application.handlers.invoicing import (
    ManualInvoiceHandler,
    RecordPaymentHandler,
    RetryPaymentHandler,
    ValidateInvoiceHandler,
)
from ogust.application.handlers.payments import CancelDebitHandler, RecordPaymentEvent, RecordPaymentEventHandler
from ogust.application.handlers.people import CreateIntervenantHandler
from ogust.application.handlers.setup import CreateTarifHandler, LinkShopAccountHandler
from ogust.application.outbox import JobStatus
from ogust.application.ports import ChargeOutcome, PaymentOutcomeUnknown
from ogust.application.worker import OutboxProcessor, WorkerSettings
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import RefundStatus
from ogust.domain.errors import DomainError
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit
from tests.fakes import FakeLinks, FakeMailer, FakeShopApi, FakeUnitOfWork, FixedClock

EVENT_TYPES = {ChargeOutcome.SUCCEEDED: "payment_intent.succeeded",
               ChargeOutcome.DECLINED: "payment_intent.payment_failed",
               ChargeOutcome.AUTHENTICATION_REQUIRED: "payment_intent.requires_action"}
CARDS = ("pm_ok", "pm_declined", "pm_3ds")
PARIS = ZoneInfo("Europe/Paris")
RECORDED = (PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CESU, PaymentMethod.CASH)
GIVEN_BACK = (PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CASH)


class PaymentLifecycle(RuleBasedStateMachine):
    invoices = Bundle("invoices")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
        self.uow = FakeUnitOfWork(self.clock)
        self.gateway = FakePaymentGateway(any_card_usable=True)
        self.gateway.outcomes["pm_declined"] = ChargeOutcome.DECLINED
        self.gateway.outcomes["pm_3ds"] = ChargeOutcome.AUTHENTICATION_REQUIRED
        shop = FakeShopApi()
        self.worker = OutboxProcessor(self.uow, build_effects(self.uow, shop, self.gateway, FakeMailer(), FakeLinks()),
                                      WorkerSettings(backoff_base_seconds=1, backoff_max_seconds=60), name="w")
        company = Company(name="Aide & Vous", address=Address("1 rue de la Paix", "75002", "Paris"),
                          siret="73282932000074", sap_declaration_number="SAP123456789",
                          sap_declaration_date=date(2020, 1, 15))
        self.uow.companies.add(company)
        self.company_id = company.id
        CreateTarifHandler(self.uow)(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                                   VatRate.INTERMEDIATE_10))
        LinkShopAccountHandler(self.uow, shop)(c.LinkShopAccount(company.id, "acc_demo", "s" * 32))
        self.marie = CreateIntervenantHandler(self.uow)(c.CreateIntervenant(company.id, "Marie", "Curie", "M001")).id
        self.clients = {}
        for n, pm in enumerate(CARDS):
            client = Client(company.id, "Jean", f"Dupont{n}", f"jean{n}@example.fr",
                            Address("3 rue Haute", "75002", "Paris"))
            client.save_payment_method(f"cus_{n}", pm)
            self.uow.clients.add(client)
            self.clients[pm] = client.id
        self.record_event = RecordPaymentEventHandler(self.uow)
        self.events: list[RecordPaymentEvent] = []  # every event Stripe has sent so far
        self.emitted: set[tuple[str, ChargeOutcome]] = set()

    # ------------------------------------------------------------------ helpers
    def _emit_events(self) -> None:
        """What Stripe would send: one event per PaymentIntent status reached."""
        for key, result in list(self.gateway.charges.items()):
            if result.payment_intent_id and (result.payment_intent_id, result.outcome) not in self.emitted:
                self.emitted.add((result.payment_intent_id, result.outcome))
                self.events.append(RecordPaymentEvent(f"evt_{len(self.events) + 1}", EVENT_TYPES[result.outcome],
                                                      result.payment_intent_id, result.reason, key))

    def _attempt(self, action, *args) -> None:
        """An operator's action: a refusal (a domain error) is fine, anything else is a bug."""
        try:
            action(*args)
        except DomainError:
            pass

    def _succeeded_intents(self, invoice_id: str) -> list[str]:
        return [result.payment_intent_id for key, result in self.gateway.charges.items()
                if result.outcome is ChargeOutcome.SUCCEEDED
                and self.gateway._requests_by_key[key].invoice_id == invoice_id]

    # ------------------------------------------------------------------ rules
    @rule(target=invoices, card=st.sampled_from(CARDS), minutes=st.integers(1, 600))
    def create_invoice(self, card: str, minutes: int) -> str:
        invoice = ManualInvoiceHandler(self.uow)(c.ManualInvoice(
            self.company_id, self.clients[card],
            (c.ManualInvoiceLine("MEN", minutes, date(2026, 10, 30), self.marie),)))
        return invoice.id

    @rule(invoice_id=invoices)
    def validate(self, invoice_id: str) -> None:
        self._attempt(ValidateInvoiceHandler(self.uow), c.ValidateInvoice(self.company_id, invoice_id))

    @rule(times=st.integers(1, 3), debit_first=st.booleans())
    def stripe_times_out(self, times: int, debit_first: bool) -> None:
        self.gateway.fail_unknown(times, debit_first=debit_first)

    @rule(times=st.integers(1, 2), refund_first=st.booleans())
    def stripe_refund_times_out(self, times: int, refund_first: bool) -> None:
        self.gateway.fail_refund_unknown(times, refund_first=refund_first)

    @rule(card=st.sampled_from(CARDS), outcome=st.sampled_from(list(ChargeOutcome)))
    def the_bank_changes_its_mind(self, card: str, outcome: ChargeOutcome) -> None:
        """The next PaymentIntents on this card end otherwise (funds back, 3-D Secure asked…)."""
        self.gateway.outcomes[card] = outcome

    @rule(seconds=st.integers(1, 4000))
    def run_worker(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)
        self.worker.run_until_idle()
        self._emit_events()

    @rule(data=st.data())
    def client_confirms_3ds(self, data) -> None:
        waiting = sorted(r.payment_intent_id for r in self.gateway.charges.values()
                         if r.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED)
        if waiting:
            self.gateway.authenticate(data.draw(st.sampled_from(waiting)))
            self._emit_events()

    @rule(data=st.data(), fresh_id=st.booleans())
    def deliver_webhook(self, data, fresh_id: bool) -> None:
        """Any event sent so far, again or late: duplicated (same id, or resent under a new id) and reordered."""
        if not self.events:
            return
        event = data.draw(st.sampled_from(self.events))
        if fresh_id:
            event = RecordPaymentEvent(f"{event.event_id}_resent_{data.draw(st.integers(0, 9))}", event.event_type,
                                       event.payment_intent_id, event.reason, event.idempotency_key)
        self.record_event(event)

    @rule(invoice_id=invoices)
    def retry_payment(self, invoice_id: str) -> None:
        self._attempt(RetryPaymentHandler(self.uow), c.RetryPayment(self.company_id, invoice_id))

    @rule(invoice_id=invoices, method=st.sampled_from(RECORDED))
    def record_payment(self, invoice_id: str, method: PaymentMethod) -> None:
        """The client paid otherwise (a cheque…): refused while a debit is under way or awaits 3-D Secure."""
        received_on = self.clock.now().astimezone(PARIS).date()
        self._attempt(RecordPaymentHandler(self.uow), c.RecordPayment(self.company_id, invoice_id, method,
                                                                      received_on, "1234567"))

    @rule(invoice_id=invoices, method=st.sampled_from(RECORDED), share=st.sampled_from([20, 50, 90]))
    def record_part(self, invoice_id: str, method: PaymentMethod, share: int) -> None:
        """A part paid otherwise (CESU préfinancés for part…): what is left stays due, and a debit of
        the card asks only for it; refused while a debit is under way or awaits 3-D Secure."""
        part = self.uow.invoices.get(self.company_id, invoice_id).amount_due.cents * share // 100
        if part > 0:
            received_on = self.clock.now().astimezone(PARIS).date()
            self._attempt(RecordPaymentHandler(self.uow), c.RecordPayment(self.company_id, invoice_id, method,
                                                                          received_on, "part", Money(part)))

    def _recorded(self, invoice_id: str) -> list:
        return [p for p in self.uow.payments.list(self.company_id)
                if p.invoice_id == invoice_id and p.method is not PaymentMethod.CARD]

    @rule(invoice_id=invoices)
    def cancel_debit(self, invoice_id: str) -> None:
        """The operator cancels the debit awaiting 3-D Secure (Stripe may not answer: try again later)."""
        waiting = {r.payment_intent_id for r in self.gateway.charges.values()
                   if r.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED}
        try:
            self._attempt(CancelDebitHandler(self.uow, self.gateway), c.CancelDebit(self.company_id, invoice_id))
        except PaymentOutcomeUnknown:
            pass
        for result in self.gateway.charges.values():  # Stripe tells of a cancelled PaymentIntent as such
            if result.payment_intent_id in waiting and result.outcome is ChargeOutcome.DECLINED:
                self.emitted.add((result.payment_intent_id, result.outcome))
                self.events.append(RecordPaymentEvent(f"evt_{len(self.events) + 1}", "payment_intent.canceled",
                                                      result.payment_intent_id))
        self._emit_events()

    @rule(data=st.data(), method=st.sampled_from(GIVEN_BACK))
    def record_refund(self, data, method: PaymentMethod) -> None:
        """The company gives a credit note back itself: refused unless the client paid beyond what is due."""
        notes = sorted(n.id for n in self.uow.credit_notes.list(self.company_id))
        if notes:
            on = self.clock.now().astimezone(PARIS).date()
            self._attempt(RecordRefundHandler(self.uow),
                          c.RecordRefund(self.company_id, data.draw(st.sampled_from(notes)), method, on, "R-1"))

    @rule(invoice_id=invoices, cents=st.one_of(st.none(), st.integers(1, 20_000)))
    def credit_note(self, invoice_id: str, cents: int | None) -> None:
        amount = None if cents is None else Money(cents)
        self._attempt(IssueCreditNoteHandler(self.uow),
                      c.IssueCreditNote(self.company_id, invoice_id, "Geste commercial", amount))

    # ------------------------------------------------------------------ invariants
    @invariant()
    def at_most_one_successful_debit_per_invoice(self) -> None:
        for invoice in self.uow.invoices.list(self.company_id):
            assert len(self._succeeded_intents(invoice.id)) <= 1, f"{invoice.number} débitée deux fois"

    @invariant()
    def paid_only_with_a_succeeded_payment_intent_or_a_recorded_payment_never_both(self) -> None:
        for invoice in self.uow.invoices.list(self.company_id):
            payments = [p for p in self.uow.payments.list(self.company_id) if p.invoice_id == invoice.id]
            card = [p for p in payments if p.method is PaymentMethod.CARD]
            # never paid twice: all that was received stays within the invoice
            assert sum(p.amount.cents for p in payments) <= invoice.total_ttc.cents, f"{invoice.number} payée deux fois"
            assert all(p.amount.cents > 0 for p in payments)
            if card:
                assert invoice.status is InvoiceStatus.PAID and len(card) == 1
                assert invoice.payment_reference in self._succeeded_intents(invoice.id)
                assert card[0].reference == invoice.payment_reference
                [debit] = [a for a in self.uow.payment_attempts.for_invoice(self.company_id, invoice.id)
                           if a.payment_intent_id == invoice.payment_reference]
                assert card[0].amount == debit.amount <= invoice.total_ttc
            elif invoice.status is InvoiceStatus.PAID:
                assert self._recorded(invoice.id) and self._succeeded_intents(invoice.id) == [], \
                    f"{invoice.number} payée deux fois"

    @invariant()
    def refunds_never_above_what_was_paid(self) -> None:
        for invoice in self.uow.invoices.list(self.company_id):
            paid = sum(p.amount.cents for p in self.uow.payments.list(self.company_id)
                       if p.invoice_id == invoice.id and p.method is PaymentMethod.CARD)
            notes = self.uow.credit_notes.for_invoice(self.company_id, invoice.id)
            asked = sum(n.refund_amount.cents for n in notes
                        if n.refund_status is not RefundStatus.NONE and n.refund_method is None)
            assert asked <= paid
            recorded = sum(p.amount.cents for p in self._recorded(invoice.id))
            given_back = sum(n.refund_amount.cents for n in notes if n.refund_method is not None)
            assert given_back <= recorded, (given_back, recorded)
            # both only for an invoice paid in part otherwise: the card gives back what it paid, the company the rest
            assert not (given_back and asked) or invoice.paid_ttc.cents > 0, "given back both ways"
            assert sum(n.total_ttc.cents for n in notes) <= invoice.total_ttc.cents
            for pi in self._succeeded_intents(invoice.id):
                assert self.gateway.refunded_cents.get(pi, 0) <= invoice.total_ttc.cents
        for request in self.gateway.refund_requests:
            assert request.payment_intent_id in self._succeeded_intents(request.invoice_id)

    def _drain(self) -> None:
        for _ in range(50):  # until no job is waiting for its retry (the injected timeouts are used up)
            self.clock.advance(seconds=7200)
            self.worker.run_until_idle()
            self._emit_events()
            if not any(job.status in (JobStatus.PENDING, JobStatus.PROCESSING)
                       for job in self.uow.outbox.jobs.values()):
                break

    def teardown(self) -> None:
        """Once every event is delivered and the worker has nothing left: paid iff a PaymentIntent succeeded."""
        self._drain()
        for event in list(self.events):
            self.record_event(event)
        self._drain()  # what the events started (a refund of a credit note issued during the debit…)
        for invoice in self.uow.invoices.list(self.company_id):
            succeeded = self._succeeded_intents(invoice.id)
            recorded = sum(p.amount.cents for p in self._recorded(invoice.id))
            notes = self.uow.credit_notes.for_invoice(self.company_id, invoice.id)
            given_back = sum(n.refund_amount.cents for n in notes if n.refund_method is not None)
            if succeeded:
                assert invoice.status is InvoiceStatus.PAID, (invoice.status, succeeded)
            elif invoice.status is InvoiceStatus.PAID:  # paid otherwise, all of what was due
                assert recorded > 0 and invoice.left_to_pay == Money(0)
            # in the end the card pays exactly the invoice less its credit notes and the parts paid
            # otherwise, whenever they were issued
            kept = sum(self.gateway.charges[key].payment_intent_id in succeeded and r.amount.cents or 0
                       for key, r in self.gateway._requests_by_key.items())
            kept -= sum(self.gateway.refunded_cents.get(pi, 0) for pi in succeeded)
            if succeeded:
                assert kept == (invoice.total_ttc - invoice.credited_ttc).cents - (recorded - given_back), (
                    kept, invoice.total_ttc, invoice.credited_ttc, recorded, given_back)


def test_a_late_decline_of_an_earlier_attempt_does_not_reopen_an_invoice_awaiting_3ds() -> None:
    """Found by the machine: attempt 1 declined, attempt 2 awaiting 3-D Secure, then attempt 1's
    decline delivered again (resent under a new id) moved the invoice back to "payment failed"; a
    retry then debited the card while the client could still confirm attempt 2: two debits."""
    machine = PaymentLifecycle()
    invoice_id = machine.create_invoice("pm_declined", 120)
    machine.validate(invoice_id)
    machine.run_worker(1)
    machine.the_bank_changes_its_mind("pm_declined", ChargeOutcome.AUTHENTICATION_REQUIRED)
    machine.retry_payment(invoice_id)
    machine.run_worker(1)
    declined = machine.events[0]
    machine.record_event(RecordPaymentEvent("evt_resent", declined.event_type, declined.payment_intent_id))
    assert machine.uow.invoices.get(machine.company_id, invoice_id).status is InvoiceStatus.NEEDS_AUTHENTICATION
    machine.the_bank_changes_its_mind("pm_declined", ChargeOutcome.SUCCEEDED)
    machine.retry_payment(invoice_id)  # refused: the bank awaits the client
    machine.run_worker(1)
    machine.gateway.authenticate(machine.events[1].payment_intent_id)  # the client confirms attempt 2
    machine._emit_events()
    machine.teardown()
    assert len(machine._succeeded_intents(invoice_id)) == 1
    assert machine.uow.invoices.get(machine.company_id, invoice_id).status is InvoiceStatus.PAID


def test_a_debit_whose_answer_never_came_is_recorded_by_its_webhook() -> None:
    """Found by the machine: Stripe debited the card but every answer was lost until the charge job
    went to the dead letter; the PaymentIntent id was never recorded, so its webhook was ignored and
    the invoice stayed unpaid although the card was debited. The webhook now finds the attempt by
    the idempotency key the PaymentIntent carries in its metadata."""
    machine = PaymentLifecycle()
    invoice_id = machine.create_invoice("pm_ok", 120)
    machine.validate(invoice_id)
    machine.gateway.fail_unknown(40, debit_first=True)
    for _ in range(30):
        machine.run_worker(4000)
    dead = [job for job in machine.uow.outbox.jobs.values() if job.effect == "payment.charge_invoice"]
    assert [job.status for job in dead] == [JobStatus.DEAD]
    assert machine.uow.invoices.get(machine.company_id, invoice_id).status is InvoiceStatus.VALIDATED
    assert len(machine.events) == 1  # Stripe's payment_intent.succeeded
    assert machine.record_event(machine.events[0]) == "applied"
    invoice = machine.uow.invoices.get(machine.company_id, invoice_id)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.payment_reference == machine._succeeded_intents(invoice_id)[0]
    machine.teardown()


def test_no_new_debit_while_the_previous_one_has_no_known_outcome() -> None:
    """Found by the machine (3,000 examples, 29 November): attempt 1 declined; the retry's debit timed
    out (its outcome unknown, the job to try again); a second retry was accepted and queued attempt 3;
    when the bank accepted, both attempts debited the card. A retry is now refused while an earlier
    debit is under way."""
    machine = PaymentLifecycle()
    invoice_id = machine.create_invoice("pm_declined", 2)
    machine.validate(invoice_id)
    machine.run_worker(1)
    machine.retry_payment(invoice_id)
    machine.stripe_times_out(times=1, debit_first=False)
    machine.run_worker(1)  # attempt 2: no answer, to be tried again
    before = len(machine.uow.outbox.jobs)
    machine.retry_payment(invoice_id)  # refused: attempt 2 may still debit the card
    assert len(machine.uow.outbox.jobs) == before
    machine.stripe_times_out(times=1, debit_first=True)
    machine.the_bank_changes_its_mind("pm_declined", ChargeOutcome.SUCCEEDED)
    machine.run_worker(1)
    machine.teardown()
    assert len(machine._succeeded_intents(invoice_id)) == 1
    assert machine.uow.invoices.get(machine.company_id, invoice_id).status is InvoiceStatus.PAID


PaymentLifecycle.TestCase.settings = settings(max_examples=int(os.environ.get("OGUST_STATEFUL_EXAMPLES", "400")),
                                              stateful_step_count=30, deadline=None,
                                              suppress_health_check=[HealthCheck.too_slow])
test_payment_lifecycle = PaymentLifecycle.TestCase
