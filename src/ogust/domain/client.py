"""A client of the company: who, where the work happens, and how the shop knows them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.address import Address
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidValue, NoPaymentMethod
from ogust.domain.events import ClientTransmissionRequested
from ogust.domain.shop_sync import ShopSynced, SyncStatus

# one "@", no spaces, a domain of non-empty dot-separated labels (jean.dupont@example.fr)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def check_stripe_ids(customer_id: str, payment_method_id: str) -> None:
    if not customer_id.startswith("cus_") or not payment_method_id.startswith("pm_"):
        raise InvalidValue("Identifiants Stripe invalides (cus_…, pm_…).", field="payment_method")


class ClientOrigin(Enum):
    BACK_OFFICE = "back_office"
    SHOP = "shop"


@dataclass(eq=False)
class Client(Aggregate, ShopSynced):
    company_id: str
    first_name: str
    last_name: str
    email: str
    address: Address
    phone: str = ""
    origin: ClientOrigin = ClientOrigin.BACK_OFFICE
    shop_client_id: str | None = None
    stripe_customer_id: str | None = None
    stripe_payment_method_id: str | None = None
    synced_fingerprint: str | None = None
    synced_at: datetime | None = None
    sync_failure: str | None = None
    failed_fingerprint: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        self.email = self.email.strip().lower()
        if not _EMAIL.fullmatch(self.email):
            raise InvalidValue(f"Adresse email invalide : {self.email!r}", field="email")
        if not (self.first_name.strip() and self.last_name.strip()):
            raise InvalidValue("Le nom et le prénom du client sont obligatoires.", field="name")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def shop_fields(self) -> dict[str, object]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "street": self.address.street,
            "postal_code": self.address.postal_code,
            "city": self.address.city,
        }

    def update(self, **changes: object) -> None:
        allowed = {"first_name", "last_name", "email", "phone", "address"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidValue(f"Champs non modifiables : {', '.join(sorted(unknown))}")
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self.__post_init__()
        except InvalidValue:
            for name, value in before.items():  # a refused change leaves the client as it was
                setattr(self, name, value)
            raise

    def link_shop_client(self, shop_client_id: str) -> None:
        self.shop_client_id = shop_client_id

    def save_payment_method(self, customer_id: str, payment_method_id: str) -> None:
        """Keep the Stripe ids of the card saved at ordering. Never card data."""
        check_stripe_ids(customer_id, payment_method_id)
        self.stripe_customer_id = customer_id
        self.stripe_payment_method_id = payment_method_id

    def require_payment_method(self) -> tuple[str, str]:
        if not (self.stripe_customer_id and self.stripe_payment_method_id):
            raise NoPaymentMethod(f"Le client {self.full_name} n'a pas de carte enregistrée.")
        return self.stripe_customer_id, self.stripe_payment_method_id

    def request_transmission(self, force: bool = False) -> bool:
        """Ask for the client to be sent to the shop; False when the shop already has exactly this."""
        if self.sync_status is SyncStatus.IN_SYNC and not force:
            return False
        request = self.sync_request_id(force)
        self._record(ClientTransmissionRequested(self.company_id, self.id, self.fingerprint, request))
        return True
