"""The SAP provider: owns every other record, holds its SAP declaration and its shop link."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ogust.domain.address import Address
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidValue, ShopNotLinked


@dataclass(eq=False)
class Company(Aggregate):
    name: str
    address: Address
    siret: str
    sap_declaration_number: str
    sap_declaration_date: date
    email: str = ""
    timezone: str = "Europe/Paris"
    shop_account_id: str | None = None
    shop_webhook_secret: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        digits = self.siret.replace(" ", "")
        if len(digits) != 14 or not digits.isdigit():
            raise InvalidValue(f"SIRET invalide : {self.siret!r} (14 chiffres)", field="siret")
        self.siret = digits
        if not self.sap_declaration_number.strip():
            raise InvalidValue("Le numéro de déclaration SAP est obligatoire.", field="sap_declaration_number")

    @property
    def shop_linked(self) -> bool:
        return self.shop_account_id is not None

    def link_shop(self, shop_account_id: str, webhook_secret: str) -> None:
        """Link the shop account once; orders from it are signed with ``webhook_secret``."""
        if not shop_account_id.strip():
            raise InvalidValue("Identifiant de compte boutique vide.", field="shop_account_id")
        if len(webhook_secret) < 16:
            raise InvalidValue("Le secret de signature fait au moins 16 caractères.", field="webhook_secret")
        self.shop_account_id = shop_account_id.strip()
        self.shop_webhook_secret = webhook_secret

    def require_shop(self) -> str:
        if self.shop_account_id is None:
            raise ShopNotLinked()
        return self.shop_account_id


@dataclass(eq=False)
class NumberSequence(Aggregate):
    """A gapless, chronological numbering series per company, prefix and year (FA-2026-000123)."""

    company_id: str
    prefix: str
    year: int
    last_value: int = 0
    id: str = field(default_factory=new_id)
    version: int = 1

    def next_number(self) -> str:
        self.last_value += 1
        return f"{self.prefix}-{self.year}-{self.last_value:06d}"
