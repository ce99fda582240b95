"""The audit log is append-only in the database itself, not only in the code: a trigger refuses
every DELETE (and TRUNCATE on PostgreSQL) and every UPDATE — except the one-time GDPR redaction
of an entry's values (``changes`` replaced, ``redacted_at`` set from NULL, nothing else touched).

SQLite drops a table's triggers with the table: a later migration that rebuilds ``audit_log``
(``batch_alter_table`` with a recreate) must create them again (``create_triggers``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_log est en ajout seul : ses entrées ne se modifient ni ne se suppriment"

_SAME_ENTRY = """NEW.id = OLD.id AND NEW.company_id IS NOT DISTINCT FROM OLD.company_id AND NEW.at = OLD.at
    AND NEW.actor = OLD.actor AND NEW.entity_type = OLD.entity_type AND NEW.entity_id = OLD.entity_id
    AND NEW.action = OLD.action"""
_REDACTION = f"OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND {_SAME_ENTRY}"

SQLITE = [
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    WHEN NOT ({_REDACTION.replace("IS NOT DISTINCT FROM", "IS")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRESQL = [
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND {_REDACTION} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def create_triggers() -> None:
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("redacted_at")
