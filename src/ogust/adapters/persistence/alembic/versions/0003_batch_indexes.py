"""Indexes for the batches that read page after page: clients and intervenants in name order
(shop export), a month's contract invoices (month end), the clients paid in a year (attestations).

And an index on each foreign key column of the big tables. Foreign keys are checked at commit
(DEFERRABLE INITIALLY DEFERRED) and the unit of work may insert a row before the row it refers to;
while such a reference is pending, SQLite looks for the rows that refer to every parent row
inserted — a full scan of the child table when its column has no index, so a transaction's cost
grew with the size of the database (a year of invoices took minutes to load). PostgreSQL uses them
when a parent row is deleted.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_clients_company_id_name", "clients", ["company_id", "last_name", "first_name", "id"]),
    ("ix_intervenants_company_id_name", "intervenants", ["company_id", "last_name", "first_name", "id"]),
    ("ix_invoices_company_id_period", "invoices", ["company_id", "period_start", "period_end", "status", "id"]),
    ("ix_payments_company_id_client_id_received_at", "payments", ["company_id", "client_id", "received_at"]),
    ("ix_companies_shop_account_id", "companies", ["shop_account_id"]),  # each signed order finds its company
    *((f"ix_{table}_{column}", table, [column]) for table, column in (
        ("attestations", "client_id"), ("devis", "client_id"), ("devis_lines", "tarif_id"),
        ("shop_service_mappings", "tarif_id"), ("invoices", "client_id"), ("invoices", "devis_id"),
        ("interventions", "client_id"), ("interventions", "intervenant_id"), ("interventions", "tarif_id"),
        ("interventions", "invoice_id"), ("invoice_lines", "tarif_id"), ("invoice_lines", "intervention_id"),
        ("payments", "invoice_id"), ("payments", "client_id"), ("payment_attempts", "invoice_id"))),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
