"""The SAP provider: owns every other record, holds its SAP declaration and its shop link."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ogust.domain.address import Address
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidValue, ShopNotLinked
from ogust.domain.validation import check_text, normalise_email, normalise_siret


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
    shop_api_key: str | None = None  # the key the shop gave this company; None: the installation's own
    shop_previous_webhook_secret: str | None = None  # still accepted until the expiry below (rotation)
    shop_previous_secret_expires_at: datetime | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        self.name = check_text(self.name, "name", "Raison sociale")
        self.siret = normalise_siret(self.siret)
        if not self.sap_declaration_number.strip():
            raise InvalidValue("Le numéro de déclaration SAP est obligatoire.", field="sap_declaration_number")
        self.sap_declaration_number = check_text(self.sap_declaration_number, "sap_declaration_number",
                                                 "Numéro de déclaration SAP", 50)
        self.email = normalise_email(self.email, "email", required=False)
        self.address.check()

    @property
    def shop_linked(self) -> bool:
        return self.shop_account_id is not None

    def link_shop(self, shop_account_id: str, webhook_secret: str, api_key: str | None = None) -> None:
        """Link the shop account once; orders from it are signed with ``webhook_secret``; ogust calls
        the shop with ``api_key``."""
        if not shop_account_id.strip():
            raise InvalidValue("Identifiant de compte boutique vide.", field="shop_account_id")
        if len(webhook_secret) < 16:
            raise InvalidValue("Le secret de signature fait au moins 16 caractères.", field="webhook_secret")
        self.shop_account_id = shop_account_id.strip()
        self.shop_webhook_secret = webhook_secret
        self.shop_api_key = api_key or None

    def rotate_shop_secret(self, new_secret: str, now: datetime, grace: timedelta) -> None:
        """A new signing secret; the current one stays valid for ``grace`` so that orders in flight pass."""
        self.require_shop()
        if len(new_secret) < 16:
            raise InvalidValue("Le secret de signature fait au moins 16 caractères.", field="webhook_secret")
        if new_secret == self.shop_webhook_secret:
            raise InvalidValue("Le nouveau secret doit différer de l'actuel.", field="webhook_secret")
        self.shop_previous_webhook_secret = self.shop_webhook_secret
        self.shop_previous_secret_expires_at = now + grace
        self.shop_webhook_secret = new_secret

    def webhook_secrets(self, now: datetime) -> list[str]:
        """The secrets an order may be signed with right now: the current one, and the previous one
        until it expires."""
        valid = [self.shop_webhook_secret] if self.shop_webhook_secret else []
        expires = self.shop_previous_secret_expires_at
        if self.shop_previous_webhook_secret and expires is not None and now < expires:
            valid.append(self.shop_previous_webhook_secret)
        return valid

    def require_shop(self) -> str:
        if self.shop_account_id is None:
            raise ShopNotLinked()
        return self.shop_account_id

    def history_imported(self) -> None:
        """The history of the former software was imported: the company takes a new version, so that two
        imports run at once cannot both write (the second fails on the optimistic lock and, run again,
        finds what the first brought) — the database does not hold a client's email unique."""
        self.version += 1


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
