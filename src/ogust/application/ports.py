"""The ports the use cases need, as Protocols. Adapters implement them; fakes stand in for tests."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol

from ogust.domain.attestation import Attestation
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.credit_note import CreditNote
from ogust.domain.devis import Devis
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money
from ogust.domain.payment import Payment
from ogust.domain.shop_service import ShopService
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware current time."""


# ---------------------------------------------------------------- payments
class ChargeOutcome(Enum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    AUTHENTICATION_REQUIRED = "authentication_required"


@dataclass(frozen=True)
class ChargeRequest:
    company_id: str
    invoice_id: str
    invoice_number: str
    amount: Money
    customer_id: str
    payment_method_id: str
    idempotency_key: str


@dataclass(frozen=True)
class ChargeResult:
    outcome: ChargeOutcome
    payment_intent_id: str | None
    reason: str = ""
    decline_code: str | None = None


class PaymentOutcomeUnknown(Exception):
    """Timeout, connection error or 5xx: the debit may or may not have happened. Retry with the
    same idempotency key (the gateway looks the PaymentIntent up first). ``payment_intent_id`` is
    set when the PaymentIntent exists but has no outcome yet (processing): recording it lets its
    webhook find the attempt."""

    def __init__(self, message: str, payment_intent_id: str | None = None) -> None:
        super().__init__(message)
        self.payment_intent_id = payment_intent_id


class RefundOutcome(Enum):
    SUCCEEDED = "succeeded"  # made (or accepted by the bank and under way)
    REFUSED = "refused"  # definitive: nothing was refunded


@dataclass(frozen=True)
class RefundRequest:
    company_id: str
    credit_note_id: str
    credit_note_number: str
    invoice_id: str
    payment_intent_id: str
    amount: Money
    idempotency_key: str


@dataclass(frozen=True)
class RefundResult:
    outcome: RefundOutcome
    refund_id: str | None
    reason: str = ""


class PaymentGateway(Protocol):
    def charge(self, request: ChargeRequest) -> ChargeResult:
        """Debit off-session. Idempotent on ``request.idempotency_key``. Raises PaymentOutcomeUnknown."""

    def refund(self, request: RefundRequest) -> RefundResult:
        """Refund (part of) a card payment. Idempotent on ``request.idempotency_key`` (the refund made
        for that key is looked up first); refuses to refund more than the payment has left.
        Raises PaymentOutcomeUnknown."""

    def cancel(self, payment_intent_id: str) -> ChargeResult:
        """Cancel a PaymentIntent that awaits the client's 3-D Secure confirmation, so that it never
        debits the card. Returns its outcome: DECLINED once cancelled (now, or before: idempotent),
        SUCCEEDED when the client confirmed first (the card is debited). Raises
        PaymentOutcomeUnknown (no answer, or the PaymentIntent is still processing)."""

    def client_secret(self, payment_intent_id: str) -> str | None:
        """The PaymentIntent's client secret: what the client's browser confirms it with (3-D Secure,
        on the payment page); None when the provider does not know it. Raises PaymentOutcomeUnknown
        (no answer)."""

    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        """True when the customer exists and the payment method is attached to it."""

    def detach_payment_method(self, payment_method_id: str) -> None:
        """Detach the card from its customer (GDPR erasure): it can never be charged again. Idempotent:
        a card already detached or unknown is fine. Raises PaymentOutcomeUnknown (try again later)."""

    def delete_customer(self, customer_id: str) -> None:
        """Delete the customer (GDPR erasure): its name, email and saved cards go; its payments stay,
        as the accounting needs them. Idempotent: a customer already deleted or unknown is fine.
        Raises PaymentOutcomeUnknown (try again later)."""


# ---------------------------------------------------------------- mail
class EmailKind(Enum):
    DEBIT_CONFIRMED = "debit_confirmed"
    DEBIT_FAILED = "debit_failed"
    AUTHENTICATION_NEEDED = "authentication_needed"
    ATTESTATION_AVAILABLE = "attestation_available"
    CREDIT_NOTE_AVAILABLE = "credit_note_available"
    CREDIT_NOTE_REFUNDED = "credit_note_refunded"
    INVOICE_AVAILABLE = "invoice_available"  # no card debit will speak of it: no card, or too small

    @property
    def subject_fr(self) -> str:
        """What the email is about, as its subject says it (without the number it names)."""
        return {"debit_confirmed": "Paiement de la facture confirmé",
                "debit_failed": "Paiement de la facture non abouti",
                "authentication_needed": "Paiement à confirmer (3-D Secure)",
                "attestation_available": "Attestation fiscale disponible",
                "credit_note_available": "Avoir sur la facture",
                "credit_note_refunded": "Remboursement de l'avoir",
                "invoice_available": "Facture disponible"}[self.value]


EMAIL_STATUS_FR = {"sent": "envoyé", "pending": "en attente", "failed": "en échec"}


@dataclass(frozen=True)
class Notification:
    """An email to send: the adapter renders ``kind`` with ``context`` (French templates)."""

    message_id: str
    kind: EmailKind
    to_email: str
    to_name: str
    context: dict[str, str] = field(default_factory=dict)


class MailTemporaryFailure(Exception):
    """Server down, 4xx reply: try again later."""


class MailPermanentFailure(Exception):
    """5xx reply (bad address…): retrying will not help."""


class Mailer(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver the email. Raises MailTemporaryFailure / MailPermanentFailure."""


# ---------------------------------------------------------------- shop
class ShopUnavailable(Exception):
    """Timeout, connection error or 5xx: try again later."""


class ShopRejected(Exception):
    """The shop refused the record (4xx): the reason is kept and shown to the operator."""


class ShopKeyRefused(ShopRejected):
    """The shop refused the API key ogust called it with (401/403): the operator's key to fix, not an outage."""


@dataclass(frozen=True)
class ShopDocument:
    """An invoice, credit note (avoir) or attestation published to the client's account in the shop."""

    kind: str  # "invoice" | "credit_note" | "attestation"
    id: str
    number: str
    client_id: str
    issued_on: str
    amount_ttc_cents: int
    status: str
    download_url: str
    title: str
    left_to_pay_cents: int | None = None  # an invoice: what the client still owes (credit notes, payments off)


class ShopApi(Protocol):
    def account_exists(self, account_id: str, api_key: str | None = None) -> bool:
        """Whether the account exists, asked with ``api_key`` (the key the company is linking with)."""

    def list_services(self, account_id: str) -> list[ShopService]: ...

    def upsert_intervenant(self, account_id: str, fields: dict[str, object]) -> None: ...

    def upsert_client(self, account_id: str, fields: dict[str, object]) -> str:
        """Create or update the client's account; returns the shop's client id."""

    def publish_document(self, account_id: str, shop_client_id: str, document: ShopDocument) -> None:
        """Create or replace the document in the client's account (idempotent by id)."""

    def erase_client(self, account_id: str, client_id: str, shop_client_id: str | None = None) -> None:
        """GDPR erasure of the shop's copy of the client (known by ogust's ``client_id`` and, when ogust
        has it, the shop's ``shop_client_id``): its personal data anonymised, its documents kept.
        Idempotent: a client the shop does not know, or already erased, is a success."""


@dataclass(frozen=True)
class BulkOutcome:
    """What the shop did with one record of a bulk upsert."""

    id: str | None
    ok: bool
    shop_client_id: str | None = None
    reason: str = ""


class BulkShopApi(ShopApi, Protocol):
    """The shop's batch endpoints: many records per call, one outcome per record, in order.
    Raises ShopUnavailable (the whole call failed: try later) or ShopRejected (the call was refused)."""

    def bulk_upsert_intervenants(self, account_id: str, records: Sequence[dict[str, object]]) -> list[BulkOutcome]: ...

    def bulk_upsert_clients(self, account_id: str, records: Sequence[dict[str, object]]) -> list[BulkOutcome]: ...


# ---------------------------------------------------------------- documents
@dataclass(frozen=True)
class DocumentContext:
    """What a document shows besides itself: who, where, how and what happened since."""

    company: Company
    client: Client
    tarifs: Mapping[str, Tarif] = field(default_factory=dict)  # by id: label, mode of intervention
    interventions: Mapping[str, Intervention] = field(default_factory=dict)  # by id: place and hours
    intervenants: Mapping[str, Intervenant] = field(default_factory=dict)  # by id
    payments: tuple[Payment, ...] = ()  # received for the invoice
    credit_notes: tuple[CreditNote, ...] = ()  # issued on the invoice
    invoice: Invoice | None = None  # the invoice a credit note corrects


class DocumentRenderer(Protocol):
    """Turns a document into a file the client can keep (PDF): devis, invoice, attestation, avoir."""

    media_type: str
    extension: str

    def invoice(self, invoice: Invoice, company: Company, client: Client,
                context: DocumentContext | None = None) -> bytes: ...

    def devis(self, devis: Devis, company: Company, client: Client,
              context: DocumentContext | None = None) -> bytes: ...

    def attestation(self, attestation: Attestation, company: Company, client: Client,
                    context: DocumentContext | None = None) -> bytes: ...

    def credit_note(self, credit_note: CreditNote, company: Company, client: Client,
                    context: DocumentContext | None = None) -> bytes: ...

    def embedded_xml(self, document: bytes) -> bytes | None:
        """The structured invoice (Factur-X XML) a rendered invoice or avoir carries; None when it
        carries none (a draft, a devis, an attestation)."""


class DocumentLinks(Protocol):
    def download_url(self, company_id: str, kind: str, document_id: str) -> str:
        """A link the client can follow to download the document."""

    def payment_url(self, company_id: str, invoice_id: str) -> str:
        """A link where the client completes a payment that needs authentication."""


# ---------------------------------------------------------------- URSSAF (avance immédiate)
# The « API Tiers de prestation » (docs/urssaf-tiers-prestation.openapi.yaml) in the application's
# terms: the client's registration and account status, one payment request per invoice, the
# requests' statuses. Amounts are Money; the unit price and the quantity are decimals because
# URSSAF takes three decimals on the one and hours as a decimal number on the other.
URSSAF_PRODUCTION = "https://api.urssaf.fr"
URSSAF_SANDBOX = "https://api-edi.urssaf.fr"


@dataclass(frozen=True, repr=False)
class UrssafCredentials:
    """A company's access to URSSAF: its OAuth2 client id and secret, and which URSSAF it talks to
    (production, the sandbox, or our reference server in tests and the demo)."""

    client_id: str
    client_secret: str
    base_url: str = URSSAF_PRODUCTION

    @classmethod
    def for_environment(cls, client_id: str, client_secret: str, environment: str) -> UrssafCredentials:
        urls = {"production": URSSAF_PRODUCTION, "sandbox": URSSAF_SANDBOX}
        if environment not in urls:
            raise ValueError(f"environnement URSSAF inconnu : {environment!r} (production ou sandbox)")
        return cls(client_id, client_secret, urls[environment])

    def __repr__(self) -> str:
        shown = self.client_id[:4] + "…" if len(self.client_id) > 4 else "…"
        return f"UrssafCredentials(client_id={shown!r}, client_secret=***, base_url={self.base_url!r})"

    __str__ = __repr__


class UrssafUnavailable(Exception):
    """Timeout, connection error, 5xx or 429: URSSAF did not answer; try again later. For a payment
    request, it may have been received: the retry may come back « already received »."""


class UrssafRejected(Exception):
    """URSSAF refused (4xx): ``code`` is URSSAF's (ERR_…, or the OAuth error), the message is in
    French for the operator. Permanent: the same call will be refused again."""

    DUPLICATE_INVOICE = "ERR_FACTURE_DOUBLON"

    def __init__(self, message: str, code: str, codes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.codes = codes or (code,)

    @property
    def already_received(self) -> bool:
        """URSSAF already has a request for this invoice number (a retry after a lost answer)."""
        return self.DUPLICATE_INVOICE in self.codes


class UrssafClientStatus(Enum):
    PAIRING = "APPAREILLAGE_EC"  # registered, the client has not activated the URSSAF account yet
    ACTIVE = "APPAREILLAGE_VALIDE"
    NOT_FINISHED = "APPAREILLAGE_NF"
    BLOCKED = "PARTICULIER_BLOQUE"
    MANDATE_EXPIRED = "MANDAT_ECHU"


@dataclass(frozen=True)
class UrssafBirthPlace:
    country_code: str  # INSEE, 99100 for France
    department: str = ""  # in France: "075", "02A", "972"
    commune_code: str = ""  # in France: the commune's three digits within the département
    commune_name: str = ""


@dataclass(frozen=True)
class UrssafAddress:
    commune_code: str  # INSEE
    commune_name: str
    postal_code: str
    street_number: str = ""
    street_letter: str = ""  # B bis, T ter…
    street_type_code: str = ""  # R rue, AV avenue…
    street_name: str = ""
    complement: str = ""
    locality: str = ""  # lieu-dit
    country_code: str = "99100"


@dataclass(frozen=True)
class UrssafClientRegistration:
    civility: str  # "M" or "Mme"
    birth_name: str
    first_names: str  # all of them, as on the tax notice
    birth_date: date
    birth_place: UrssafBirthPlace
    mobile_phone: str
    email: str
    address: UrssafAddress
    iban: str = field(repr=False)
    bic: str = field(repr=False)
    account_holder: str
    usage_name: str = ""


@dataclass(frozen=True)
class UrssafServiceLine:
    nature_code: str  # URSSAF's code of the nature of the service
    quantity: Decimal  # hours as a decimal number, or a count of forfaits
    unit: Unit
    unit_price_ttc: Decimal  # euros, three decimals at most
    amount_ttc: Money
    amount_ht: Money
    amount_vat: Money
    intervenant: str  # "SAP" + SIREN (NOVA) or "SIR" + SIRET
    activity_code: str | None = None
    start: date | None = None
    end: date | None = None
    comment: str = ""


@dataclass(frozen=True)
class UrssafPaymentRequest:
    """One invoice's demande de paiement: after the services, one calendar month at most."""

    billing_id: str  # idTiersFacturation
    urssaf_client_id: str
    client_birth_date: date
    invoice_number: str
    invoice_date: date
    period_start: date
    period_end: date
    total_ttc: Money
    total_ht: Money
    lines: tuple[UrssafServiceLine, ...]
    down_payment: Money | None = None
    down_payment_date: date | None = None


class UrssafRequestStatus(Enum):
    RECEIVED = "10"
    AWAITING_CLIENT = "20"  # the client's 48 hours
    VALIDATED = "30"
    REFUSED = "40"  # contested by the client: see the rejection
    DEBITED = "50"
    DEBIT_REFUSED = "60"
    PAID = "70"  # URSSAF's transfer to the company
    CANCELLED = "110"
    CANCELLED_UNPAID = "111"
    CANCELLED_RECOVERED = "112"
    RECOVERED = "120"


@dataclass(frozen=True)
class UrssafPaymentRequestState:
    request_id: str
    status: UrssafRequestStatus
    invoice_number: str
    rejection_code: str | None = None
    rejection_comment: str = ""
    transfer_amount: Money | None = None
    transfer_date: date | None = None


class UrssafApi(Protocol):
    """Each call raises UrssafUnavailable (temporary) or UrssafRejected (permanent)."""

    def register_client(self, credentials: UrssafCredentials, registration: UrssafClientRegistration) -> str:
        """Registers the client with URSSAF; returns URSSAF's client id (idClient)."""

    def client_status(self, credentials: UrssafCredentials, urssaf_client_id: str) -> UrssafClientStatus: ...

    def submit_payment_request(self, credentials: UrssafCredentials, request: UrssafPaymentRequest) -> str:
        """Returns URSSAF's request id. A number already sent raises UrssafRejected with
        ``already_received``: look the request up by its invoice date."""

    def payment_requests(self, credentials: UrssafCredentials,
                         request_ids: Sequence[str]) -> list[UrssafPaymentRequestState]:
        """The requests' states (any number of ids: asked ten at a time); unknown ids are left out."""

    def payment_requests_invoiced(self, credentials: UrssafCredentials, first_day: date,
                                  last_day: date) -> list[UrssafPaymentRequestState]:
        """The requests whose invoice date falls in these days. URSSAF lists ten at most per search:
        a longer list is asked in shorter periods; more than ten on one day is a UrssafRejected."""
