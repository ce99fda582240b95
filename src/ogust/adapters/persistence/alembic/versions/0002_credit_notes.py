"""Credit notes (avoirs) and their lines; the amount credited on each invoice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
UTC = sa.DateTime(timezone=True)


def _ref(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", deferrable=True, initially="DEFERRED"
    )


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("credited_cents", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch.add_column(sa.Column("credited_currency", sa.String(3), nullable=False,
                                   server_default=sa.text("'EUR'")))

    op.create_table(
        "credit_notes",
        sa.Column("id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("client_id", ID, nullable=False),
        sa.Column("invoice_id", ID, nullable=False),
        sa.Column("invoice_number", sa.String(30), nullable=False),
        sa.Column("number", sa.String(30), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("refund_amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("refund_status", sa.String(20), nullable=False),
        sa.Column("payment_intent_id", sa.String(120), nullable=True),
        sa.Column("refund_id", sa.String(120), nullable=True),
        sa.Column("refund_failure", sa.Text(), nullable=True),
        sa.Column("refunded_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_credit_notes"),
        _ref("credit_notes", "company_id", "companies"),
        _ref("credit_notes", "client_id", "clients"),
        _ref("credit_notes", "invoice_id", "invoices"),
        sa.UniqueConstraint("company_id", "number", name="uq_credit_notes_company_id_number"),
    )
    op.create_index("ix_credit_notes_company_id_invoice_id", "credit_notes", ["company_id", "invoice_id"])

    op.create_table(
        "credit_note_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("credit_note_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("vat_rate", sa.Integer(), nullable=False),
        sa.Column("amount_ht_cents", sa.Integer(), nullable=False),
        sa.Column("amount_vat_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(["credit_note_id"], ["credit_notes.id"],
                                name="fk_credit_note_lines_credit_note_id_credit_notes", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_credit_note_lines"),
    )
    op.create_index("ix_credit_note_lines_credit_note_id", "credit_note_lines", ["credit_note_id"])


def downgrade() -> None:
    op.drop_table("credit_note_lines")
    op.drop_table("credit_notes")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("credited_currency")
        batch.drop_column("credited_cents")
