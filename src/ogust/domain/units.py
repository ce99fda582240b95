"""Units of sale and quantities: minutes for hourly tarifs, pieces for flat ones."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ogust.domain.errors import InvalidValue
from ogust.domain.money import Money


class Unit(Enum):
    HOUR = "hour"
    FLAT = "flat"

    @property
    def label_fr(self) -> str:
        return "heure" if self is Unit.HOUR else "forfait"

    @classmethod
    def from_code(cls, text: str) -> Unit:
        """``heure`` or ``forfait`` as an operator types them (any case), or the stored ``hour``, ``flat``."""
        found = {"heure": cls.HOUR, "forfait": cls.FLAT, "hour": cls.HOUR, "flat": cls.FLAT}.get(text.strip().lower())
        if found is None:
            raise InvalidValue(f"Unité inconnue : {text!r} (heure ou forfait).", field="unit")
        return found


@dataclass(frozen=True)
class Quantity:
    """An exact quantity: ``value`` is minutes for an hourly unit, a count for a flat one."""

    value: int
    unit: Unit

    def __post_init__(self) -> None:
        if not isinstance(self.value, int) or self.value <= 0:
            raise ValueError("a quantity is a positive integer (minutes or pieces)")

    @classmethod
    def hours_minutes(cls, minutes: int) -> Quantity:
        return cls(minutes, Unit.HOUR)

    @classmethod
    def pieces(cls, count: int) -> Quantity:
        return cls(count, Unit.FLAT)

    def price(self, unit_price: Money) -> Money:
        if self.unit is Unit.HOUR:
            return unit_price.times(self.value, 60)
        return unit_price.times(self.value)

    def label_fr(self) -> str:
        if self.unit is Unit.HOUR:
            hours, minutes = divmod(self.value, 60)
            return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
        return f"{self.value} forfait" + ("s" if self.value > 1 else "")
