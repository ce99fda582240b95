"""The bodies the shop accepts, validated as the contract says (pydantic, unknown fields refused)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
OptionalPostalCode = Annotated[str, StringConstraints(pattern=r"^([0-9]{5})?$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
OptionalEmail = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- contract (ogust → shop)
class IntervenantIn(Strict):
    id: Id
    first_name: Name
    last_name: Name
    matricule: Name
    email: OptionalEmail = ""
    phone: str = Field("", max_length=30)
    presentation: str = Field("", max_length=2000)
    services: list[Id] = []
    zones: list[PostalCode] = []
    skills: list[Skill] = []
    active: bool = True


class ClientIn(Strict):
    id: Id
    first_name: Name
    last_name: Name
    email: Email
    phone: str = Field("", max_length=30)
    street: str = Field("", max_length=200)
    postal_code: OptionalPostalCode = ""
    city: str = Field("", max_length=100)


class DocumentIn(Strict):
    kind: Literal["invoice", "credit_note", "attestation"]
    number: Name
    issued_on: date
    amount_ttc_cents: int
    status: Name
    download_url: Url
    title: Name
    left_to_pay_cents: int | None = Field(None, ge=0)


# ---------------------------------------------------------------- admin (tests and demos)
class ServiceIn(Strict):
    id: Id
    label: Name
    price_ttc_cents: int = Field(ge=0)
    vat_rate: Literal["5.5", "10", "20"]
    unit: Literal["hour", "flat"]


class AccountIn(Strict):
    id: Id
    name: Name
    api_key: Annotated[str, StringConstraints(min_length=8)]
    webhook_url: Url | None = None
    webhook_secret: str | None = None
    services: list[ServiceIn] = []


class AddressIn(Strict):
    street: str
    postal_code: PostalCode
    city: Name


class CustomerIn(Strict):
    email: Email
    first_name: Name
    last_name: Name
    phone: str = ""
    address: AddressIn


class OrderItemIn(Strict):
    service_id: Id
    intervenant_id: Id
    start: AwareDatetime
    end: AwareDatetime
    unit_price_ttc_cents: int | None = Field(None, description="Defaults to the service's price")


class PaymentIn(Strict):
    stripe_customer_id: str
    stripe_payment_method_id: str


class SigningIn(Strict):
    """Overrides to test ogust's refusals: sign with another secret, or at another time."""

    secret: str | None = None
    timestamp: int | None = None


class OrderIn(Strict):
    customer: CustomerIn
    items: list[OrderItemIn] = Field(min_length=1)
    card_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{16}$")] = "4242424242424242"
    order_id: Id | None = Field(None, description="Reuse an order id to test replays")
    placed_at: AwareDatetime | None = None
    payment: PaymentIn | None = Field(None, description="Skip card saving and send these Stripe ids")
    signing: SigningIn | None = None
