"""The shop API key each company links with, and the year of the interventions on attestation lines.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("shop_api_key", sa.String(200), nullable=True))
    with op.batch_alter_table("attestation_lines") as batch:
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attestation_lines") as batch:
        batch.drop_column("year")
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("shop_api_key")
