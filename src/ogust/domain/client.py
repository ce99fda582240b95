"""A client of the company: who, where the work happens, and how the shop knows them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.address import ERASED_ADDRESS, Address
from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidTransition, InvalidValue, NoPaymentMethod
from ogust.domain.events import ClientErased, ClientTransmissionRequested
from ogust.domain.shop_sync import ShopSynced, SyncStatus
from ogust.domain.validation import PERSON_NAME_MAX, check_text, normalise_email, normalise_phone

# one "@", no spaces, a domain of non-empty dot-separated labels (jean.dupont@example.fr)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def check_stripe_ids(customer_id: str, payment_method_id: str) -> None:
    if not customer_id.startswith("cus_") or not payment_method_id.startswith("pm_"):
        raise InvalidValue("Identifiants Stripe invalides (cus_…, pm_…).", field="payment_method")


ERASED_EMAIL_DOMAIN = "@efface.invalid"  # a reserved domain (RFC 2606): never delivered


class ClientOrigin(Enum):
    BACK_OFFICE = "back_office"
    SHOP = "shop"

    @property
    def label_fr(self) -> str:
        return "boutique" if self is ClientOrigin.SHOP else "back office"


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
        self.email = normalise_email(self.email)
        if not (isinstance(self.first_name, str) and isinstance(self.last_name, str)
                and self.first_name.strip() and self.last_name.strip()):
            raise InvalidValue("Le nom et le prénom du client sont obligatoires.", field="name")
        self.first_name = check_text(self.first_name, "first_name", "Prénom", PERSON_NAME_MAX)
        self.last_name = check_text(self.last_name, "last_name", "Nom", PERSON_NAME_MAX)
        self.phone = normalise_phone(self.phone)
        self.address.check()

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
        self.require_not_erased()
        self._apply_changes(frozenset({"first_name", "last_name", "email", "phone", "address"}), changes)

    @property
    def is_erased(self) -> bool:
        return self.email.endswith(ERASED_EMAIL_DOMAIN)

    def require_not_erased(self) -> None:
        """An erased client (GDPR) is no longer changed, sent to the shop nor invoiced: only what was
        issued before stays."""
        if self.is_erased:
            raise InvalidTransition("Ce client a été effacé (RGPD) : sa fiche ne se modifie, ne se transmet "
                                    "ni ne se facture plus.", client_id=self.id)

    def erase(self) -> None:
        """GDPR erasure: names, email, phone, address and the shop's and Stripe's ids are replaced; the
        invoices, devis and attestations stay (kept 10 years, art. L123-22 du Code de commerce), still
        point at this record and, once issued, show the name and address they were issued with
        (``ClientIdentity``). The card is detached at Stripe, the Stripe customer deleted and the shop's
        copy erased by the outbox (ClientErased, which keeps the ids this clears)."""
        if self.is_erased:
            raise InvalidTransition("Ce client a déjà été effacé.", client_id=self.id)
        payment_method, customer = self.stripe_payment_method_id or "", self.stripe_customer_id or ""
        shop_client_id = self.shop_client_id or ""
        known_to_shop = bool(shop_client_id or self.synced_at or self.sync_failure)
        self.first_name, self.last_name = "Client", f"effacé {self.id[:8]}"
        self.email = f"efface-{self.id}{ERASED_EMAIL_DOMAIN}"
        self.phone = ""
        self.address = ERASED_ADDRESS
        self.shop_client_id = self.stripe_customer_id = self.stripe_payment_method_id = None
        self.synced_fingerprint = self.failed_fingerprint = self.sync_failure = None
        self.synced_at = None
        self._record(ClientErased(self.company_id, self.id, payment_method, shop_client_id, known_to_shop, customer))

    def link_shop_client(self, shop_client_id: str) -> None:
        self.shop_client_id = shop_client_id

    def save_payment_method(self, customer_id: str, payment_method_id: str) -> None:
        """Keep the Stripe ids of the card saved at ordering. Never card data."""
        check_stripe_ids(customer_id, payment_method_id)
        self.stripe_customer_id = customer_id
        self.stripe_payment_method_id = payment_method_id

    @property
    def has_card(self) -> bool:
        """A card saved at ordering (its Stripe customer and payment method)."""
        return bool(self.stripe_customer_id and self.stripe_payment_method_id)

    def require_payment_method(self) -> tuple[str, str]:
        if not self.has_card:
            raise NoPaymentMethod(f"Le client {self.full_name} n'a pas de carte enregistrée.")
        return self.stripe_customer_id, self.stripe_payment_method_id

    def request_transmission(self, force: bool = False) -> bool:
        """Ask for the client to be sent to the shop; False when the shop already has exactly this."""
        self.require_not_erased()
        if self.sync_status is SyncStatus.IN_SYNC and not force:
            return False
        request = self.sync_request_id(force)
        self._record(ClientTransmissionRequested(self.company_id, self.id, self.fingerprint, request))
        return True
