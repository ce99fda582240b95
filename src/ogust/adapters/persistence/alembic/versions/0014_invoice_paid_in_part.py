"""An invoice may be paid in part otherwise than by card — a part in CESU préfinancés, the rest by
cheque or by the card saved at ordering: ``paid_cents`` keeps what was received so, and what is left
is due (a debit of the card asks only for it).

Existing invoices get 0: before this revision a payment recorded by hand settled the whole invoice,
and a paid invoice owes nothing whatever this column says.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("paid_cents", sa.Integer(), nullable=False, server_default=sa.text("0")))


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("paid_cents")
