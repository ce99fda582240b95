"""Attestations fiscales keep what they deducted for refunds (``refunds_deducted_cents``): a refund
received in a year of a payment made in an earlier year lowers the amount of the year it is received
— the earlier year's attestation, validated or not, no longer depends on the day it was computed.

Existing attestations get 0: before this revision such a refund was subtracted from the earlier
year instead, when that attestation was computed after it. A draft is recomputed the next time it
is generated; a validated one never changes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.add_column(sa.Column("refunds_deducted_cents", sa.Integer(), nullable=False,
                                   server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.drop_column("refunds_deducted_cents")
