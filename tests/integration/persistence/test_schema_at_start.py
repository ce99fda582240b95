"""On SQLite there are no roles: a server's start upgrades the file itself, as before, and
``--app-role`` is refused as bad usage (least privilege on PostgreSQL: test_least_privilege.py)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from ogust.adapters.persistence.database import make_engine
from ogust.adapters.persistence.roles import prepare_schema
from ogust.entrypoints.cli import main

pytestmark = pytest.mark.integration


def test_a_server_on_sqlite_upgrades_the_file_itself(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'ogust.db'}"
    prepare_schema(url)
    prepare_schema(url)  # at head: nothing to do
    engine = make_engine(url)
    try:
        assert {"audit_log", "alembic_version", "clients"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_an_app_role_on_sqlite_is_bad_usage_and_changes_nothing(tmp_path) -> None:
    env = {"OGUST_VAR_DIR": str(tmp_path), "OGUST_DATABASE_URL": f"sqlite:///{tmp_path / 'ogust.db'}"}
    result = CliRunner().invoke(main, ["db", "upgrade", "--app-role", "ogust_app"], env=env)
    assert result.exit_code == 2 and "SQLite n'a pas de rôles" in result.output
    assert not (tmp_path / "ogust.db").exists()
