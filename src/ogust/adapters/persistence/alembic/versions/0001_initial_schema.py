"""Initial schema.

Companies, tarifs and shop mappings, people, devis, planning, invoices, payment attempts and
payments, attestations, numbering, e-mail log, inbox and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
UTC = sa.DateTime(timezone=True)


# The helpers below are frozen with this revision: later revisions must not import them.
def _id() -> sa.Column:
    return sa.Column("id", ID, nullable=False)


def _version() -> sa.Column:
    return sa.Column("version", sa.Integer(), nullable=False)


def _company() -> sa.Column:
    return sa.Column("company_id", ID, nullable=False)


def _ref(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", deferrable=True, initially="DEFERRED"
    )


def _owned_by_company(table: str) -> list:
    return [_ref(table, "company_id", "companies"), sa.PrimaryKeyConstraint("id", name=f"pk_{table}")]


def _address() -> list[sa.Column]:
    return [
        sa.Column("address_street", sa.String(300), nullable=False),
        sa.Column("address_postal_code", sa.String(20), nullable=False),
        sa.Column("address_city", sa.String(120), nullable=False),
        sa.Column("address_country", sa.String(2), nullable=False),
    ]


def _money(name: str) -> list[sa.Column]:
    return [sa.Column(f"{name}_cents", sa.Integer(), nullable=False),
            sa.Column("currency", sa.String(3), nullable=False)]


def _shop_sync() -> list[sa.Column]:
    return [
        sa.Column("synced_fingerprint", sa.String(64), nullable=True),
        sa.Column("synced_at", UTC, nullable=True),
        sa.Column("sync_failure", sa.Text(), nullable=True),
        sa.Column("failed_fingerprint", sa.String(64), nullable=True),
    ]


def _line_of(table: str, column: str, parent: str) -> list:
    return [
        _id(),
        sa.Column(column, ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([column], [f"{parent}.id"], name=f"fk_{table}_{column}_{parent}", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _priced_line(table: str, column: str, parent: str) -> list:
    return [
        *_line_of(table, column, parent),
        sa.Column("tarif_id", ID, nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("quantity_value", sa.Integer(), nullable=False),
        sa.Column("quantity_unit", sa.String(10), nullable=False),
        *_money("unit_price_ht"),
        sa.Column("vat_rate", sa.Integer(), nullable=False),
        _ref(table, "tarif_id", "tarifs"),
    ]


def upgrade() -> None:
    op.create_table(
        "companies",
        _id(), _version(),
        sa.Column("name", sa.String(200), nullable=False),
        *_address(),
        sa.Column("siret", sa.String(14), nullable=False),
        sa.Column("sap_declaration_number", sa.String(60), nullable=False),
        sa.Column("sap_declaration_date", sa.Date(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("shop_account_id", sa.String(120), nullable=True),
        sa.Column("shop_webhook_secret", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_companies"),
    )
    op.create_table(
        "number_sequences",
        _id(), _version(), _company(),
        sa.Column("prefix", sa.String(10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        *_owned_by_company("number_sequences"),
        sa.UniqueConstraint("company_id", "prefix", "year", name="uq_number_sequences_company_id_prefix_year"),
    )
    op.create_table(
        "tarifs",
        _id(), _version(), _company(),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("unit", sa.String(10), nullable=False),
        *_money("price_ht"),
        sa.Column("vat_rate", sa.Integer(), nullable=False),
        sa.Column("tax_credit_eligible", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        *_owned_by_company("tarifs"),
        sa.UniqueConstraint("company_id", "code", name="uq_tarifs_company_id_code"),
    )
    op.create_table(
        "shop_service_mappings",
        _id(), _version(), _company(),
        sa.Column("shop_service_id", sa.String(120), nullable=False),
        sa.Column("shop_label", sa.String(300), nullable=False),
        sa.Column("tarif_id", ID, nullable=False),
        *_owned_by_company("shop_service_mappings"),
        _ref("shop_service_mappings", "tarif_id", "tarifs"),
        sa.UniqueConstraint("company_id", "shop_service_id",
                            name="uq_shop_service_mappings_company_id_shop_service_id"),
    )
    op.create_table(
        "intervenants",
        _id(), _version(), _company(),
        sa.Column("first_name", sa.String(120), nullable=False),
        sa.Column("last_name", sa.String(120), nullable=False),
        sa.Column("matricule", sa.String(50), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("profile_presentation", sa.Text(), nullable=False),
        sa.Column("profile_services", sa.JSON(), nullable=False),
        sa.Column("profile_zones", sa.JSON(), nullable=False),
        sa.Column("profile_skills", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_shop_sync(),
        *_owned_by_company("intervenants"),
        sa.UniqueConstraint("company_id", "matricule", name="uq_intervenants_company_id_matricule"),
    )
    op.create_table(
        "clients",
        _id(), _version(), _company(),
        sa.Column("first_name", sa.String(120), nullable=False),
        sa.Column("last_name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        *_address(),
        sa.Column("phone", sa.String(40), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("shop_client_id", sa.String(120), nullable=True),
        sa.Column("stripe_customer_id", sa.String(120), nullable=True),
        sa.Column("stripe_payment_method_id", sa.String(120), nullable=True),
        *_shop_sync(),
        *_owned_by_company("clients"),
    )
    op.create_index("ix_clients_company_id_email", "clients", ["company_id", "email"])
    op.create_index("ix_clients_company_id_shop_client_id", "clients", ["company_id", "shop_client_id"])

    op.create_table(
        "devis",
        _id(), _version(), _company(),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTC, nullable=True),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("acceptance_channel", sa.String(20), nullable=True),
        sa.Column("shop_order_id", sa.String(120), nullable=True),
        *_owned_by_company("devis"),
        _ref("devis", "client_id", "clients"),
        sa.UniqueConstraint("company_id", "shop_order_id", name="uq_devis_company_id_shop_order_id"),
    )
    op.create_index("ix_devis_company_id_client_id", "devis", ["company_id", "client_id"])
    op.create_table("devis_lines", *_priced_line("devis_lines", "devis_id", "devis"))
    op.create_index("ix_devis_lines_devis_id", "devis_lines", ["devis_id"])

    op.create_table(
        "invoices",
        _id(), _version(), _company(),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("devis_id", ID, nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("created_at", UTC, nullable=True),
        sa.Column("number", sa.String(30), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("paid_at", UTC, nullable=True),
        sa.Column("payment_reference", sa.String(200), nullable=True),
        sa.Column("payment_failure", sa.Text(), nullable=True),
        *_owned_by_company("invoices"),
        _ref("invoices", "client_id", "clients"),
        _ref("invoices", "devis_id", "devis"),
        sa.UniqueConstraint("company_id", "number", name="uq_invoices_company_id_number"),
    )
    op.create_index("ix_invoices_company_id_status", "invoices", ["company_id", "status"])
    op.create_index("ix_invoices_company_id_client_id", "invoices", ["company_id", "client_id"])

    op.create_table(
        "interventions",
        _id(), _version(), _company(),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("intervenant_id", ID, nullable=False),
        sa.Column("tarif_id", ID, nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        *_address(),
        sa.Column("devis_id", ID, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("invoice_id", ID, nullable=True),
        *_owned_by_company("interventions"),
        _ref("interventions", "client_id", "clients"),
        _ref("interventions", "intervenant_id", "intervenants"),
        _ref("interventions", "tarif_id", "tarifs"),
        _ref("interventions", "devis_id", "devis"),
        _ref("interventions", "invoice_id", "invoices"),
    )
    op.create_index("ix_interventions_planning", "interventions", ["company_id", "intervenant_id", "starts_at"])
    op.create_index("ix_interventions_to_invoice", "interventions", ["company_id", "client_id", "status", "starts_at"])
    op.create_index("ix_interventions_devis_id", "interventions", ["devis_id"])

    op.create_table(
        "invoice_lines",
        *_priced_line("invoice_lines", "invoice_id", "invoices"),
        sa.Column("intervention_id", ID, nullable=True),
        sa.Column("performed_on", sa.Date(), nullable=True),
        sa.Column("intervenant_matricule", sa.String(50), nullable=True),
        sa.Column("intervenant_name", sa.String(250), nullable=True),
        sa.Column("tax_credit_eligible", sa.Boolean(), nullable=False),
        _ref("invoice_lines", "intervention_id", "interventions"),
    )
    op.create_index("ix_invoice_lines_invoice_id", "invoice_lines", ["invoice_id"])

    op.create_table(
        "attestations",
        _id(), _version(), _company(),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        *_money("amount_paid"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("number", sa.String(30), nullable=True),
        sa.Column("created_at", UTC, nullable=True),
        sa.Column("validated_at", UTC, nullable=True),
        *_owned_by_company("attestations"),
        _ref("attestations", "client_id", "clients"),
        sa.UniqueConstraint("company_id", "number", name="uq_attestations_company_id_number"),
        sa.UniqueConstraint("company_id", "client_id", "year", name="uq_attestations_company_id_client_id_year"),
    )
    op.create_table(
        "attestation_lines",
        *_line_of("attestation_lines", "attestation_id", "attestations"),
        sa.Column("intervenant_matricule", sa.String(50), nullable=False),
        sa.Column("intervenant_name", sa.String(250), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("interventions", sa.Integer(), nullable=False),
    )
    op.create_index("ix_attestation_lines_attestation_id", "attestation_lines", ["attestation_id"])

    op.create_table(
        "payment_attempts",
        _id(), _version(), _company(),
        sa.Column("invoice_id", ID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        *_money("amount"),
        sa.Column("idempotency_key", sa.String(250), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("payment_intent_id", sa.String(120), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=True),
        sa.Column("updated_at", UTC, nullable=True),
        *_owned_by_company("payment_attempts"),
        _ref("payment_attempts", "invoice_id", "invoices"),
        sa.UniqueConstraint("company_id", "invoice_id", "number",
                            name="uq_payment_attempts_company_id_invoice_id_number"),
    )
    succeeded = sa.text("status = 'succeeded'")
    op.create_index(
        "uq_payment_attempts_one_success", "payment_attempts", ["company_id", "invoice_id"], unique=True,
        sqlite_where=succeeded, postgresql_where=succeeded,
    )
    op.create_index("ix_payment_attempts_payment_intent_id", "payment_attempts", ["payment_intent_id"])

    op.create_table(
        "payments",
        _id(), _version(), _company(),
        sa.Column("invoice_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        *_money("amount"),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        *_owned_by_company("payments"),
        _ref("payments", "invoice_id", "invoices"),
        _ref("payments", "client_id", "clients"),
    )
    op.create_index("ix_payments_company_id_client_id", "payments", ["company_id", "client_id"])
    op.create_index("ix_payments_company_id_received_at", "payments", ["company_id", "received_at"])

    op.create_table(
        "email_log",
        _id(), _company(),
        sa.Column("message_id", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("to_email", sa.String(254), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_email_log"),
        sa.UniqueConstraint("message_id", name="uq_email_log_message_id"),
    )
    op.create_index("ix_email_log_company_id", "email_log", ["company_id"])

    op.create_table(
        "inbox_messages",
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("source", "message_id", name="pk_inbox_messages"),
    )

    op.create_table(
        "outbox_jobs",
        _id(), _company(),
        sa.Column("effect", sa.String(60), nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("available_at", UTC, nullable=False),
        sa.Column("lease_until", UTC, nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_jobs"),
        sa.UniqueConstraint("company_id", "key", name="uq_outbox_jobs_company_id_key"),
    )
    op.create_index("ix_outbox_jobs_due", "outbox_jobs", ["status", "available_at"])
    op.create_index("ix_outbox_jobs_company_id_status", "outbox_jobs", ["company_id", "status"])


def downgrade() -> None:
    for table in (
        "outbox_jobs", "inbox_messages", "email_log", "payments", "payment_attempts", "attestation_lines",
        "attestations", "invoice_lines", "interventions", "invoices", "devis_lines", "devis", "clients",
        "intervenants", "shop_service_mappings", "tarifs", "number_sequences", "companies",
    ):
        op.drop_table(table)
