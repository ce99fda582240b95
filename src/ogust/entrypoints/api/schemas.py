"""Request bodies. Pydantic lives here only; handlers get commands of plain values."""
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from ogust.application import commands as c
from ogust.domain import validation as rules
from ogust.domain.address import Address
from ogust.domain.errors import InvalidValue
from ogust.domain.invoice import PAYMENT_REFERENCE_MAX
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod


def _rule(check):
    """A domain rule as a pydantic validator: its French message becomes the field's error."""
    def validate(value):
        try:
            return check(value)
        except InvalidValue as error:
            raise ValueError(error.message) from None
    return AfterValidator(validate)


def _in_years(value: date) -> date:
    rules.check_year(value.year)
    return value


# a character that is not a space: what strip_whitespace then min_length=1 refuse, said in the schema too
NOT_BLANK = r"\S"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_BLANK)]
# held to what the shop takes (its contract), where clients and intervenants go
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=rules.PERSON_NAME_MAX,
                                              pattern=NOT_BLANK)]
Presentation = Annotated[str, StringConstraints(strip_whitespace=True, max_length=rules.PRESENTATION_MAX)]
ServiceId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=rules.SERVICE_ID_MAX,
                                             pattern=NOT_BLANK)]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=rules.SKILL_MAX,
                                         pattern=NOT_BLANK)]
PHONE_PATTERN = r"^[0-9+(). -]*$"
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30, pattern=PHONE_PATTERN),
                  _rule(rules.normalise_phone)]
# Strict: a JSON number without decimals, never true (1 cent), "12" or 12.0
Cents = Annotated[StrictInt, Field(gt=0, le=rules.MAX_AMOUNT_CENTS, description="centimes d'euro, entier positif")]
# 01 to 95 (Corsica: 20xxx), overseas departments 971 to 976, Monaco and the collectivities 98x
POSTAL_CODE_PATTERN = r"^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|97[1-6]\d{2}|98\d{3})$"
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=POSTAL_CODE_PATTERN)]
SIRET_PATTERN = r"^\d{14}$"
Siret = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SIRET_PATTERN), _rule(rules.normalise_siret)]
MONTH_PATTERN = r"^\d{4}-\d{2}$"
PRINTABLE_ASCII = r"^[!-~]+$"  # a secret or a key: what a header or a configuration file carries as is
STRIPE_CUSTOMER_PATTERN = r"^cus_[A-Za-z0-9]+$"
STRIPE_PAYMENT_METHOD_PATTERN = r"^pm_[A-Za-z0-9]+$"
# what each pattern above expects, said to the operator instead of the regular expression
EXPECTED_FORMATS = {
    NOT_BLANK: "ne peut pas être vide",
    PHONE_PATTERN: "numéro de téléphone attendu (chiffres, espaces et + . ( ) -)",
    POSTAL_CODE_PATTERN: "code postal français attendu (5 chiffres, ex. 69003)",
    SIRET_PATTERN: "SIRET attendu (14 chiffres)",
    MONTH_PATTERN: "mois attendu (AAAA-MM, ex. 2026-10)",
    PRINTABLE_ASCII: "caractères ASCII imprimables attendus, sans espace",
    STRIPE_CUSTOMER_PATTERN: "identifiant de client Stripe attendu (cus_…)",
    STRIPE_PAYMENT_METHOD_PATTERN: "identifiant de moyen de paiement Stripe attendu (pm_…)",
}
Year = Annotated[StrictInt, Field(ge=rules.MIN_YEAR, le=rules.MAX_YEAR)]
BoundedDate = Annotated[date, _rule(_in_years)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("la date et l'heure doivent porter un fuseau horaire (ex. +01:00)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


def _no_default(schema: dict) -> None:
    """A field that may be left out but not sent as null: no ``"default": null`` in the schema."""
    schema.pop("default", None)


def _clean(value):
    """``value``, unless a text in it (a string, or strings in a list) holds a forbidden character."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and rules.has_forbidden_characters(text) for text in texts):
        raise ValueError("caractères de contrôle refusés")
    return value


class Incoming(BaseModel):
    """A request body: no text in it holds a NUL, a control character or a lone surrogate (the domain's
    rule), whatever its own constraints."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        return _clean(value)


class Strict(Incoming):
    model_config = ConfigDict(extra="forbid")


class AddressIn(Strict):
    street: Text
    postal_code: PostalCode
    city: Text

    def to_domain(self) -> Address:
        return Address(self.street, self.postal_code, self.city)


class CompanyIn(Strict):
    name: Text
    address: AddressIn
    siret: Siret
    sap_declaration_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50,
                                                             pattern=NOT_BLANK)]
    sap_declaration_date: BoundedDate
    email: EmailStr | None = None


class TarifIn(Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30, pattern=NOT_BLANK)]
    label: Text
    unit: Literal["heure", "forfait", "hour", "flat"] = Field(
        description="heure : prix à l'heure, quantités en minutes ; forfait : au forfait (hour, flat acceptés aussi)")
    price_ht_cents: Cents
    vat_rate: Literal["5.5", "10", "20"]
    tax_credit_eligible: StrictBool = True
    mode: Literal["prestataire", "mandataire"] = "prestataire"


class ShopLinkIn(Strict):
    shop_account_id: Text
    webhook_secret: Annotated[str, StringConstraints(min_length=16, max_length=200,
                                                     pattern=PRINTABLE_ASCII)] | None = None
    api_key: Annotated[str, StringConstraints(min_length=8, max_length=200, pattern=PRINTABLE_ASCII)] | None = Field(
        None, description="The shop's API key for this account (else the installation's OGUST_SHOP_API_KEY)")


class MappingIn(Strict):
    shop_service_id: Text
    tarif_code: Text


class ProfileIn(Strict):
    presentation: Presentation = ""
    services: list[ServiceId] = Field(default_factory=list, max_length=50)
    zones: list[PostalCode] = Field(default_factory=list, max_length=200)
    skills: list[Skill] = Field(default_factory=list, max_length=50)


class IntervenantIn(Strict):
    first_name: PersonName
    last_name: PersonName
    matricule: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30,
                                                pattern=NOT_BLANK)]
    email: EmailStr | None = None
    phone: Phone = ""
    profile: ProfileIn = Field(default_factory=ProfileIn)


# PATCH bodies are JSON Merge Patches (RFC 7396, see merge_patch.py): a member left out is kept, null clears
# it — refused by the schema where a value is required (names, active, a client's email and address) — and an
# object sent (profile, address) is itself a merge patch of that object: a list given replaces that list only.
class ProfilePatch(Strict):
    presentation: Presentation | None = None
    services: list[ServiceId] | None = Field(None, max_length=50)
    zones: list[PostalCode] | None = Field(None, max_length=200)
    skills: list[Skill] | None = Field(None, max_length=50)


class IntervenantPatch(Strict):
    first_name: PersonName = Field(None, json_schema_extra=_no_default)
    last_name: PersonName = Field(None, json_schema_extra=_no_default)
    email: EmailStr | None = None
    phone: Phone | None = None
    active: StrictBool = Field(None, json_schema_extra=_no_default)
    profile: ProfilePatch | None = Field(None, description="null : profil vidé ; un objet : ses seuls champs "
                                                           "envoyés changent")


class ClientIn(Strict):
    first_name: PersonName
    last_name: PersonName
    email: EmailStr
    address: AddressIn
    phone: Phone = ""


class AddressPatch(Strict):
    street: Text = Field(None, json_schema_extra=_no_default)
    postal_code: PostalCode = Field(None, json_schema_extra=_no_default)
    city: Text = Field(None, json_schema_extra=_no_default)


class ClientPatch(Strict):
    first_name: PersonName = Field(None, json_schema_extra=_no_default)
    last_name: PersonName = Field(None, json_schema_extra=_no_default)
    email: EmailStr = Field(None, json_schema_extra=_no_default)
    phone: Phone | None = None
    address: AddressPatch = Field(None, json_schema_extra=_no_default,
                                  description="ses seuls champs envoyés changent")


class ExportIn(Strict):
    clients: StrictBool = True
    intervenants: StrictBool = True
    ids: list[Text] = Field(default_factory=list, max_length=10_000)


class SignedFor(Incoming):
    """What the order webhook reads before the signature is checked, when ``X-Ogust-Account`` is absent."""
    account_id: Text


class OrderCustomerIn(Incoming):
    shop_client_id: Text
    email: EmailStr
    first_name: Text
    last_name: Text
    phone: Phone = ""
    address: AddressIn


class OrderPaymentIn(Incoming):
    stripe_customer_id: Annotated[str, StringConstraints(pattern=STRIPE_CUSTOMER_PATTERN)]
    stripe_payment_method_id: Annotated[str, StringConstraints(pattern=STRIPE_PAYMENT_METHOD_PATTERN)]


class OrderItemIn(Incoming):
    service_id: Text
    intervenant_id: Text
    start: AwareDatetime
    end: AwareDatetime
    unit_price_ttc_cents: Cents


class OrderIn(Incoming):
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


class InterventionIn(Strict):
    client_id: Text
    intervenant_id: Text
    tarif_id: Text
    start: AwareDatetime = Field(description="début, ISO 8601 avec fuseau (ex. 2026-12-14T09:00:00+01:00)")
    end: AwareDatetime = Field(description="fin, ISO 8601 avec fuseau : après le début, 24 heures au plus")


class InvoiceFromDevisIn(Strict):
    devis_id: Text


class ManualLineIn(Strict):
    tarif_code: Text
    quantity: Annotated[StrictInt, Field(gt=0, le=rules.MAX_QUANTITY)] = Field(
        description="minutes (tarif horaire) ou nombre")
    performed_on: BoundedDate | None = Field(None, description="jour de la prestation : obligatoire, sauf pour un "
                                                                "tarif hors crédit d'impôt (frais annexes)")
    intervenant_id: Text | None = Field(None, description="intervenant de la prestation (matricule ou id) : "
                                                          "obligatoire, sauf pour un "
                                                          "tarif hors crédit d'impôt (frais annexes)")
    label: Text | None = None


class ManualInvoiceIn(Strict):
    client_id: Text = Field(description="le client : son email ou son id")
    lines: list[ManualLineIn] = Field(min_length=1, max_length=500)


class ContractInvoiceIn(Strict):
    client_id: Text = Field(description="le client : son email ou son id")
    period_start: BoundedDate
    period_end: BoundedDate

    @model_validator(mode="after")
    def _period(self) -> "ContractInvoiceIn":
        if self.period_end < self.period_start:
            raise ValueError("la période se termine avant de commencer (period_end ≥ period_start)")
        return self


class AttestationIn(Strict):
    client_id: Text = Field(description="le client : son email ou son id")
    year: Year


class AttestationBatchIn(Strict):
    year: Year


class CreditNoteIn(Strict):
    """An avoir on a validated invoice: the whole of what is left (``full``) or an amount TTC."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NOT_BLANK)]
    amount_cents: Cents | None = None
    full: StrictBool = False
    line: Annotated[StrictInt, Field(ge=1, le=500)] | None = Field(
        None, description="la ligne de la facture rendue (1 pour la première), à son taux de TVA : un frais offert ; "
                          "avec full, toute la ligne")
    def amount(self) -> Money | None:
        """None for the whole of what is left; InvalidValue unless exactly one of the two is given."""
        if self.full == (self.amount_cents is not None):
            from ogust.domain.errors import InvalidValue
            raise InvalidValue("Précisez soit amount_cents, soit full=true.", field="amount_cents")
        return None if self.full else Money(self.amount_cents)


# One set of codes for the API and the CLI (PaymentMethod.code); the API's English values of before are
# still accepted.
PaymentCode = Literal["cheque", "virement", "cesu", "especes", "apa-pch", "transfer", "cash", "apa_pch"]
RefundCode = Literal["cheque", "virement", "especes", "transfer", "cash"]


class PaymentIn(Strict):
    """A payment received otherwise than by card: all that is left due, or a part of it."""

    method: PaymentCode = Field(
        description="cheque : chèque ; virement ; cesu : chèques emploi service universels ; especes : espèces ; "
                    "apa-pch : APA ou PCH versée par le département (hors attestation fiscale) — les codes de "
                    "« ogust invoice pay --method » ; transfer, cash, apa_pch acceptés aussi (anciens noms). "
                    "La carte n'est débitée que par le débit automatique.")
    received_on: BoundedDate = Field(description="jour de réception du règlement (pas dans le futur)")
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=PAYMENT_REFERENCE_MAX)] = Field(
        "", description="n° de chèque, référence du virement, n° CESU (facultatif)")
    amount_cents: Cents | None = Field(
        None, description="le montant reçu ; sans lui, tout ce qui reste dû. Moins : un règlement partiel (le reste "
                          "demeure dû) ; plus : refusé")

    def to_command(self, company_id: str, invoice_id: str) -> c.RecordPayment:
        return c.RecordPayment(company_id, invoice_id, PaymentMethod.from_code(self.method), self.received_on,
                               self.reference,
                               None if self.amount_cents is None else Money(self.amount_cents))


class RefundIn(Strict):
    """A credit note's amount given back to the client by the company itself."""

    method: RefundCode = Field(
        description="cheque : chèque ; virement ; especes : espèces — les codes de « ogust credit-note refund "
                    "--method » ; transfer, cash acceptés aussi (anciens noms). Un paiement par carte est remboursé "
                    "sur la carte, automatiquement.")
    refunded_on: BoundedDate = Field(description="jour du remboursement (pas dans le futur, pas avant l'avoir)")
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=PAYMENT_REFERENCE_MAX)] = Field(
        "", description="n° du chèque, référence du virement (facultatif)")

    def to_command(self, company_id: str, credit_note_id: str) -> c.RecordRefund:
        return c.RecordRefund(company_id, credit_note_id, PaymentMethod.from_code(self.method), self.refunded_on,
                              self.reference)


# ---------------------------------------------------------------- responses
class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error, RFC 9457 (``application/problem+json``), with a stable ``code``."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldError] | None = Field(None, description="les champs refusés (422 invalid_request)")
    details: dict | None = None


def _problem_response(description: str) -> dict:
    return {"description": description, "model": Problem,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Declared on the routers, so that the OpenAPI schema tells the truth about the errors.
PROBLEM_RESPONSES: dict[int | str, dict] = {
    400: _problem_response("Requête invalide"),
    401: _problem_response("Clé d'API manquante, inconnue ou révoquée"),
    403: _problem_response("La clé ne permet pas cette opération"),
    404: _problem_response("Introuvable"),
    409: _problem_response("Conflit avec l'état actuel"),
    413: _problem_response("Corps de requête trop volumineux"),
    422: _problem_response("Données refusées : ce qui ne va pas, champ par champ"),
    502: _problem_response("La boutique a refusé"),
    503: _problem_response("Service extérieur indisponible"),
}


class MonthEndIn(Strict):
    """A month-end run, as ``ogust invoice run`` takes it."""

    month: str = Field(pattern=MONTH_PATTERN, description="AAAA-MM, mois du fuseau de l'entreprise")
    concurrency: StrictInt | None = Field(None, ge=1, le=64, description="débits menés en même temps "
                                                                          "(défaut : OGUST_MONTH_END_CONCURRENCY)")
    rate: float | None = Field(None, gt=0, le=10_000, allow_inf_nan=False,
                               description="débits par seconde au plus (défaut : OGUST_PAYMENT_RATE_LIMIT)")
