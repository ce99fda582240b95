"""The month's journals an accountant asks for: the sales journal (each invoice and credit note issued
in the month, its base and VAT per rate, a credit note counted negative) and the payments journal
(each payment received and each refund given back in the month). Invoices are read by pages: memory
stays flat however many there are."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ogust.application.handlers import UowFactory
from ogust.application.periods import month_period, period_instants
from ogust.domain.credit_note import CreditNote
from ogust.domain.invoice import Invoice
from ogust.domain.lines import Totals
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod

PAGE = 500


@dataclass(frozen=True)
class SaleEntry:
    day: date
    number: str
    kind: str  # « Facture » or « Avoir »
    client: str
    corrects: str  # for a credit note, the number of the invoice it corrects
    bases: dict[VatRate, Money]  # HT per VAT rate; negative for a credit note
    vat: dict[VatRate, Money]
    total_ht: Money
    total_vat: Money
    total_ttc: Money


@dataclass(frozen=True)
class PaymentEntry:
    day: date
    piece: str  # the invoice paid, or the credit note refunded
    client: str
    method: str
    reference: str
    amount: Money  # negative for a refund


def _entry(document: Totals, day: date, number: str, kind: str, client: str, corrects: str, sign: int) -> SaleEntry:
    bases: dict[VatRate, Money] = {}
    vat: dict[VatRate, Money] = {}
    for line in document.lines:
        bases[line.vat_rate] = bases.get(line.vat_rate, Money.zero()) + line.amount_ht.times(sign, 1)
        vat[line.vat_rate] = vat.get(line.vat_rate, Money.zero()) + line.amount_vat.times(sign, 1)
    return SaleEntry(day, number, kind, client, corrects, bases, vat, document.total_ht.times(sign, 1),
                     document.total_vat.times(sign, 1), document.total_ttc.times(sign, 1))


class AccountingJournals:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def sales(self, company_id: str, year: int, month: int) -> Iterator[SaleEntry]:
        """The invoices issued in the month by number, then its credit notes by number."""
        first, last = month_period(year, month)
        after: str | None = None
        while True:
            with self.uow() as uow:
                page = uow.invoices.issued_between(company_id, first, last, after, PAGE)
                names = self._names(uow, company_id, page)
            if not page:
                break
            for invoice in page:
                yield _entry(invoice, invoice.issued_on or first, invoice.number or "", "Facture",
                             names[invoice.id], "", 1)
            after = page[-1].number
        with self.uow() as uow:
            notes = uow.credit_notes.issued_between(company_id, first, last)
            names = self._names(uow, company_id, notes)
        for note in notes:
            yield _entry(note, note.issued_on, note.number, "Avoir", names[note.id], note.invoice_number, -1)

    def payments(self, company_id: str, year: int, month: int) -> list[PaymentEntry]:
        """Payments received and refunds given back in the month, by date."""
        first, last = month_period(year, month)
        with self.uow() as uow:
            zone = ZoneInfo(uow.companies.get(company_id).timezone)
            start, end = period_instants(first, last, zone)
            payments = uow.payments.received_between(company_id, start, end)
            refunds = uow.credit_notes.refunded_between(company_id, None, start, end)
            invoices = {i.id: i for i in uow.invoices.get_many(company_id, {p.invoice_id for p in payments})}
            names = self._names(uow, company_id, [*invoices.values(), *refunds])
        entries = [PaymentEntry(_day(p.received_at, zone), invoices[p.invoice_id].number or "",
                                names[p.invoice_id], p.method.label_fr, p.reference or "", p.amount)
                   for p in payments]
        entries += [PaymentEntry(_day(n.refunded_at, zone), n.number, names[n.id],
                                 f"remboursement ({(n.refund_method or PaymentMethod.CARD).label_fr})",
                                 n.refund_id or "", n.refund_amount.times(-1, 1))
                    for n in refunds if n.refunded_at is not None]
        return sorted(entries, key=lambda e: (e.day, e.piece))

    @staticmethod
    def _names(uow, company_id: str, documents: list[Invoice | CreditNote]) -> dict[str, str]:
        """Each document's client as the document names them (its snapshot), else as the record stands."""
        missing = {d.client_id for d in documents if d.client_identity is None}
        clients = {c.id: c for c in uow.clients.get_many(company_id, missing)} if missing else {}
        return {d.id: d.shown_client(clients[d.client_id]).full_name if d.client_identity is None
                else d.client_identity.full_name for d in documents}


def _day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
