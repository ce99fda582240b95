"""Least privilege on PostgreSQL: the application's role (the one every test of the suite connects
as, tests/support/databases.py) reads and writes its tables, only appends to the audit log, and owns
nothing — it can neither change an entry nor drop the trigger that guards them, nor alter a table.
Its one way to change an entry is the owner's redaction function, which only masks values.
(That it can do the whole of a normal story: the rest of the suite, test_story_on_database.py first;
that a GDPR erasure still redacts: test_audit_append_only.py, on the same role.)"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.access import REDACTED
from ogust.adapters.persistence.database import make_engine, normalise_url
from ogust.adapters.persistence.roles import (
    RoleRefused,
    SchemaNotAtHead,
    grant_application_role,
    prepare_schema,
    upgrade_and_grant,
)
from tests.support.databases import APP_ROLE, PG_ENV, owner_url

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not os.environ.get(PG_ENV), reason="roles are PostgreSQL's")]


@pytest.fixture(scope="module")
def app_engine(migrated_database: Callable[[str], str]):
    """A database of this module's own (the tests below try to break it), as the application's role."""
    engine = make_engine(migrated_database("postgresql"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def entry_id(app_engine: Engine) -> int:
    with app_engine.begin() as connection:  # INSERT is what the role may do
        return connection.execute(t.audit_log.insert().values(
            company_id=None, at=datetime.now(UTC), actor="test",
            entity_type="Client", entity_id="c-1", action="created",
            changes={"before": {}, "after": {"first_name": "Jeanne", "status": "active"}},
        ).returning(t.audit_log.c.id)).scalar_one()


def refused(engine: Engine, statement: str, **params) -> str:
    with pytest.raises(DBAPIError) as error, engine.begin() as connection:
        connection.execute(text(statement), params)
    return str(error.value.orig)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'x' WHERE id = :id",
    "UPDATE audit_log SET changes = '{}', redacted_at = now() WHERE id = :id",
    "DELETE FROM audit_log WHERE id = :id",
    "TRUNCATE audit_log",
    "TRUNCATE clients CASCADE",
    "DROP TRIGGER audit_log_append_only ON audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
    "ALTER TABLE audit_log ADD COLUMN note text",
    "ALTER TABLE clients ADD COLUMN note text",
    "DROP TABLE audit_log",
    "DROP TABLE invoices CASCADE",
    "CREATE TABLE audit_log_copy (id integer)",
    "DROP FUNCTION audit_log_redact(integer, json, timestamptz)",
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "UPDATE alembic_version SET version_num = '0001'",
    "INSERT INTO alembic_version VALUES ('9999')",
])
def test_the_application_role_cannot_change_the_log_nor_the_schema(app_engine, entry_id, statement) -> None:
    said = refused(app_engine, statement, id=entry_id)
    assert "permission denied" in said or "must be owner" in said, said


def test_the_application_role_reads_and_writes_every_table_appends_to_the_log_and_owns_nothing(app_engine) -> None:
    with app_engine.connect() as connection:
        rights = {}
        for table in t.metadata.tables:
            rights[table] = {p for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER")
                             if connection.execute(text("SELECT has_table_privilege(CAST(:t AS regclass), :p)"),
                                                   {"t": table, "p": p}).scalar()}
        owned = connection.execute(text("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                                        "WHERE r.rolname = current_user")).scalar()
        may_create = connection.execute(text("SELECT has_schema_privilege(current_schema(), 'CREATE')")).scalar()
    assert rights.pop("audit_log") == {"SELECT", "INSERT"}
    read_write = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})
    assert {frozenset(granted) for granted in rights.values()} == {read_write}, rights
    assert (owned, may_create) == (0, False)


def test_the_redaction_function_only_masks_values_once(app_engine, entry_id) -> None:
    def redact(changes: dict):
        with app_engine.begin() as connection:
            return connection.execute(text("SELECT audit_log_redact(:id, CAST(:changes AS json), now())"),
                                      {"id": entry_id, "changes": json.dumps(changes)}).scalar_one()

    for forged in ({"before": {}, "after": {"first_name": "Paul", "status": "active"}},  # a new value
                   {"before": {}, "after": {"first_name": REDACTED}},  # a field gone
                   {"before": {}, "after": {"first_name": REDACTED, "status": "active", "extra": REDACTED}},
                   {"after": {"first_name": REDACTED, "status": "active"}}):  # a side gone
        with pytest.raises(DBAPIError, match="masquer des valeurs"):
            redact(forged)
    assert redact({"before": {}, "after": {"first_name": REDACTED, "status": "active"}}) is True
    assert redact({"before": {}, "after": {"first_name": REDACTED, "status": REDACTED}}) is False  # once only
    with app_engine.connect() as connection:
        entry = connection.execute(select(t.audit_log).where(t.audit_log.c.id == entry_id)).one()
    assert entry.changes == {"before": {}, "after": {"first_name": REDACTED, "status": "active"}}
    assert (entry.actor, entry.action, entry.redacted_at is not None) == ("test", "created", True)


def test_granting_again_changes_nothing_and_keeps_the_log_append_only(app_engine, entry_id) -> None:
    owner = owner_url(app_engine.url.render_as_string(hide_password=False))
    upgrade_and_grant(owner, APP_ROLE)  # at head already; the grants are applied again
    assert "permission denied" in refused(app_engine, "DELETE FROM audit_log WHERE id = :id", id=entry_id)
    engine = make_engine(owner)
    try:
        with engine.begin() as connection:
            for role, reason in ((APP_ROLE.upper() + "_missing", "n'existe pas"), ("postgres", "propriétaire")):
                with pytest.raises(RoleRefused, match=reason):
                    grant_application_role(connection, role)
    finally:
        engine.dispose()


def test_a_server_as_the_application_role_does_not_migrate_but_says_how(empty_database) -> None:
    owner = empty_database("postgresql")  # never migrated
    as_app = normalise_url(owner).set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    with pytest.raises(SchemaNotAtHead, match="ogust db upgrade --app-role ogust_test_app") as error:
        prepare_schema(as_app)
    assert error.value.current == ()
    engine = make_engine(owner)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT to_regclass('audit_log')")).scalar() is None  # nothing tried
    finally:
        engine.dispose()


def test_db_upgrade_as_the_owner_grants_the_role_of_the_database_url(empty_database, tmp_path) -> None:
    from ogust.entrypoints.cli import main

    owner = empty_database("postgresql")
    as_app = normalise_url(owner).set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    env = {"OGUST_VAR_DIR": str(tmp_path), "OGUST_DATABASE_URL": as_app}
    refused_run = CliRunner().invoke(main, ["serve", "--port", "1"], env=env)
    assert refused_run.exit_code == 1 and "ogust db upgrade" in refused_run.output
    upgraded = CliRunner().invoke(main, ["db", "upgrade"], env=env | {"OGUST_MIGRATION_DATABASE_URL": owner})
    assert upgraded.exit_code == 0, upgraded.output
    assert f"« {APP_ROLE} »" in upgraded.output
    prepare_schema(as_app)  # at head now: the server would start
    engine = make_engine(as_app)
    try:
        assert "permission denied" in refused(engine, "DELETE FROM audit_log")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM clients")).scalar() == 0
    finally:
        engine.dispose()
