"""Units of work on the session's migrated database(s) — ``database_url`` and ``empty_database``
come from tests/support/databases.py: an SQLite file always, PostgreSQL too when
OGUST_TEST_DATABASE_URL is set. Tests share the database: each one works in its own company
(and its own outbox effects)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from ogust.adapters.persistence.database import make_engine, make_session_factory
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit
from tests.fakes import FixedClock
from tests.support.databases import owner_url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def owner_engine(database_url: str) -> Iterator[Engine]:
    """The same database as the tables' owner (on SQLite, the same file: no roles there)."""
    engine = make_engine(owner_url(database_url))
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
    return Company(name="Aide & Vous", address=ADDRESS, siret="732 829 320 00074",
                   sap_declaration_number="SAP123456789", sap_declaration_date=date(2021, 3, 1))


@pytest.fixture
def world(make_uow: Callable[[], SqlAlchemyUnitOfWork]) -> World:
    company = new_company()
    tarif = Tarif(company.id, "MENAGE", "Ménage", unit=Unit.HOUR, price_ht=Money(2500), vat_rate=VatRate.REDUCED_5_5)
    client = Client(company.id, "Jeanne", "Martin", "Jeanne.Martin@example.fr", ADDRESS, phone="0600000000")
    intervenant = Intervenant(company.id, "Paul", "Durand", "M-001",
                              profile=ShopProfile("Vingt ans d'expérience", ("svc_menage",), ("69003",),
                                                  ("repassage",)))
    with make_uow() as uow:
        uow.companies.add(company)
        uow.tarifs.add(tarif)
        uow.clients.add(client)
        uow.intervenants.add(intervenant)
        uow.commit()
    return World(company, tarif, client, intervenant)

