"""A credit note may give back one line of its invoice (a fee waived): its line keeps that invoice
line (``invoice_line_id``) and its eligibility to the tax credit (``tax_credit_eligible``), so the
VAT of each rate and the attestation fiscale come out right. NULL on the lines of an amount spread
over the invoice's rates — as every credit note line before this revision.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credit_note_lines") as batch:
        batch.add_column(sa.Column("invoice_line_id", sa.String(36)))
        batch.add_column(sa.Column("tax_credit_eligible", sa.Boolean()))


def downgrade() -> None:
    with op.batch_alter_table("credit_note_lines") as batch:
        batch.drop_column("tax_credit_eligible")
        batch.drop_column("invoice_line_id")
