"""Postal address value object."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    country: str = "FR"

    def one_line(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"
