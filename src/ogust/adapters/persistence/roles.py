"""Least privilege on PostgreSQL: the tables' owner migrates (``ogust db upgrade``), the application
runs as a role that reads and writes the tables, only appends to ``audit_log`` and owns nothing — so
it can neither ALTER nor DROP a table or a trigger. Granting is idempotent: run after every upgrade.

And the start of a server: it upgrades the schema when it may (SQLite, or it connects as the owner),
otherwise it checks that the owner did (``SchemaNotAtHead`` says how, in French)."""
from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from ogust.adapters.persistence.database import alembic_config, make_engine, normalise_url, upgrade_database

APPEND_ONLY = ("audit_log",)  # SELECT and INSERT only
READ_ONLY = ("alembic_version",)  # the schema's revision: the application checks it, the owner moves it
REDACT_FUNCTION = "audit_log_redact(integer, json, timestamp with time zone)"  # migration 0016


class RoleRefused(ValueError):
    """A role that cannot be the application's: unknown, the owner itself, or a member of the owner."""


class SchemaNotAtHead(RuntimeError):
    """The database is not at the revision this code expects, and this connection may not migrate it."""

    def __init__(self, current: tuple[str, ...], head: tuple[str, ...], user: str | None) -> None:
        self.current, self.head = current, head
        at = ", ".join(current) or "vide"
        super().__init__(
            f"la base est à la révision {at}, ce code attend {', '.join(head)} ; le rôle « {user} » ne peut pas "
            "la migrer (il ne possède pas les tables). Lancez d'abord, avec le rôle propriétaire : "
            "OGUST_MIGRATION_DATABASE_URL=postgresql://propriétaire@hôte/base ogust db upgrade --app-role "
            f"{user}")


def grant_application_role(connection: Connection, role: str) -> None:
    """Grant ``role`` what the application needs on the schema the owner (this connection) migrated."""
    if connection.dialect.name != "postgresql":
        raise RoleRefused("SQLite n'a pas de rôles : --app-role ne vaut que pour PostgreSQL")
    _check_role(connection, role)
    quote = connection.dialect.identifier_preparer.quote
    who, schema = quote(role), quote(connection.exec_driver_sql("SELECT current_schema()").scalar())
    for statement in (
        f"GRANT USAGE ON SCHEMA {schema} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {schema}.{table} FROM {who}"
          for table in APPEND_ONLY + READ_ONLY),
        *(f"REVOKE INSERT ON {schema}.{table} FROM {who}" for table in READ_ONLY),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
        f"GRANT EXECUTE ON FUNCTION {schema}.{REDACT_FUNCTION} TO {who}",
        # what a later migration creates: the next ``db upgrade --app-role`` narrows audit_log again
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
    ):
        connection.exec_driver_sql(statement)


def _check_role(connection: Connection, role: str) -> None:
    exists, owner, member = connection.execute(text(
        "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = :role), :role = current_user, "
        "EXISTS (SELECT FROM pg_roles WHERE rolname = :role "
        "        AND (rolsuper OR pg_has_role(:role, current_user, 'MEMBER')))"),
        {"role": role}).one()
    if not exists:
        raise RoleRefused(f"le rôle « {role} » n'existe pas : créez-le d'abord (CREATE ROLE {role} LOGIN PASSWORD '…')")
    if owner or member:
        raise RoleRefused(f"« {role} » est le propriétaire des tables (ou un superutilisateur, ou membre du "
                          "propriétaire) : le rôle de l'application doit en être un autre")


def upgrade_and_grant(url: str | URL, app_role: str | None) -> None:
    """``ogust db upgrade``: migrate as the owner, then grant ``app_role`` (if any) in one transaction."""
    if app_role and normalise_url(url).get_backend_name() != "postgresql":
        raise RoleRefused("SQLite n'a pas de rôles : --app-role ne vaut que pour PostgreSQL")
    upgrade_database(url)
    if app_role:
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                grant_application_role(connection, app_role)
        finally:
            engine.dispose()


def prepare_schema(url: str | URL) -> None:
    """At a server's start: bring the schema to head if this connection may, else check the owner did."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = tuple(sorted(ScriptDirectory.from_config(alembic_config(url)).get_heads()))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
            if current == head:
                return
            may_migrate = _may_migrate(connection)
            user = connection.exec_driver_sql("SELECT current_user").scalar() if not may_migrate else None
    finally:
        engine.dispose()
    if not may_migrate:
        raise SchemaNotAtHead(current, head, user)
    upgrade_database(url)


def _may_migrate(connection: Connection) -> bool:
    """SQLite: always. PostgreSQL: the owner of the schema's revision table (or, on an empty
    database, a role that may create tables in the schema)."""
    if connection.dialect.name != "postgresql":
        return True
    return bool(connection.exec_driver_sql(
        "SELECT CASE WHEN to_regclass('alembic_version') IS NULL "
        "THEN has_schema_privilege(current_schema(), 'CREATE') "
        "ELSE pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = to_regclass('alembic_version')), "
        "'USAGE') END").scalar())
