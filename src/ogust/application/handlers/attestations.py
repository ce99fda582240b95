"""Attestations fiscales: generated from what a client paid in a year, then validated."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ogust.application.commands import GenerateAttestation, GenerateAttestations, ValidateAttestation
from ogust.application.handlers import UowFactory
from ogust.application.page_garbage import PageGarbage
from ogust.application.unit_of_work import UnitOfWork
from ogust.domain.attestation import Attestation, AttestationStatus, YearPaid, summarise_year
from ogust.domain.credit_note import CreditNote, RefundStatus, given_back
from ogust.domain.errors import ConcurrencyConflict, DomainError, InvalidTransition
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money, total
from ogust.domain.payment import Payment
from ogust.domain.validation import check_year


def _generate(uow: UnitOfWork, company_id: str, client_id: str, year: int) -> Attestation:
    check_year(year)
    uow.clients.get(company_id, client_id)
    zone = ZoneInfo(uow.companies.get(company_id).timezone)
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    payments = uow.payments.for_client(company_id, client_id)
    notes = {p.invoice_id: uow.credit_notes.for_invoice(company_id, p.invoice_id) for p in payments}
    invoices = {p.invoice_id: uow.invoices.get(company_id, p.invoice_id) for p in payments}
    at_start, at_end = _given_back(payments, notes, start), _given_back(payments, notes, end)
    pairs = [(_net(p, at_end), invoices[p.invoice_id]) for p in payments]
    paid = summarise_year(year, pairs, lambda p: p.received_at.astimezone(zone).year == year,
                          _earlier_refunds(payments, invoices, at_start, at_end, start),
                          _shaping(payments, notes, at_end, zone))
    return _store(uow, company_id, client_id, year, paid, uow.attestations.for_client_year(company_id, client_id, year))


def _store(uow: UnitOfWork, company_id: str, client_id: str, year: int, paid: YearPaid,
           attestation: Attestation | None) -> Attestation:
    """A new draft attestation, or the draft recomputed; a validated one never changes — when what
    the client paid in its year changed since, an attestation rectificative replaces it."""
    if attestation is None:
        attestation = Attestation(company_id=company_id, client_id=client_id, year=year, amount_paid=paid.amount,
                                  lines=paid.lines, cesu_paid=paid.cesu, refunds_deducted=paid.refunds_deducted,
                                  created_at=uow.clock.now())
        uow.attestations.add(attestation)
    elif attestation.status is AttestationStatus.VALIDATED:
        attestation = attestation.rectification(paid, uow.clock.now())
        uow.attestations.add(attestation)
    else:
        attestation.recompute(paid.amount, paid.lines, paid.cesu, paid.refunds_deducted)
    return attestation


Allocations = dict[str, list[tuple[CreditNote, Money]]]  # by payment id: what each credit note gave back of it


def _given_back(payments: Iterable[Payment], notes: dict[str, list[CreditNote]], before: datetime) -> Allocations:
    """What each payment was given back by ``before`` (``given_back``, invoice by invoice)."""
    by_invoice: dict[str, list[Payment]] = {}
    for payment in payments:
        by_invoice.setdefault(payment.invoice_id, []).append(payment)
    found: Allocations = {}
    for invoice_id, paid in by_invoice.items():
        found |= given_back(paid, notes.get(invoice_id, ()), before)
    return found


def _net(payment: Payment, allocations: Allocations) -> Payment:
    """The payment less what was given back of it: only what the client kept paying counts."""
    back = total([amount for _, amount in allocations.get(payment.id, ())])
    if back.cents == 0:
        return payment
    return replace(payment, amount=Money(max(payment.amount.cents - back.cents, 0), payment.amount.currency))


def _shaping(payments: Iterable[Payment], notes: dict[str, list[CreditNote]], allocations: Allocations,
             zone: ZoneInfo) -> dict[str, list[CreditNote]]:
    """Each invoice's credit notes that shaped what its payments count for by the end of the year:
    deducted from what was due before it was paid, or refunded of it by then. One still to be refunded
    at the end of the year does not: the payment counted is whole, and so is the share it paid for (its
    refund lowers the next year, by its own eligibility)."""
    shaped: dict[str, dict[str, CreditNote]] = {}
    for payment in payments:
        paid_on = payment.received_at.astimezone(zone).date()
        refunded = {note.id for note, _ in allocations.get(payment.id, ())}
        for note in notes.get(payment.invoice_id, ()):
            deducted = note.refund_status is RefundStatus.NONE and note.refund_method is None \
                and note.issued_on <= paid_on
            if deducted or note.id in refunded:
                shaped.setdefault(payment.invoice_id, {})[note.id] = note
    return {invoice_id: list(found.values()) for invoice_id, found in shaped.items()}


def _earlier_refunds(payments: Iterable[Payment], invoices: dict[str, Invoice], at_start: Allocations,
                     at_end: Allocations, start: datetime) -> list[tuple[Payment, Money]]:
    """What was given back within the year of payments received before it: each as its payment with
    the amount given back in the year, and the eligible part of it (that of the credit note: a fee not
    eligible given back takes nothing off the tax credit)."""
    found = []
    for payment in payments:
        if payment.received_at >= start:
            continue
        invoice = invoices[payment.invoice_id]
        before = {note.id: amount for note, amount in at_start.get(payment.id, ())}
        for note, amount in at_end.get(payment.id, ()):
            refunded = amount - before.get(note.id, Money.zero())
            if refunded.cents > 0:
                eligible = refunded.times(note.eligible_ttc(invoice).cents, note.total_ttc.cents)
                found.append((replace(payment, amount=refunded), eligible))
    return found


class GenerateAttestationHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: GenerateAttestation) -> Attestation:
        with self.uow() as uow:
            attestation = _generate(uow, cmd.company_id, cmd.client_id, cmd.year)
            uow.commit()
            return attestation


@dataclass(frozen=True)
class AttestationOutcome:
    client_id: str
    attestation_id: str | None
    error: str | None = None


class GenerateAttestationsHandler:
    """Every client paid in the year gets an attestation; one record's problem stops no other.

    Set-based: clients are taken by pages of ``cmd.chunk_size``; for a page, the year's payments,
    their invoices (with lines), the credit notes and the existing attestations are read in a
    handful of queries, and the page's attestations are written in one transaction. Memory stays
    flat however many clients there are."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: GenerateAttestations, on_progress=None, on_start=None) -> list[AttestationOutcome]:
        outcomes: list[AttestationOutcome] = []
        self.stream(cmd, on_progress, outcomes.append, on_start)
        return outcomes

    def stream(self, cmd: GenerateAttestations, on_progress: Callable[[int], None] | None = None,
               on_outcome: Callable[[AttestationOutcome], None] | None = None,
               on_start: Callable[[int], None] | None = None) -> dict[str, int]:
        """Like calling the handler, but each outcome goes to ``on_outcome`` as its page is done
        (``on_start`` gets the number of clients first). Returns how many attestations were
        generated and how many clients had none."""
        with self.uow() as uow:
            zone = ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            start = datetime(cmd.year, 1, 1, tzinfo=zone)
            end = datetime(cmd.year + 1, 1, 1, tzinfo=zone)
            if on_start:
                on_start(uow.payments.count_clients_paid_between(cmd.company_id, start, end))
        summary = {"generated": 0, "failed": 0}
        after: str | None = None
        garbage = PageGarbage()
        while True:
            with self.uow() as uow:
                client_ids = uow.payments.clients_paid_between(cmd.company_id, start, end, after,
                                                               max(cmd.chunk_size, 1))
            if not client_ids:
                return summary
            after = client_ids[-1]
            for outcome in self._page(cmd, zone, start, end, client_ids):
                summary["generated" if outcome.attestation_id else "failed"] += 1
                if on_outcome:
                    on_outcome(outcome)
                if on_progress:
                    on_progress(1)
            garbage.page_done()  # the page's objects are in reference cycles (see page_garbage)

    def _page(self, cmd: GenerateAttestations, zone: ZoneInfo, start: datetime, end: datetime,
              client_ids: list[str]) -> list[AttestationOutcome]:
        try:
            with self.uow() as uow:
                payments = uow.payments.for_clients_between(cmd.company_id, client_ids, start, end)
                invoice_ids = {p.invoice_id for p in payments}
                invoices = {i.id: i for i in uow.invoices.get_many(cmd.company_id, invoice_ids)}
                notes: dict[str, list[CreditNote]] = {}
                notes_of_earlier: dict[str, list[CreditNote]] = {}
                for note in uow.credit_notes.for_invoices(cmd.company_id, invoice_ids):
                    notes.setdefault(note.invoice_id, []).append(note)
                existing = {a.client_id: a for a in uow.attestations.for_clients_year(cmd.company_id, client_ids,
                                                                                     cmd.year)}
                paid: dict[str, list[Payment]] = {}
                for payment in payments:
                    paid.setdefault(payment.client_id, []).append(payment)
                # refunds made in the year of payments of earlier years: rare, read invoice by invoice
                earlier: dict[str, list[Payment]] = {}
                for note in uow.credit_notes.refunded_between(cmd.company_id, client_ids, start, end):
                    if note.invoice_id in notes_of_earlier:
                        continue
                    notes_of_earlier[note.invoice_id] = notes.get(note.invoice_id) or uow.credit_notes.for_invoice(
                        cmd.company_id, note.invoice_id)
                    if note.invoice_id not in invoices:
                        invoices[note.invoice_id] = uow.invoices.get(cmd.company_id, note.invoice_id)
                    for payment in uow.payments.for_invoice(cmd.company_id, note.invoice_id):
                        if payment.received_at < start:  # those of the year are read already
                            earlier.setdefault(payment.client_id, []).append(payment)
                notes.update(notes_of_earlier)
                every = [*payments, *(p for found in earlier.values() for p in found)]
                at_start, at_end = _given_back(every, notes, start), _given_back(every, notes, end)
                shaping = _shaping(payments, notes, at_end, zone)
                outcomes = []
                for client_id in client_ids:
                    try:
                        check_year(cmd.year)
                        pairs = [(_net(p, at_end), invoices[p.invoice_id]) for p in paid.get(client_id, [])]
                        paid_in_year = summarise_year(
                            cmd.year, pairs, lambda p: p.received_at.astimezone(zone).year == cmd.year,
                            _earlier_refunds(earlier.get(client_id, []), invoices, at_start, at_end, start),
                            shaping)
                        attestation = _store(uow, cmd.company_id, client_id, cmd.year, paid_in_year,
                                             existing.get(client_id))
                        outcomes.append(AttestationOutcome(client_id, attestation.id))
                    except DomainError as error:
                        outcomes.append(AttestationOutcome(client_id, None, error.message))
                uow.commit()
                return outcomes
        except ConcurrencyConflict:  # someone else wrote one of these meanwhile: one client at a time
            return [self._one(cmd, client_id) for client_id in client_ids]

    def _one(self, cmd: GenerateAttestations, client_id: str) -> AttestationOutcome:
        try:
            with self.uow() as uow:
                attestation = _generate(uow, cmd.company_id, client_id, cmd.year)
                uow.commit()
                return AttestationOutcome(client_id, attestation.id)
        except DomainError as error:
            return AttestationOutcome(client_id, None, error.message)


class ValidateAttestationHandler:
    """Recompute the draft from what the client paid in the year (a draft made in December would miss
    the payments since), then number and freeze it, with the client's name and address of today; the
    outbox publishes it to the shop and emails the client."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ValidateAttestation) -> Attestation:
        with self.uow() as uow:
            attestation = uow.attestations.get(cmd.company_id, cmd.attestation_id)
            if attestation.status is not AttestationStatus.DRAFT:
                raise InvalidTransition(f"L'attestation {attestation.number} est déjà validée.")
            now, zone = uow.clock.now(), ZoneInfo(uow.companies.get(cmd.company_id).timezone)
            attestation.require_year_over(now, zone)  # before a number is taken
            attestation = _generate(uow, cmd.company_id, attestation.client_id, attestation.year)  # up to date
            number = uow.sequences.next_number(cmd.company_id, "AF", attestation.year)
            attestation.validate(number, now, uow.clients.get(cmd.company_id, attestation.client_id), zone)
            uow.commit()
            return attestation
