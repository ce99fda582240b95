"""The month's journals for the accountant as CSV a French spreadsheet opens as it is (« ; » between
columns, decimal comma, UTF-8 with its mark): written by ``ogust accounting export`` and served by
``GET /api/accounting/{sales,payments}``, the same bytes."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ogust.application.accounting import PaymentEntry, SaleEntry
from ogust.domain.money import Money, VatRate

RATES = (VatRate.REDUCED_5_5, VatRate.INTERMEDIATE_10, VatRate.STANDARD_20)
ENCODING = "utf-8-sig"  # with its mark (BOM): a spreadsheet then reads the accents right


def euros(amount: Money) -> str:
    """1234,56 — no thousands separator, a comma: what a French spreadsheet reads as a number."""
    sign = "-" if amount.cents < 0 else ""
    units, cents = divmod(abs(amount.cents), 100)
    return f"{sign}{units},{cents:02d}"


def sales_csv(entries: Iterable[SaleEntry]) -> tuple[str, int]:
    """The sales journal (invoices and avoirs, base and VAT per rate, a total line) and its count."""
    text, totals, count = io.StringIO(newline=""), {}, 0
    out = csv.writer(text, delimiter=";")
    out.writerow(["Date", "Pièce", "Type", "Client", "Facture corrigée",
                  *[f"{kind} {rate.percent_label}" for rate in RATES for kind in ("Base HT", "TVA")],
                  "Total HT", "Total TVA", "Total TTC"])
    for entry in entries:
        amounts = {f"{kind} {rate.percent_label}": (entry.bases if kind == "Base HT" else entry.vat).get(
            rate, Money.zero()) for rate in RATES for kind in ("Base HT", "TVA")}
        amounts |= {"Total HT": entry.total_ht, "Total TVA": entry.total_vat, "Total TTC": entry.total_ttc}
        for key, amount in amounts.items():
            totals[key] = totals.get(key, Money.zero()) + amount
        out.writerow([entry.day.strftime("%d/%m/%Y"), entry.number, entry.kind, entry.client, entry.corrects,
                      *[euros(amount) for amount in amounts.values()]])
        count += 1
    if count:
        out.writerow(["", "Total", "", "", "", *[euros(amount) for amount in totals.values()]])
    return text.getvalue(), count


def payments_csv(entries: list[PaymentEntry]) -> tuple[str, int]:
    """The payments journal (payments received, refunds given back, a total line) and its count."""
    text = io.StringIO(newline="")
    out = csv.writer(text, delimiter=";")
    out.writerow(["Date", "Pièce", "Client", "Moyen", "Référence", "Montant"])
    for entry in entries:
        out.writerow([entry.day.strftime("%d/%m/%Y"), entry.piece, entry.client, entry.method, entry.reference,
                      euros(entry.amount)])
    if entries:
        out.writerow(["", "Total", "", "", "", euros(sum((e.amount for e in entries), Money.zero()))])
    return text.getvalue(), len(entries)
