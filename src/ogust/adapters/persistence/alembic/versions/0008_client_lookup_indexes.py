"""The indexes an order uses to find its client (by shop id, then by e-mail) also hold the name
order those lookups ask for (the first client in name order).

With (company_id, email) alone, SQLite answered ``WHERE company_id = ? AND email = ? ORDER BY
last_name, first_name, id LIMIT 1`` by walking the name index of the company — every client of
the company read for each order, a cost growing with the number of clients (1.3 ms an order at
2,000 clients, twice). With the name columns after the key, one index gives both.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_ORDER = ["last_name", "first_name", "id"]
KEYS = (("ix_clients_company_id_email", "email"), ("ix_clients_company_id_shop_client_id", "shop_client_id"))


def upgrade() -> None:
    for name, key in KEYS:
        op.drop_index(name, table_name="clients")
        op.create_index(name, "clients", ["company_id", key, *NAME_ORDER])


def downgrade() -> None:
    for name, key in KEYS:
        op.drop_index(name, table_name="clients")
        op.create_index(name, "clients", ["company_id", key])
