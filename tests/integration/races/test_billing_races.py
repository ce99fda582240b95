"""Operators racing each other and the workers on one invoice, through two API processes on
PostgreSQL: validating it twice, crediting it twice, recording its payment twice, recording it while
a worker debits the card, and the month-end run debiting beside the workers. Many rounds, each on an
invoice of its own; what is asserted is the invariant, never who won."""
from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ogust.application.outbox import Effect, JobStatus, charge_job_key
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.payment import AttemptStatus, PaymentMethod
from tests.integration.races.checks import gaps_in_series, invoices_debited_twice, invoices_overpaid
from tests.integration.races.conftest import NEEDS_POSTGRESQL
from tests.integration.races.harness import RaceOffice
from tests.integration.races.rounds import Rounds, refused
from tests.integration.races.senders import Senders
from tests.support.access import api_key

pytestmark = [pytest.mark.integration, NEEDS_POSTGRESQL]

ROUNDS = int(os.environ.get("OGUST_RACE_ROUNDS", "20"))
TTC = 5500  # every invoice here: 2 h of ménage, 55,00 € TTC
CONFLICT = ("conflict", "invoice_already_validated", "invalid_transition")


def _today() -> str:
    return date.today().isoformat()


def _succeeded_intents(office: RaceOffice) -> Counter[str]:
    """Succeeded PaymentIntents at localstripe, per invoice of the company (from the metadata ogust sends)."""
    return Counter(i["metadata"]["invoice"] for i in office.stripe.list_payment_intents()
                   if (i.get("metadata") or {}).get("company") == office.company_id and i["status"] == "succeeded")


def test_two_operators_validating_one_draft_number_it_once(office: RaceOffice, senders: Senders) -> None:
    rounds = Rounds("two operators validate one draft")
    drafts = [office.draft(office.client(card=True)) for _ in range(ROUNDS)]
    reader = api_key(office.container, office.company_id, "read", name="races-read")
    for r, invoice_id in enumerate(drafts):
        # the third call: a key that may not validate (a forged one, or a read-only one)
        hostile_key = reader if r % 2 else f"ogk_{uuid.uuid4().hex[:8]}_{uuid.uuid4().hex}"
        answers = office.record(senders.fire([
            office.operator("validate (1)", r, "POST", f"/invoices/{invoice_id}/validate"),
            office.operator("validate (2)", r + 1, "POST", f"/invoices/{invoice_id}/validate"),
            office.operator("validate, bad key", r, "POST", f"/invoices/{invoice_id}/validate", key=hostile_key),
        ]))
        invoice = office.container.queries().invoice(office.company_id, invoice_id).invoice
        ok = [a for a in answers[:2] if a.status == 200]
        problems = [] if answers[2].status in (401, 403) else [f"bad key: {answers[2].status}, expected 401 or 403"]
        if len(ok) != 1:
            problems.append(f"{len(ok)} validations answered 200")
        else:
            problems += refused(answers[1] if ok[0] is answers[0] else answers[0], *CONFLICT)
            if ok[0].body.get("number") != invoice.number:
                problems.append(f"answered {ok[0].body.get('number')}, stored {invoice.number}")
            rounds.outcomes[f"won on {office.process_of(ok[0])}"] += 1
        if invoice.status is InvoiceStatus.DRAFT or invoice.number is None:
            problems.append("the invoice is still a draft")
        rounds.judge(r, answers, problems, invoice=(invoice.number, invoice.status))
    rounds.verdict()

    office.effects_settled()
    assert not gaps_in_series(office.container.engine(), office.company_id)
    assert not invoices_debited_twice(office.container.engine(), office.company_id)
    intents = _succeeded_intents(office)
    attempts = {i: office.container.queries().invoice(office.company_id, i).attempts for i in drafts}
    debits = {i: [a.status for a in found] for i, found in attempts.items()}
    assert {i: intents[i] for i in drafts} == dict.fromkeys(drafts, 1), debits
    assert all(found == [AttemptStatus.SUCCEEDED] for found in debits.values()), debits


def test_two_operators_crediting_one_invoice_never_credit_more_than_it(office: RaceOffice, senders: Senders) -> None:
    rounds = Rounds("two operators credit one invoice")
    # half paid by card (debited by the workers before the race: a credit note is then refunded to the
    # card), half not paid yet (a credit note lowers what is due)
    paid_by_card = {office.validated(office.client(card=True)) for _ in range(ROUNDS // 2)}
    invoices = [office.validated(office.client()) if r % 2 else paid_by_card.pop() for r in range(ROUNDS)]
    office.effects_settled()
    pairs = [({"reason": "Intervention écourtée", "amount_cents": 4000},) * 2,
             ({"reason": "Intervention annulée", "full": True},) * 2,
             ({"reason": "Intervention annulée", "full": True}, {"reason": "Geste", "amount_cents": 4000})]
    hostile = [{"reason": "Plus que la facture", "amount_cents": TTC + 100},
               {"reason": "Les deux à la fois", "amount_cents": 100, "full": True},
               {"reason": "Montant nul", "amount_cents": 0}]
    for r, invoice_id in enumerate(invoices):
        first, second = pairs[r % len(pairs)]
        answers = office.record(senders.fire([
            office.operator("credit note (1)", r, "POST", f"/invoices/{invoice_id}/credit-notes", first),
            office.operator("credit note (2)", r + 1, "POST", f"/invoices/{invoice_id}/credit-notes", second),
            office.operator("credit note, hostile", r, "POST", f"/invoices/{invoice_id}/credit-notes",
                            hostile[r % len(hostile)]),
        ]))
        with office.container.uow() as uow:
            invoice = uow.invoices.get(office.company_id, invoice_id)
            notes = uow.credit_notes.for_invoice(office.company_id, invoice_id)
            payments = uow.payments.for_invoice(office.company_id, invoice_id)
        credited = sum(n.total_ttc.cents for n in notes)
        accepted = [a for a in answers[:2] if a.status == 201]
        problems = refused(answers[2], "credit_exceeds_invoice", "invalid_request", "invalid_value")
        problems += [f"{a.label}: {a.status}, expected 201 or 409" for a in answers[:2] if a.status not in (201, 409)]
        problems += refused(next(a for a in answers[:2] if a.status != 201), "credit_exceeds_invoice", "conflict") \
            if len(accepted) == 1 else []
        if sorted(a.body["number"] for a in accepted) != sorted(n.number for n in notes):
            problems.append(f"{len(accepted)} answered 201, {len(notes)} credit notes stored")
        if credited > invoice.total_ttc.cents or invoice.credited_ttc.cents != credited:
            problems.append(f"credited {credited} (invoice says {invoice.credited_ttc.cents}) of {invoice.total_ttc}")
        if not accepted:
            problems.append("both refused, though either fits the invoice alone")
        if first == second and len(accepted) != 1:
            problems.append("two identical credit notes that cannot both fit: exactly one must pass")
        refunds = sum(n.refund_amount.cents for n in notes)
        if refunds > sum(p.amount.cents for p in payments):
            problems.append(f"refunds {refunds} above what was paid {[p.amount for p in payments]}")
        rounds.outcomes[f"{len(accepted)} credit note(s)"] += 1
        rounds.judge(r, answers, problems, notes=[(n.number, n.total_ttc.cents, n.refund_status) for n in notes],
                     invoice=(invoice.number, invoice.status, invoice.total_ttc.cents))
    rounds.verdict()

    # the refunds to the card, at localstripe: once each, never more than the debit
    office.effects_settled()
    with office.container.uow() as uow:
        for invoice_id in invoices:
            notes = uow.credit_notes.for_invoice(office.company_id, invoice_id)
            attempts = uow.payment_attempts.for_invoice(office.company_id, invoice_id)
            for attempt in [a for a in attempts if a.status is AttemptStatus.SUCCEEDED]:
                given = office.stripe.list_refunds(attempt.payment_intent_id)
                assert sum(g["amount"] for g in given) == sum(n.refund_amount.cents for n in notes) <= TTC, \
                    (invoice_id, given, notes)
    assert not gaps_in_series(office.container.engine(), office.company_id)


def test_two_operators_recording_the_whole_payment_record_it_once(office: RaceOffice, senders: Senders) -> None:
    rounds = Rounds("two operators record the whole payment")
    invoices = [office.validated(office.client()) for _ in range(ROUNDS)]
    office.effects_settled()
    hostile = [{"method": "cheque", "received_on": _today(), "amount_cents": TTC + 1},
               {"method": "carte", "received_on": _today()},
               {"method": "virement", "received_on": "2999-01-01"}]
    for r, invoice_id in enumerate(invoices):
        payment = {"method": "cheque" if r % 2 else "transfer", "received_on": _today(), "reference": f"R{r}"}
        answers = office.record(senders.fire([
            office.operator("payment (1)", r, "POST", f"/invoices/{invoice_id}/payments", payment),
            office.operator("payment (2)", r + 1, "POST", f"/invoices/{invoice_id}/payments", payment),
            office.operator("payment, hostile", r, "POST", f"/invoices/{invoice_id}/payments",
                            hostile[r % len(hostile)]),
        ]))
        view = office.container.queries().invoice(office.company_id, invoice_id)
        accepted = [a for a in answers[:2] if a.status == 201]
        problems = refused(answers[2])
        if len(accepted) != 1:
            problems.append(f"{len(accepted)} payments answered 201")
        else:
            problems += refused(next(a for a in answers[:2] if a is not accepted[0]), *CONFLICT)
        if [p.amount.cents for p in view.payments] != [TTC] or view.invoice.status is not InvoiceStatus.PAID:
            problems.append("not paid exactly once, in full")
        rounds.judge(r, answers, problems, invoice=(view.invoice.number, view.invoice.status),
                     payments=[(p.method, p.amount.cents) for p in view.payments])
    rounds.verdict()


def test_an_operator_payment_racing_the_card_debit_never_both(office: RaceOffice, senders: Senders) -> None:
    """The operator records a cheque for the whole invoice while a worker debits the card: one of the
    two pays it, never both. The cheque is sent a little later each round (0 to 0.7 s after the
    validation that queues the debit), to land before, during and after the worker's debit."""
    rounds = Rounds("an operator's payment against a worker's debit")
    drafts = [office.draft(office.client(card=True)) for _ in range(ROUNDS)]
    raced = []
    for r, invoice_id in enumerate(drafts):
        delay = (r % 8) * 0.1
        raced.append(office.record(senders.fire([
            office.operator("validate", r, "POST", f"/invoices/{invoice_id}/validate"),
            office.operator(f"cheque after {delay:.1f} s", r + 1, "POST", f"/invoices/{invoice_id}/payments",
                            {"method": "cheque", "received_on": _today(), "reference": f"C{r}"}, delay=0.05 + delay),
            office.operator("retry the debit", r, "POST", f"/invoices/{invoice_id}/retry-payment",
                            delay=0.05 + delay),
        ])))
    office.effects_settled()
    intents = _succeeded_intents(office)
    for r, (invoice_id, answers) in enumerate(zip(drafts, raced, strict=True)):
        problems = [] if answers[0].status == 200 else [f"validate: {answers[0].status}"]
        problems += [] if answers[1].status in (201, 409) else [f"cheque: {answers[1].status}, expected 201 or 409"]
        problems += refused(answers[2])  # nothing to retry: no debit has failed
        view = office.container.queries().invoice(office.company_id, invoice_id)
        debited = [a for a in view.attempts if a.status is AttemptStatus.SUCCEEDED]
        otherwise = [p for p in view.payments if p.method is not PaymentMethod.CARD]
        if len(debited) + len(otherwise) != 1 or intents[invoice_id] != len(debited):
            problems.append(f"{len(debited)} debit(s) ({intents[invoice_id]} at Stripe), {len(otherwise)} cheque(s)")
        if (answers[1].status == 201) != bool(otherwise):
            problems.append("the cheque's answer does not say what was stored")
        if view.invoice.status is not InvoiceStatus.PAID:
            problems.append(f"left {view.invoice.status.value}")
        rounds.outcomes["paid by cheque" if otherwise else "debited"] += 1
        rounds.judge(r, answers, problems, attempts=[(a.number, a.status) for a in view.attempts],
                     payments=[(p.method, p.amount.cents) for p in view.payments])
    rounds.verdict()


MONTH_END_ROUNDS = max(ROUNDS // 8, 2)
CLIENTS_PER_MONTH = 8
DRAFTS_PER_MONTH = 6


@dataclass
class _Month:
    year: int
    month: int
    clients: list
    drafts: list[str]
    log: Path
    run: subprocess.Popen[bytes] | None = None
    answers: list = field(default_factory=list)


def _month_to_close(office: RaceOffice, year: int, month: int, tmp_path: Path) -> _Month:
    clients = [office.client(card=True) for _ in range(CLIENTS_PER_MONTH)]
    for n, client in enumerate(clients):
        office.done(client, datetime(year, month, 1 + 2 * n, 8, tzinfo=UTC))
    drafts = [office.contract_draft(client, year, month) for client in clients[:DRAFTS_PER_MONTH]]
    return _Month(year, month, clients, drafts, tmp_path / f"month-end-{year}-{month:02d}.log")


def test_month_end_run_and_workers_debit_each_invoice_once(office: RaceOffice, senders: Senders, tmp_path) -> None:
    """Each round, two months of the past closed at once by two month-end runs (processes). Each month:
    eight clients with a card and a done intervention, six of them invoiced already (drafts); its run
    invoices the other two, validates the drafts and debits the month's invoices. As soon as a run
    has invoiced its two, operators validate its drafts through the API: those debits are the
    workers' at once, while the run reaches them too — the run and the workers lease the same jobs."""
    rounds = Rounds("month-end runs and workers on the same debits")
    performers: Counter[str] = Counter()
    for r in range(MONTH_END_ROUNDS):
        # months of the past, each closed once (its intervenant's visits would overlap the next time)
        months = [_month_to_close(office, 2025 - (2 * r + k) // 12, 1 + (2 * r + k) % 12, tmp_path) for k in (0, 1)]
        for month in months:
            month.run = office.start_month_end(month.year, month.month, month.log)
        for m, month in enumerate(months):
            invoiced, deadline = office.invoices_of(month.clients), time.monotonic() + 120
            while len(invoiced()) < CLIENTS_PER_MONTH and month.run.poll() is None:  # past its first phase
                assert time.monotonic() < deadline, f"the run invoiced nothing in 120 s:\n{month.log.read_text()}"
                time.sleep(0.02)
            answers = []
            for wave in range(0, DRAFTS_PER_MONTH, senders.count):
                answers += office.record(senders.fire([
                    office.operator("validate", r + m + n, "POST", f"/invoices/{invoice_id}/validate")
                    for n, invoice_id in enumerate(month.drafts[wave:wave + senders.count])]))
            month.answers = answers
        for month in months:
            assert month.run.wait(timeout=180) == 0, month.log.read_text()
        office.effects_settled()
        intents = _succeeded_intents(office)
        for month in months:
            output = month.log.read_text()
            report = json.loads(output[output.index("{"):])
            problems = ["Traceback in the run's output"] if "Traceback" in output else []
            problems += [f"{a.label}: {a.status}" for a in month.answers if a.status not in (200, 409)]
            month_invoices = office.invoices_of(month.clients)()
            if len(month_invoices) != CLIENTS_PER_MONTH:
                problems.append(f"{len(month_invoices)} invoices for {CLIENTS_PER_MONTH} clients")
            for invoice_id in month_invoices:
                view = office.container.queries().invoice(office.company_id, invoice_id)
                invoice = view.invoice
                succeeded = [a for a in view.attempts if a.status is AttemptStatus.SUCCEEDED]
                if len(succeeded) != 1 or intents[invoice.id] != 1 or invoice.status is not InvoiceStatus.PAID:
                    problems.append(f"{invoice.number}: {invoice.status.value}, {len(succeeded)} succeeded "
                                    f"attempt(s), {intents[invoice.id]} succeeded PaymentIntent(s)")
                with office.container.uow() as uow:
                    job = uow.outbox.by_key(office.company_id, charge_job_key(office.company_id, invoice.id))
                performers["the month-end run" if (job.worker or "").startswith("month-end:") else "a worker"] += 1
                rounds.outcomes[invoice.status.value] += 1
            rounds.outcomes.update(f"validated by {'an operator' if a.status == 200 else 'the run'}"
                                   for a in month.answers)
            rounds.judge(r, month.answers, problems, month=f"{month.year}-{month.month:02d}",
                         report={k: report[k] for k in ("created", "validated", "paid", "skipped")},
                         output=output[-2000:])
    print(f"\n[races] month-end: the debits were performed by {dict(performers)}")
    rounds.verdict()
    assert not invoices_debited_twice(office.container.engine(), office.company_id)
    assert not invoices_overpaid(office.container, office.company_id)
    assert not [j for j in office.container.queries().outbox(office.company_id, limit=10_000)
                if j.effect == Effect.CHARGE_INVOICE.value and j.status is JobStatus.DEAD]
