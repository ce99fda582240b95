"""Priced lines shared by devis and invoices: VAT per line rounded half up, totals as sums."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ogust.domain.aggregate import new_id
from ogust.domain.money import Money, VatRate, total
from ogust.domain.units import Quantity


@dataclass
class PricedLine:
    tarif_id: str
    label: str
    quantity: Quantity
    unit_price_ht: Money
    vat_rate: VatRate
    id: str = field(default_factory=new_id)

    @property
    def amount_ht(self) -> Money:
        return self.quantity.price(self.unit_price_ht)

    @property
    def amount_vat(self) -> Money:
        return self.vat_rate.tax_on(self.amount_ht)

    @property
    def amount_ttc(self) -> Money:
        amount_ht = self.amount_ht  # computed once (batches add up hundreds of thousands of lines)
        return amount_ht + self.vat_rate.tax_on(amount_ht)


@dataclass
class DevisLine(PricedLine):
    pass


@dataclass
class InvoiceLine(PricedLine):
    """One invoiced service; for performed work, the intervention, its date and its intervenant."""

    intervention_id: str | None = None
    performed_on: date | None = None
    intervenant_matricule: str | None = None
    intervenant_name: str | None = None
    tax_credit_eligible: bool = True


class Totals:
    """Totals HT / TVA / TTC of a list of lines, always the sums of the lines."""

    lines: list

    @property
    def total_ht(self) -> Money:
        return total([line.amount_ht for line in self.lines])

    @property
    def total_vat(self) -> Money:
        return total([line.amount_vat for line in self.lines])

    @property
    def total_ttc(self) -> Money:
        return total([line.amount_ttc for line in self.lines])

    def vat_breakdown(self) -> dict[VatRate, Money]:
        breakdown: dict[VatRate, Money] = {}
        for line in self.lines:
            breakdown[line.vat_rate] = breakdown.get(line.vat_rate, Money.zero()) + line.amount_vat
        return breakdown
