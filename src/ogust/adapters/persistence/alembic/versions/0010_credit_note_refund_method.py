"""A credit note on an invoice paid otherwise than by card can record the refund the company made
itself — by cheque, transfer or cash (``refund_method``); the attestation fiscale then counts the
payment net of it. NULL: no such refund (a card refund, or none).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_notes") as batch:
        batch.add_column(sa.Column("refund_method", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_notes") as batch:
        batch.drop_column("refund_method")
