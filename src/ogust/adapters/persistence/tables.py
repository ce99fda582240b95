"""The schema: one MetaData (with a naming convention) shared by the mappers and Alembic.

Money is integer cents + currency, enums are their values as strings, datetimes are stored in UTC
and come back aware. References between aggregates are foreign keys checked at commit time
(DEFERRABLE INITIALLY DEFERRED), so the order in which a unit of work flushes does not matter.
Unique constraints are the last line against duplicates (orders, numbers, attempts, jobs).
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint

from ogust.adapters.persistence.types import ClientIdentityJson, EnumValue, IntEnumValue, StrTuple, UtcDateTime
from ogust.application.outbox import JobStatus
from ogust.domain.attestation import AttestationStatus
from ogust.domain.client import ClientOrigin
from ogust.domain.credit_note import RefundStatus
from ogust.domain.devis import AcceptanceChannel, DevisStatus
from ogust.domain.intervention import InterventionStatus
from ogust.domain.invoice import InvoiceSource, InvoiceStatus
from ogust.domain.money import VatRate
from ogust.domain.payment import AttemptStatus, PaymentMethod
from ogust.domain.tarif import InterventionMode
from ogust.domain.units import Unit

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ID = String(36)


def _id() -> Column:
    return Column("id", ID, primary_key=True)


def _ref(name: str, target: str, nullable: bool = False) -> Column:
    """A reference to another aggregate, checked at commit."""
    fk = ForeignKey(f"{target}.id", deferrable=True, initially="DEFERRED")
    return Column(name, ID, fk, nullable=nullable)


def _company() -> Column:
    return _ref("company_id", "companies")


def _version() -> Column:
    return Column("version", Integer, nullable=False)


def _address(prefix: str = "address") -> list[Column]:
    return [
        Column(f"{prefix}_street", String(300), nullable=False),
        Column(f"{prefix}_postal_code", String(20), nullable=False),
        Column(f"{prefix}_city", String(120), nullable=False),
        Column(f"{prefix}_country", String(2), nullable=False),
    ]


def _client_identity() -> Column:
    """Revision 0007: the client's names, email and address as of the document's issue, which it shows
    ever after (a move or a GDPR erasure of the client changes nothing on it). NULL on a draft and on
    the documents issued before 0007: those render from the client record, as they always did."""
    return Column("client_identity", ClientIdentityJson())


def _money(name: str) -> list[Column]:
    return [Column(f"{name}_cents", Integer, nullable=False), Column("currency", String(3), nullable=False)]


def _shop_sync() -> list[Column]:
    return [
        Column("synced_fingerprint", String(64)),
        Column("synced_at", UtcDateTime()),
        Column("sync_failure", Text),
        Column("failed_fingerprint", String(64)),
    ]


def _line_of(parent_table: str, column: str) -> list[Column]:
    """A line belongs to its aggregate: ordered by position, deleted with it."""
    fk = ForeignKey(f"{parent_table}.id", ondelete="CASCADE")
    return [_id(), Column(column, ID, fk, nullable=False, index=True), Column("position", Integer, nullable=False)]


def _priced_line(parent_table: str, column: str) -> list[Column]:
    return [
        *_line_of(parent_table, column),
        _ref("tarif_id", "tarifs"),
        Column("label", String(300), nullable=False),
        Column("quantity_value", Integer, nullable=False),
        Column("quantity_unit", EnumValue(Unit, 10), nullable=False),
        *_money("unit_price_ht"),
        Column("vat_rate", IntEnumValue(VatRate), nullable=False),
    ]


companies = Table(
    "companies", metadata,
    _id(), _version(),
    Column("name", String(200), nullable=False),
    *_address(),
    Column("siret", String(14), nullable=False),
    Column("sap_declaration_number", String(60), nullable=False),
    Column("sap_declaration_date", Date, nullable=False),
    Column("email", String(254), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("shop_account_id", String(120)),
    Column("shop_webhook_secret", String(200)),
    Column("shop_api_key", String(200)),
    Column("shop_previous_webhook_secret", String(200)),
    Column("shop_previous_secret_expires_at", UtcDateTime()),
    Index("ix_companies_shop_account_id", "shop_account_id"),  # each signed order finds its company by it
)

number_sequences = Table(
    "number_sequences", metadata,
    _id(), _version(), _company(),
    Column("prefix", String(10), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_value", Integer, nullable=False),
    UniqueConstraint("company_id", "prefix", "year"),
)

tarifs = Table(
    "tarifs", metadata,
    _id(), _version(), _company(),
    Column("code", String(50), nullable=False),
    Column("label", String(300), nullable=False),
    Column("unit", EnumValue(Unit, 10), nullable=False),
    *_money("price_ht"),
    Column("vat_rate", IntEnumValue(VatRate), nullable=False),
    Column("tax_credit_eligible", Boolean, nullable=False),
    Column("mode", EnumValue(InterventionMode, 20), nullable=False),
    UniqueConstraint("company_id", "code"),
)

shop_service_mappings = Table(
    "shop_service_mappings", metadata,
    _id(), _version(), _company(),
    Column("shop_service_id", String(120), nullable=False),
    Column("shop_label", String(300), nullable=False),
    _ref("tarif_id", "tarifs"),
    UniqueConstraint("company_id", "shop_service_id"),
)

intervenants = Table(
    "intervenants", metadata,
    _id(), _version(), _company(),
    Column("first_name", String(120), nullable=False),
    Column("last_name", String(120), nullable=False),
    Column("matricule", String(50), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("profile_presentation", Text, nullable=False),
    Column("profile_services", StrTuple(), nullable=False),
    Column("profile_zones", StrTuple(), nullable=False),
    Column("profile_skills", StrTuple(), nullable=False),
    Column("active", Boolean, nullable=False),
    *_shop_sync(),
    UniqueConstraint("company_id", "matricule"),
    Index("ix_intervenants_company_id_name", "company_id", "last_name", "first_name", "id"),  # batches, in name order
)

clients = Table(
    "clients", metadata,
    _id(), _version(), _company(),
    Column("first_name", String(120), nullable=False),
    Column("last_name", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    *_address(),
    Column("phone", String(40), nullable=False),
    Column("origin", EnumValue(ClientOrigin, 20), nullable=False),
    Column("shop_client_id", String(120)),
    Column("stripe_customer_id", String(120)),
    Column("stripe_payment_method_id", String(120)),
    *_shop_sync(),
    # revision 0015: one client per e-mail and per shop client id in a company (an order finds its
    # client by either: two orders of one new buyer at once create one client); an erased client's
    # e-mail is efface-<id>@efface.invalid and its shop id NULL, so it never collides
    Index("uq_clients_company_id_email", "company_id", "email", unique=True),
    Index("uq_clients_company_id_shop_client_id", "company_id", "shop_client_id", unique=True,
          sqlite_where=text("shop_client_id IS NOT NULL"), postgresql_where=text("shop_client_id IS NOT NULL")),
    Index("ix_clients_company_id_name", "company_id", "last_name", "first_name", "id"),  # batches, in name order
)

devis = Table(
    "devis", metadata,
    _id(), _version(), _company(),
    _ref("client_id", "clients"),
    Column("status", EnumValue(DevisStatus, 20), nullable=False),
    Column("created_at", UtcDateTime()),
    Column("accepted_at", UtcDateTime()),
    Column("acceptance_channel", EnumValue(AcceptanceChannel, 20)),
    Column("shop_order_id", String(120)),
    _client_identity(),
    UniqueConstraint("company_id", "shop_order_id"),
    Index("ix_devis_company_id_client_id", "company_id", "client_id"),
)

devis_lines = Table("devis_lines", metadata, *_priced_line("devis", "devis_id"))

invoices = Table(
    "invoices", metadata,
    _id(), _version(), _company(),
    _ref("client_id", "clients"),
    Column("source", EnumValue(InvoiceSource, 20), nullable=False),
    _ref("devis_id", "devis", nullable=True),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("created_at", UtcDateTime()),
    Column("number", String(30)),
    Column("issued_on", Date),
    Column("due_on", Date),
    Column("status", EnumValue(InvoiceStatus, 30), nullable=False),
    Column("paid_at", UtcDateTime()),
    Column("payment_reference", String(200)),
    Column("payment_failure", Text),
    # revision 0002: the sum of the invoice's credit notes (avoirs), TTC
    Column("credited_cents", Integer, nullable=False, server_default=text("0")),
    Column("credited_currency", String(3), nullable=False, server_default=text("'EUR'")),
    # revision 0014: received in part otherwise than by card (a part in CESU, a cheque…), TTC
    Column("paid_cents", Integer, nullable=False, server_default=text("0")),
    _client_identity(),
    UniqueConstraint("company_id", "number"),
    Index("ix_invoices_company_id_status", "company_id", "status"),
    Index("ix_invoices_company_id_client_id", "company_id", "client_id"),
    Index("ix_invoices_company_id_period", "company_id", "period_start", "period_end", "status", "id"),  # month end
)

interventions = Table(
    "interventions", metadata,
    _id(), _version(), _company(),
    _ref("client_id", "clients"),
    _ref("intervenant_id", "intervenants"),
    _ref("tarif_id", "tarifs"),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    *_address(),
    _ref("devis_id", "devis", nullable=True),
    Column("status", EnumValue(InterventionStatus, 20), nullable=False),
    _ref("invoice_id", "invoices", nullable=True),
    Index("ix_interventions_planning", "company_id", "intervenant_id", "starts_at"),
    Index("ix_interventions_to_invoice", "company_id", "client_id", "status", "starts_at"),
    Index("ix_interventions_devis_id", "devis_id"),
)
# revision 0015: an intervenant's interventions (not cancelled) never overlap. PostgreSQL holds it with
# this exclusion constraint; SQLite, which has none, with the triggers interventions_no_overlap_* and
# interventions_times_* of the migration (Alembic compares neither).
interventions.append_constraint(ExcludeConstraint(
    (interventions.c.company_id, "="), (interventions.c.intervenant_id, "="),
    (func.tstzrange(interventions.c.starts_at, interventions.c.ends_at, literal_column("'[)'")), "&&"),
    name="ex_interventions_no_overlap", using="gist", where=text("status <> 'cancelled'"),
).ddl_if(dialect="postgresql"))

invoice_lines = Table(
    "invoice_lines", metadata,
    *_priced_line("invoices", "invoice_id"),
    _ref("intervention_id", "interventions", nullable=True),
    Column("performed_on", Date),
    Column("intervenant_matricule", String(50)),
    Column("intervenant_name", String(250)),
    Column("tax_credit_eligible", Boolean, nullable=False),
)

attestations = Table(
    "attestations", metadata,
    _id(), _version(), _company(),
    _ref("client_id", "clients"),
    Column("year", Integer, nullable=False),
    *_money("amount_paid"),
    # revision 0009: paid in CESU préfinancés, apart from amount_paid (same currency)
    Column("cesu_paid_cents", Integer, nullable=False, server_default=text("0")),
    # revision 0011: refunds received in the year of earlier years' payments, deducted from amount_paid
    Column("refunds_deducted_cents", Integer, nullable=False, server_default=text("0")),
    # revision 0012: an attestation rectificative replaces a validated one (same client and year)
    Column("revision", Integer, nullable=False, server_default=text("1")),
    Column("replaces_id", String(36)),
    Column("replaces_number", String(30)),
    Column("status", EnumValue(AttestationStatus, 20), nullable=False),
    Column("number", String(30)),
    Column("created_at", UtcDateTime()),
    Column("validated_at", UtcDateTime()),
    _client_identity(),
    UniqueConstraint("company_id", "number"),
    UniqueConstraint("company_id", "client_id", "year", "revision"),
)

attestation_lines = Table(
    "attestation_lines", metadata,
    *_line_of("attestations", "attestation_id"),
    Column("intervenant_matricule", String(50), nullable=False),
    Column("intervenant_name", String(250), nullable=False),
    Column("month", Integer, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("interventions", Integer, nullable=False),
    Column("year", Integer),  # of the interventions (a December paid in January is last year's)
)

payment_attempts = Table(
    "payment_attempts", metadata,
    _id(), _version(), _company(),
    _ref("invoice_id", "invoices"),
    Column("number", Integer, nullable=False),
    *_money("amount"),
    Column("idempotency_key", String(250), nullable=False),
    Column("status", EnumValue(AttemptStatus, 30), nullable=False),
    Column("payment_intent_id", String(120)),
    Column("failure", Text),
    Column("created_at", UtcDateTime()),
    Column("updated_at", UtcDateTime()),
    UniqueConstraint("company_id", "invoice_id", "number"),
    # a second succeeded attempt for the same invoice would be a double debit
    Index(
        "uq_payment_attempts_one_success", "company_id", "invoice_id", unique=True,
        sqlite_where=text("status = 'succeeded'"), postgresql_where=text("status = 'succeeded'"),
    ),
    Index("ix_payment_attempts_payment_intent_id", "payment_intent_id"),
)

payments = Table(
    "payments", metadata,
    _id(), _version(), _company(),
    _ref("invoice_id", "invoices"),
    _ref("client_id", "clients"),
    *_money("amount"),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("method", EnumValue(PaymentMethod, 20), nullable=False),
    Column("reference", String(200), nullable=False),
    Index("ix_payments_company_id_client_id", "company_id", "client_id"),
    Index("ix_payments_company_id_received_at", "company_id", "received_at"),
    Index("ix_payments_company_id_client_id_received_at", "company_id", "client_id", "received_at"),  # attestations
)

credit_notes = Table(
    "credit_notes", metadata,
    _id(), _version(), _company(),
    _ref("client_id", "clients"),
    _ref("invoice_id", "invoices"),
    Column("invoice_number", String(30), nullable=False),
    Column("number", String(30), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    *_money("refund_amount"),
    Column("refund_status", EnumValue(RefundStatus, 20), nullable=False),
    Column("payment_intent_id", String(120)),
    Column("refund_id", String(120)),
    Column("refund_failure", Text),
    Column("refunded_at", UtcDateTime()),
    Column("refund_method", EnumValue(PaymentMethod, 20)),  # given back by the company itself; NULL: by card
    Column("created_at", UtcDateTime()),
    _client_identity(),
    UniqueConstraint("company_id", "number"),
    Index("ix_credit_notes_company_id_invoice_id", "company_id", "invoice_id"),
)

credit_note_lines = Table(
    "credit_note_lines", metadata,
    *_line_of("credit_notes", "credit_note_id"),
    Column("label", String(300), nullable=False),
    Column("vat_rate", IntEnumValue(VatRate), nullable=False),
    Column("amount_ht_cents", Integer, nullable=False),
    Column("amount_vat_cents", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    # revision 0013: the invoice line given back, and its eligibility to the tax credit (NULL: an amount
    # spread over the invoice's rates)
    Column("invoice_line_id", String(36)),
    Column("tax_credit_eligible", Boolean),
)

email_log = Table(
    "email_log", metadata,
    _id(),
    Column("company_id", ID, nullable=False, index=True),
    Column("message_id", String(300), nullable=False, unique=True),
    Column("kind", String(50), nullable=False),
    Column("to_email", String(254), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("error", Text),
)

inbox_messages = Table(
    "inbox_messages", metadata,
    Column("source", String(30), primary_key=True),
    Column("message_id", String(255), primary_key=True),
    Column("received_at", UtcDateTime(), nullable=False),
)

# Every foreign key column of these tables is indexed (migration 0003): while a reference is
# pending in a transaction, SQLite looks up the rows that refer to each parent row inserted, and
# without an index that is a scan of the whole child table.
for _table, _column in (("attestations", "client_id"), ("devis", "client_id"), ("devis_lines", "tarif_id"),
                        ("shop_service_mappings", "tarif_id"), ("invoices", "client_id"), ("invoices", "devis_id"),
                        ("interventions", "client_id"), ("interventions", "intervenant_id"),
                        ("interventions", "tarif_id"), ("interventions", "invoice_id"), ("invoice_lines", "tarif_id"),
                        ("invoice_lines", "intervention_id"), ("payments", "invoice_id"), ("payments", "client_id"),
                        ("payment_attempts", "invoice_id")):
    Index(f"ix_{_table}_{_column}", metadata.tables[_table].c[_column])

outbox_jobs = Table(
    "outbox_jobs", metadata,
    _id(),
    Column("company_id", ID, nullable=False),
    Column("effect", String(60), nullable=False),
    Column("key", String(400), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", EnumValue(JobStatus, 20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("available_at", UtcDateTime(), nullable=False),
    Column("lease_until", UtcDateTime()),
    Column("worker", String(200)),
    Column("last_error", Text),
    Column("done_at", UtcDateTime()),
    UniqueConstraint("company_id", "key"),
    Index("ix_outbox_jobs_due", "status", "available_at"),
    Index("ix_outbox_jobs_company_id_status", "company_id", "status"),
)


# Access (issue 5): API keys, idempotent POSTs, the audit log.

api_keys = Table(
    "api_keys", metadata,
    _id(), _version(), _company(),
    Column("name", String(100), nullable=False),
    Column("scopes", StrTuple(), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),  # SHA-256 of the secret; the key itself is never kept
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("last_used_at", UtcDateTime()),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("scope", String(36), primary_key=True),  # the company of the key, or "-" before any company exists
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer),  # NULL while the first request is being answered
    Column("content_type", String(100)),
    Column("body", Text),
    Column("created_at", UtcDateTime(), nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", ID),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("entity_type", String(60), nullable=False),
    Column("entity_id", ID, nullable=False),
    Column("action", String(20), nullable=False),
    Column("changes", JSON, nullable=False),
    # append-only: triggers (migration 0006) refuse UPDATE and DELETE, except one GDPR redaction
    Column("redacted_at", UtcDateTime()),
    Index("ix_audit_log_company_id_at", "company_id", "at"),
    Index("ix_audit_log_entity_id", "entity_id"),
)
