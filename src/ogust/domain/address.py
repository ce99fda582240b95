"""Postal address value object: a street, a French postal code of a real department, a city.

``check()`` is called by the aggregates that take an address (company, client) when they are made or
changed — not by the constructor, which the database also calls when it loads older rows."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ogust.domain.errors import InvalidValue
from ogust.domain.validation import check_postal_code, check_text


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    country: str = "FR"

    def check(self) -> Address:
        """Refuse (InvalidValue) an empty or too long street or city, or a postal code of no French department."""
        check_text(self.street, "address.street", "Adresse", 200)
        check_text(self.city, "address.city", "Ville", 100)
        if self.country == "FR":
            check_postal_code(self.postal_code, "address.postal_code")
        return self

    def patched(self, changes: Mapping[str, object]) -> Address:
        """This address with ``changes`` only (a JSON Merge Patch's members): a field left out is kept."""
        unknown = set(changes) - {"street", "postal_code", "city"}
        if unknown:
            raise InvalidValue(f"Champs de l'adresse non modifiables : {', '.join(sorted(unknown))}", field="address")
        return replace(self, **changes)  # type: ignore[arg-type]

    def one_line(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


ERASED_ADDRESS = Address("Adresse effacée", "", "Ville effacée", country="")  # after a GDPR erasure
