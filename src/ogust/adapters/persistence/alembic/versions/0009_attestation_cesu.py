"""Attestations fiscales state apart what was paid in CESU préfinancés (``cesu_paid_cents``): the
amount that opens the tax credit is what the client actually paid, net of CESU préfinancés, and the
client may add only the part they financed themselves.

Existing attestations get 0: before this revision, CESU payments were counted in ``amount_paid``.
A draft is recomputed (and so corrected) the next time it is generated; a validated one never
changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.add_column(sa.Column("cesu_paid_cents", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.drop_column("cesu_paid_cents")
