"""An attestation fiscale rectificative: a payment of the year recorded after the client's attestation
was validated (a cheque of 30 December entered in January) was on no attestation. The attestation
that replaces it is a new row of the same client and year, ``revision`` + 1, naming the one it
replaces (``replaces_id``, ``replaces_number``); one row per (company, client, year, revision).

Existing attestations are revision 1.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default=sa.text("1")))
        batch.add_column(sa.Column("replaces_id", sa.String(36)))
        batch.add_column(sa.Column("replaces_number", sa.String(30)))
        batch.drop_constraint("uq_attestations_company_id_client_id_year", type_="unique")
        batch.create_unique_constraint("uq_attestations_company_id_client_id_year_revision",
                                       ["company_id", "client_id", "year", "revision"])


def downgrade() -> None:
    with op.batch_alter_table("attestations") as batch:
        batch.drop_constraint("uq_attestations_company_id_client_id_year_revision", type_="unique")
        batch.create_unique_constraint("uq_attestations_company_id_client_id_year", ["company_id", "client_id", "year"])
        batch.drop_column("replaces_number")
        batch.drop_column("replaces_id")
        batch.drop_column("revision")
