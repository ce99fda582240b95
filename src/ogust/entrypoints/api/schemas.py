"""Request bodies. Pydantic lives here only; handlers get commands of plain values."""
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.money import Money

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30, pattern=r"^[0-9+(). -]*$")]
Cents = Annotated[int, Field(gt=0, le=100_000_000)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("la date et l'heure doivent porter un fuseau horaire (ex. +01:00)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressIn(Strict):
    street: Text
    postal_code: Annotated[str, StringConstraints(pattern=r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")]
    city: Text

    def to_domain(self) -> Address:
        return Address(self.street, self.postal_code, self.city)


class CompanyIn(Strict):
    name: Text
    address: AddressIn
    siret: Annotated[str, StringConstraints(pattern=r"^\d{14}$")]
    sap_declaration_number: Text
    sap_declaration_date: date
    email: EmailStr | None = None


class TarifIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    label: Text
    unit: Literal["hour", "flat"]
    price_ht_cents: Cents
    vat_rate: Literal["5.5", "10", "20"]
    tax_credit_eligible: bool = True
    mode: Literal["prestataire", "mandataire"] = "prestataire"


class ShopLinkIn(Strict):
    shop_account_id: Text
    webhook_secret: Annotated[str, StringConstraints(min_length=16, max_length=200)] | None = None


class MappingIn(Strict):
    shop_service_id: Text
    tarif_code: Text


class ProfileIn(Strict):
    presentation: LongText = ""
    services: list[Text] = Field(default_factory=list, max_length=50)
    zones: list[Annotated[str, StringConstraints(pattern=r"^\d{5}$")]] = Field(default_factory=list, max_length=200)
    skills: list[Text] = Field(default_factory=list, max_length=50)


class IntervenantIn(Strict):
    first_name: Text
    last_name: Text
    matricule: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    email: EmailStr | None = None
    phone: Phone = ""
    profile: ProfileIn = Field(default_factory=ProfileIn)


class IntervenantPatch(Strict):
    first_name: Text | None = None
    last_name: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    active: bool | None = None
    profile: ProfileIn | None = None


class ClientIn(Strict):
    first_name: Text
    last_name: Text
    email: EmailStr
    address: AddressIn
    phone: Phone = ""


class ClientPatch(Strict):
    first_name: Text | None = None
    last_name: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    address: AddressIn | None = None


class ExportIn(Strict):
    clients: bool = True
    intervenants: bool = True
    ids: list[Text] = Field(default_factory=list, max_length=10_000)


class OrderCustomerIn(BaseModel):
    shop_client_id: Text
    email: EmailStr
    first_name: Text
    last_name: Text
    phone: Phone = ""
    address: AddressIn


class OrderPaymentIn(BaseModel):
    stripe_customer_id: Annotated[str, StringConstraints(pattern=r"^cus_[A-Za-z0-9]+$")]
    stripe_payment_method_id: Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9]+$")]


class OrderItemIn(BaseModel):
    service_id: Text
    intervenant_id: Text
    start: AwareDatetime
    end: AwareDatetime
    unit_price_ttc_cents: Cents


class OrderIn(BaseModel):
    order_id: Text
    account_id: Text
    placed_at: AwareDatetime | None = None
    customer: OrderCustomerIn
    payment: OrderPaymentIn | None = None
    items: list[OrderItemIn] = Field(min_length=1, max_length=100)

    def to_command(self, company_id: str) -> c.PlaceOrder:
        customer = self.customer
        return c.PlaceOrder(
            company_id=company_id, shop_order_id=self.order_id,
            customer=c.OrderCustomer(customer.shop_client_id, customer.email, customer.first_name,
                                     customer.last_name, customer.address.to_domain(), customer.phone),
            items=tuple(c.OrderItem(i.service_id, i.intervenant_id, i.start, i.end, Money(i.unit_price_ttc_cents))
                        for i in self.items),
            stripe_customer_id=self.payment.stripe_customer_id if self.payment else None,
            stripe_payment_method_id=self.payment.stripe_payment_method_id if self.payment else None,
        )


class InvoiceFromDevisIn(Strict):
    devis_id: Text


class ManualLineIn(Strict):
    tarif_code: Text
    quantity: Annotated[int, Field(gt=0, le=100_000)] = Field(description="minutes (tarif horaire) ou nombre")
    performed_on: date | None = None
    intervenant_id: Text | None = None
    label: Text | None = None


class ManualInvoiceIn(Strict):
    client_id: Text
    lines: list[ManualLineIn] = Field(min_length=1, max_length=500)


class ContractInvoiceIn(Strict):
    client_id: Text
    period_start: date
    period_end: date


class AttestationIn(Strict):
    client_id: Text
    year: Annotated[int, Field(ge=2000, le=2100)]


class AttestationBatchIn(Strict):
    year: Annotated[int, Field(ge=2000, le=2100)]


class CreditNoteIn(Strict):
    """An avoir on a validated invoice: the whole of what is left (``full``) or an amount TTC."""

    reason: Text
    amount_cents: Cents | None = None
    full: bool = False

    def amount(self) -> Money | None:
        """None for the whole of what is left; InvalidValue unless exactly one of the two is given."""
        if self.full == (self.amount_cents is not None):
            from ogust.domain.errors import InvalidValue
            raise InvalidValue("Précisez soit amount_cents, soit full=true.", field="amount_cents")
        return None if self.full else Money(self.amount_cents)
