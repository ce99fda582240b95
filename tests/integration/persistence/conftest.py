"""A migrated database per test session: an SQLite file always, PostgreSQL too when
OGUST_TEST_DATABASE_URL is set (a throwaway database is created next to it, dropped after).

Tests share the database: each one works in its own company (and its own outbox effects)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import sessionmaker

from ogust.adapters.persistence.database import make_engine, make_session_factory, normalise_url, upgrade_database
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit
from tests.fakes import FixedClock

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
def empty_database(postgres: PostgresServer | None, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
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
    url = empty_database(request.param)
    upgrade_database(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(engine: Engine) -> sessionmaker:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def make_uow(session_factory: sessionmaker, clock: FixedClock) -> Callable[[], SqlAlchemyUnitOfWork]:
    return lambda: SqlAlchemyUnitOfWork(session_factory, clock)


@dataclass
class World:
    """A company with a tarif, a client and an intervenant, committed."""

    company: Company
    tarif: Tarif
    client: Client
    intervenant: Intervenant

    @property
    def company_id(self) -> str:
        return self.company.id


ADDRESS = Address("12 rue des Lilas", "69003", "Lyon")


def new_company() -> Company:
    return Company(name="Aide & Vous", address=ADDRESS, siret="123 456 789 00012",
                   sap_declaration_number="SAP123456789", sap_declaration_date=date(2021, 3, 1))


@pytest.fixture
def world(make_uow: Callable[[], SqlAlchemyUnitOfWork]) -> World:
    company = new_company()
    tarif = Tarif(company.id, "MENAGE", "Ménage", unit=Unit.HOUR, price_ht=Money(2500), vat_rate=VatRate.REDUCED_5_5)
    client = Client(company.id, "Jeanne", "Martin", "Jeanne.Martin@example.fr", ADDRESS, phone="0600000000")
    intervenant = Intervenant(company.id, "Paul", "Durand", "M-001",
                              profile=ShopProfile("Vingt ans d'expérience", ("svc_menage",), ("69003",), ("repassage",)))
    with make_uow() as uow:
        uow.companies.add(company)
        uow.tarifs.add(tarif)
        uow.clients.add(client)
        uow.intervenants.add(intervenant)
        uow.commit()
    return World(company, tarif, client, intervenant)

