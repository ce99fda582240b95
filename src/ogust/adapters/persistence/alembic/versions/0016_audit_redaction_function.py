"""On PostgreSQL the application runs as a role that may only SELECT and INSERT on ``audit_log``
(``ogust db upgrade --app-role``, adapters/persistence/roles.py): the GDPR redaction of an entry goes
through ``audit_log_redact``, a SECURITY DEFINER function owned by the tables' owner — the only way
that role changes an entry. The function checks what the trigger of 0006 cannot: that the new
``changes`` keep the same fields and only replace values with the redaction mark; the trigger still
checks that nothing but ``changes`` and ``redacted_at`` (from NULL) moved. It runs with a fixed
search_path (the schema it was created in, then pg_catalog), so that a caller cannot slip its own
``audit_log`` or operators in. Nobody but the roles granted EXECUTE may call it.

SQLite has no roles: the application keeps updating the entry itself, under the trigger.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REDACTED = "[effacé (RGPD)]"  # adapters/persistence/access.py REDACTED, as of this revision
SIGNATURE = "audit_log_redact(integer, json, timestamp with time zone)"
MESSAGE = "audit_log : un effacement RGPD ne peut que masquer des valeurs existantes"


def _function(schema: str) -> str:
    return f"""CREATE FUNCTION audit_log_redact(entry_id integer, redacted json, redacted_on timestamptz)
    RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_catalog, pg_temp AS $$
    DECLARE
        before jsonb;
        after jsonb := redacted::jsonb;
    BEGIN
        SELECT changes::jsonb INTO before FROM {schema}.audit_log
            WHERE id = entry_id AND redacted_at IS NULL FOR UPDATE;
        IF NOT FOUND THEN
            RETURN false;  -- no such entry, or redacted already: the trigger would refuse a second time
        END IF;
        IF jsonb_typeof(after) <> 'object'
            OR EXISTS (SELECT FROM jsonb_each(after) AS side(name, fields)
                       WHERE jsonb_typeof(side.fields) <> 'object' OR jsonb_typeof(before -> side.name) <> 'object')
            OR (SELECT count(*) FROM jsonb_each(before)) <> (SELECT count(*) FROM jsonb_each(after))
            OR (SELECT count(*) FROM jsonb_each(before) AS side(name, fields), jsonb_each(side.fields))
               <> (SELECT count(*) FROM jsonb_each(after) AS side(name, fields), jsonb_each(side.fields))
            OR EXISTS (SELECT FROM jsonb_each(after) AS side(name, fields),
                                   jsonb_each(side.fields) AS field(name, value)
                       WHERE NOT (before -> side.name ? field.name)
                          OR (field.value IS DISTINCT FROM before -> side.name -> field.name
                              AND field.value <> to_jsonb('{REDACTED}'::text)))
        THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        UPDATE {schema}.audit_log SET changes = redacted, redacted_at = redacted_on WHERE id = entry_id;
        RETURN true;
    END $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.dialect.identifier_preparer.quote(bind.exec_driver_sql("SELECT current_schema()").scalar())
    op.execute(_function(schema))
    op.execute(f"REVOKE EXECUTE ON FUNCTION {SIGNATURE} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
