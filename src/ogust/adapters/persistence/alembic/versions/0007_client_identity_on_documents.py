"""Issued documents keep the client's identity as of their issue (``client_identity``, JSON: names,
email, address) on devis, invoices, credit notes and attestations, and show it ever after — a move
or a GDPR erasure of the client no longer changes an issued document.

Existing rows stay NULL: no snapshot was taken when they were issued, and copying today's client
record would not be one (it may have changed since, or been erased). They render from the client
record, as they did before this revision.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("devis", "invoices", "credit_notes", "attestations")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("client_identity", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("client_identity")
