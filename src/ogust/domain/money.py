"""Money in integer cents, VAT rates in basis points, rounding half up. Never a float."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


def _div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    q, r = divmod(abs(numerator), abs(denominator))
    if 2 * r >= abs(denominator):
        q += 1
    return sign * q


@dataclass(frozen=True, order=True)
class Money:
    cents: int
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if not isinstance(self.cents, int) or isinstance(self.cents, bool):
            raise TypeError("Money is an integer number of cents")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.cents - other.cents, self.currency)

    def times(self, numerator: int, denominator: int = 1) -> Money:
        """This amount multiplied by numerator/denominator, rounded half up to the cent."""
        return Money(_div_half_up(self.cents * numerator, denominator), self.currency)

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def format_fr(self) -> str:
        """'1 234,50 €' — the French way, with a narrow no-break space between thousands."""
        sign = "-" if self.cents < 0 else ""
        euros, cents = divmod(abs(self.cents), 100)
        grouped = f"{euros:,}".replace(",", "\u202f")
        symbol = "€" if self.currency == "EUR" else self.currency
        return f"{sign}{grouped},{cents:02d}\u00a0{symbol}"

    def __str__(self) -> str:
        return self.format_fr()


def total(amounts: list[Money] | tuple[Money, ...]) -> Money:
    result = Money.zero()
    for amount in amounts:
        result = result + amount
    return result


class VatRate(Enum):
    """The VAT rates of services à la personne, in basis points."""

    REDUCED_5_5 = 550
    INTERMEDIATE_10 = 1000
    STANDARD_20 = 2000

    @classmethod
    def from_percent(cls, value: str | int) -> VatRate:
        text = str(value).strip().replace(",", ".").rstrip("%").strip()
        by_text = {"5.5": cls.REDUCED_5_5, "10": cls.INTERMEDIATE_10, "20": cls.STANDARD_20,
                   "10.0": cls.INTERMEDIATE_10, "20.0": cls.STANDARD_20}
        if text not in by_text:
            raise ValueError(f"taux de TVA inconnu : {value!r} (5.5, 10 ou 20)")
        return by_text[text]

    @classmethod
    def from_basis_points(cls, value: int) -> VatRate:
        return cls(value)

    @property
    def percent_label(self) -> str:
        whole, rest = divmod(self.value, 100)
        return f"{whole},{rest // 10} %" if rest else f"{whole} %"

    @property
    def percent(self) -> str:
        whole, rest = divmod(self.value, 100)
        return f"{whole}.{rest // 10}" if rest else str(whole)

    def tax_on(self, amount_ht: Money) -> Money:
        return amount_ht.times(self.value, 10_000)

    def gross(self, amount_ht: Money) -> Money:
        return amount_ht + self.tax_on(amount_ht)
