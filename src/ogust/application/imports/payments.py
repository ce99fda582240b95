"""Payments the former software recorded for its invoices: counted on the attestation fiscale of the
year they were received, like any payment, and settling their invoice (paid once nothing is left
due). A payment already imported — same invoice, day, amount and reference — is unchanged; two
identical lines are two payments (two CESU of the same day), and imported again, still two."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial

from ogust.application.imports.reading import Column, Row
from ogust.application.imports.report import FileReport
from ogust.application.imports.staging import PAGE, Staging
from ogust.application.imports.values import Cells, amount, day, payment_method
from ogust.domain.errors import InvalidValue
from ogust.domain.invoice import PAYMENT_REFERENCE_MAX, Invoice
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod
from ogust.domain.validation import check_text

PAYMENT_COLUMNS = (
    Column("facture", True, "le numéro de la facture réglée (importée)", "F2026-0042",
           ("numero", "numero_facture")),
    Column("date", True, "jour de réception, JJ/MM/AAAA ; l'année de l'attestation fiscale qui le compte",
           "05/04/2026", ("date_reglement",)),
    Column("montant", True, "euros, virgule décimale ; au plus ce qui reste dû sur la facture", "68,75"),
    Column("mode", True, "cheque, virement, cesu, especes ou apa-pch (la carte : voir plus bas)", "cheque",
           ("moyen", "mode_de_reglement")),
    Column("reference", False, f"n° de chèque, référence du virement, n° CESU ; {PAYMENT_REFERENCE_MAX} caractères "
           "au plus", "1234567", ("ref",)),
)

_FIELDS = {"received_on": "date", "amount_cents": "montant", "reference": "reference", "method": "mode"}


@dataclass(frozen=True)
class _Line:
    row: Row
    invoice: Invoice
    received_on: date
    amount: Money
    method: PaymentMethod
    reference: str


def stage_payments(rows: list[Row], staging: Staging, report: FileReport) -> None:
    lines = []
    staging.prefetch_invoices(row["facture"] for row in rows)
    for row in rows:
        cells = Cells(row, report)
        invoice = cells.take("facture", lambda text: _invoice(staging, text))
        received_on = cells.take("date", lambda text: day(text, "Date de réception"))
        paid = cells.take("montant", amount)
        method = cells.take("mode", payment_method)
        reference = cells.take("reference", lambda text: check_text(
            text, "reference", "Référence du règlement", PAYMENT_REFERENCE_MAX, required=False), required=False)
        if not cells.refused:
            lines.append(_Line(row, invoice, received_on, paid, method, reference or ""))
    # in the order they came in: the invoice is paid on the day of the payment that settles it
    lines.sort(key=lambda line: (line.received_on, line.row.line))
    already = _recorded(staging, [line.invoice for line in lines])
    for line in lines:
        key = (line.received_on, line.amount, line.reference)
        found = already.setdefault(line.invoice.id, Counter())
        if found[key] > 0:
            found[key] -= 1
            report.unchanged += 1
            continue
        cells = Cells(line.row, report)
        received_at = datetime.combine(line.received_on, time(12), staging.zone)  # as ogust invoice pay records it
        receive = partial(line.invoice.receive_imported_payment, line.method, received_at, staging.now,
                          line.reference, line.amount)
        payment = cells.check("facture", receive, _FIELDS)
        if payment is not None:
            staging.payments.append(payment)
            report.created += 1


def _invoice(staging: Staging, text: str) -> Invoice:
    number = text.strip()
    invoice = staging.invoice(number)
    if invoice is None:
        raise InvalidValue(f"Facture {number!r} inconnue{staging.refused_at('invoice', number)} : importez d'abord "
                           "le fichier des factures.")
    return invoice


def _recorded(staging: Staging, invoices: list[Invoice]) -> dict[str, Counter]:
    """The payments already in ogust of these invoices, by invoice and (day received, amount, reference)."""
    ids = sorted({invoice.id for invoice in invoices if not staging.is_new(invoice)})
    found: dict[str, Counter] = {}
    for start in range(0, len(ids), PAGE):
        for p in staging.uow.payments.for_invoices(staging.company_id, ids[start:start + PAGE]):
            found.setdefault(p.invoice_id, Counter())[(p.received_at.astimezone(staging.zone).date(), p.amount,
                                                       p.reference)] += 1
    return found
