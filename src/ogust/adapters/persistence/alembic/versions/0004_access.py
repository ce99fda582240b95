"""Access: API keys per company, Idempotency-Key responses, the append-only audit log, and the
previous shop signing secret kept valid until it expires (rotation).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("shop_previous_webhook_secret", sa.String(200), nullable=True))
        batch.add_column(sa.Column("shop_previous_secret_expires_at", UTC, nullable=True))

    op.create_table(
        "api_keys",
        sa.Column("id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"], name="fk_api_keys_company_id_companies",
                                deferrable=True, initially="DEFERRED"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )

    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(36), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("entity_type", sa.String(60), nullable=False),
        sa.Column("entity_id", ID, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_company_id_at", "audit_log", ["company_id", "at"])
    op.create_index("ix_audit_log_entity_id", "audit_log", ["entity_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("idempotency_keys")
    op.drop_table("api_keys")
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("shop_previous_secret_expires_at")
        batch.drop_column("shop_previous_webhook_secret")
