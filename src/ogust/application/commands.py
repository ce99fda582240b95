"""Commands: small frozen dataclasses of primitives and value objects, one per use case."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ogust.domain.address import Address
from ogust.domain.intervenant import ShopProfile
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.tarif import InterventionMode
from ogust.domain.units import Unit


# ---------------------------------------------------------------- set-up
@dataclass(frozen=True)
class CreateCompany:
    name: str
    address: Address
    siret: str
    sap_declaration_number: str
    sap_declaration_date: date
    email: str = ""


@dataclass(frozen=True)
class CreateTarif:
    company_id: str
    code: str
    label: str
    unit: Unit
    price_ht: Money
    vat_rate: VatRate
    tax_credit_eligible: bool = True
    mode: InterventionMode = InterventionMode.PRESTATAIRE


@dataclass(frozen=True)
class LinkShopAccount:
    company_id: str
    shop_account_id: str
    webhook_secret: str | None = None  # generated when not given
    api_key: str | None = None  # the shop's API key for this account (else the installation's)


@dataclass(frozen=True)
class MapShopService:
    company_id: str
    shop_service_id: str
    tarif_code: str


# ---------------------------------------------------------------- people
@dataclass(frozen=True)
class CreateIntervenant:
    company_id: str
    first_name: str
    last_name: str
    matricule: str
    email: str = ""
    phone: str = ""
    profile: ShopProfile = field(default_factory=ShopProfile)


@dataclass(frozen=True)
class UpdateIntervenant:
    """``changes`` set whole fields; ``profile_changes`` only the profile's fields named (the rest is kept)."""
    company_id: str
    intervenant_id: str
    changes: tuple[tuple[str, object], ...]
    profile_changes: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class CreateClient:
    company_id: str
    first_name: str
    last_name: str
    email: str
    address: Address
    phone: str = ""


@dataclass(frozen=True)
class UpdateClient:
    """``changes`` set whole fields; ``address_changes`` only the address's fields named (the rest is kept)."""
    company_id: str
    client_id: str
    changes: tuple[tuple[str, object], ...]
    address_changes: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class SyncIntervenant:
    company_id: str
    intervenant_id: str
    force: bool = False


@dataclass(frozen=True)
class TransmitClient:
    company_id: str
    client_id: str
    force: bool = False


@dataclass(frozen=True)
class ExportToShop:
    """Batch: every (or the chosen) client and intervenant; only what changed is sent."""

    company_id: str
    clients: bool = True
    intervenants: bool = True
    ids: tuple[str, ...] = ()


# ---------------------------------------------------------------- orders
@dataclass(frozen=True)
class OrderCustomer:
    shop_client_id: str
    email: str
    first_name: str
    last_name: str
    address: Address
    phone: str = ""


@dataclass(frozen=True)
class OrderItem:
    shop_service_id: str
    intervenant_id: str
    start: datetime
    end: datetime
    unit_price_ttc: Money


@dataclass(frozen=True)
class PlaceOrder:
    company_id: str
    shop_order_id: str
    customer: OrderCustomer
    items: tuple[OrderItem, ...]
    stripe_customer_id: str | None = None
    stripe_payment_method_id: str | None = None


# ---------------------------------------------------------------- planning
@dataclass(frozen=True)
class MarkInterventionDone:
    company_id: str
    intervention_id: str


@dataclass(frozen=True)
class PlanIntervention:
    """An operator books an intervention in the planning (no order): at the client's address."""

    company_id: str
    client_id: str
    intervenant_id: str
    tarif_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CancelIntervention:
    company_id: str
    intervention_id: str


# ---------------------------------------------------------------- invoices
@dataclass(frozen=True)
class InvoiceFromDevis:
    company_id: str
    devis_id: str


@dataclass(frozen=True)
class ManualInvoiceLine:
    tarif_code: str
    quantity: int  # minutes for an hourly tarif, pieces for a flat one
    performed_on: date | None = None
    intervenant_id: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class ManualInvoice:
    company_id: str
    client_id: str
    lines: tuple[ManualInvoiceLine, ...]


@dataclass(frozen=True)
class ContractInvoice:
    """The client's done, not yet invoiced interventions of a period [start, end]."""

    company_id: str
    client_id: str
    period_start: date
    period_end: date


@dataclass(frozen=True)
class DiscardDraftInvoice:
    company_id: str
    invoice_id: str


@dataclass(frozen=True)
class ValidateInvoice:
    company_id: str
    invoice_id: str


@dataclass(frozen=True)
class CancelDebit:
    """Operator-triggered: cancel the debit awaiting the client's 3-D Secure confirmation."""

    company_id: str
    invoice_id: str


@dataclass(frozen=True)
class RetryPayment:
    """Operator-triggered new attempt after a decline or an authentication request."""

    company_id: str
    invoice_id: str


@dataclass(frozen=True)
class RecordPayment:
    """A payment received otherwise than by card (cheque, transfer, CESU, cash): ``amount`` None, all
    that is left due; less, a part of it (the rest stays due); more is refused."""

    company_id: str
    invoice_id: str
    method: PaymentMethod
    received_on: date
    reference: str = ""
    amount: Money | None = None


# ---------------------------------------------------------------- attestations
@dataclass(frozen=True)
class GenerateAttestation:
    company_id: str
    client_id: str
    year: int


@dataclass(frozen=True)
class GenerateAttestations:
    company_id: str
    year: int
    chunk_size: int = 200  # clients per transaction


# ---------------------------------------------------------------- month end
@dataclass(frozen=True)
class RunMonthEnd:
    """Invoice the month's done interventions (one contract invoice per client), validate, debit.
    ``concurrency`` debits at once at most, ``rate`` debits per second at most (None: no limit)."""

    company_id: str
    year: int
    month: int
    concurrency: int = 8
    rate: float | None = 25.0


@dataclass(frozen=True)
class ValidateAttestation:
    company_id: str
    attestation_id: str


# ---------------------------------------------------------------- credit notes
@dataclass(frozen=True)
class RecordRefund:
    """The company gave a credit note's amount back to the client itself (cheque, transfer, cash), on
    ``refunded_on``: for an invoice paid otherwise than by card, credited after it was paid."""

    company_id: str
    credit_note_id: str
    method: PaymentMethod
    refunded_on: date
    reference: str = ""


@dataclass(frozen=True)
class IssueCreditNote:
    """Correct a validated invoice: the whole of what is left (``amount`` None) or an amount TTC —
    spread over its VAT rates, or taken off its line ``line`` (1 for the first) alone."""

    company_id: str
    invoice_id: str
    reason: str
    amount: Money | None = None
    line: int | None = None


# ---------------------------------------------------------------- history from a former software
@dataclass(frozen=True)
class ImportFile:
    """One CSV file; ``kind``: clients, intervenants, invoices or payments."""

    kind: str
    content: bytes
    name: str = ""


@dataclass(frozen=True)
class ImportHistory:
    """Bring clients, intervenants, invoices and payments from the company's former software: every
    line checked; all the files written in one transaction, or nothing (``dry_run``: checked only)."""

    company_id: str
    files: tuple[ImportFile, ...]
    dry_run: bool = False
