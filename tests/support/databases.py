"""Databases for tests: an SQLite file always, PostgreSQL too when OGUST_TEST_DATABASE_URL is set
(a throwaway database is created on that server, dropped after). Loaded as a pytest plugin.

On PostgreSQL the tests run as in production: the user of OGUST_TEST_DATABASE_URL owns the tables
and migrates them, the tests and the processes they start connect as the application's role
APP_ROLE (created if missing), which may not change the audit log nor alter any table."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from ogust.adapters.persistence.database import normalise_url, upgrade_database
from ogust.adapters.persistence.roles import upgrade_and_grant

PG_ENV = "OGUST_TEST_DATABASE_URL"
APP_ROLE = "ogust_test_app"
BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


class PostgresServer:
    """Creates and drops throwaway databases on the server of OGUST_TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:  # other test sessions may create it at the same moment
            connection.exec_driver_sql(f"""DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")

    def create(self) -> URL:
        name = f"ogust_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self.url.set(database=name)

    def drop(self, url: URL) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    if not os.environ.get(PG_ENV):
        yield None
        return
    server = PostgresServer(os.environ[PG_ENV])
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def empty_database(postgres: PostgresServer | None,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """A fresh, empty database of the given backend, as a URL string (dropped at the end)."""
    created: list[URL] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'ogust.db'}"
        assert postgres is not None
        created.append(postgres.create())
        return created[-1].render_as_string(hide_password=False)

    yield make
    for url in created:
        postgres.drop(url)


def migrate(url: str) -> str:
    """Migrate the empty database at ``url`` as its owner; the URL the application connects with:
    on PostgreSQL the application's role (granted its rights), on SQLite the same."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "postgresql":
        upgrade_database(url)
        return url
    upgrade_and_grant(parsed, APP_ROLE)
    return parsed.set(username=APP_ROLE, password=None).render_as_string(hide_password=False)


def owner_url(url: str) -> str:
    """The owner's URL of a database that ``migrate`` returned (the migrations' own tests, the triggers')."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    server = normalise_url(os.environ[PG_ENV])
    return parsed.set(username=server.username, password=server.password).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_database(empty_database: Callable[[str], str]) -> Callable[[str], str]:
    """A fresh database of the given backend, migrated, as the application's URL (see ``migrate``)."""
    return lambda backend: migrate(empty_database(backend))


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, migrated_database: Callable[[str], str]) -> str:
    """A migrated database shared by the session, as the application's URL: each test works in its own company."""
    return migrated_database(request.param)
