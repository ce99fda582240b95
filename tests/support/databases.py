"""Databases for tests: an SQLite file always, PostgreSQL too when OGUST_TEST_DATABASE_URL is set
(a throwaway database is created on that server, dropped after). Loaded as a pytest plugin."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from ogust.adapters.persistence.database import normalise_url, upgrade_database

PG_ENV = "OGUST_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


class PostgresServer:
    """Creates and drops throwaway databases on the server of OGUST_TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")

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


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, empty_database: Callable[[str], str]) -> str:
    """A migrated database shared by the session: each test works in its own company."""
    url = empty_database(request.param)
    upgrade_database(url)
    return url
