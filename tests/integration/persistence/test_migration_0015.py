"""Migration 0015 installs rules existing rows may break: it then stops, lists them, and changes
nothing; once they are put right it goes through."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect

from ogust.adapters.persistence.database import (
    MigrationRefused,
    alembic_config,
    make_engine,
    make_session_factory,
    upgrade_database,
)
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.client import Client
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit
from tests.fakes import FixedClock
from tests.support.databases import BACKENDS

from .conftest import ADDRESS, new_company

pytestmark = pytest.mark.integration
NINE = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_breaking_the_new_rules_stop_the_migration_with_their_list(
        backend: str, empty_database: Callable[[str], str]) -> None:
    url = empty_database(backend)
    upgrade_database(url, "0014")
    engine = make_engine(url)
    sessions = make_session_factory(engine)  # maps the domain classes: before any is created
    make_uow = lambda: SqlAlchemyUnitOfWork(sessions, FixedClock())  # noqa: E731
    try:
        company = new_company()
        tarif = Tarif(company.id, "MEN", "Ménage", unit=Unit.HOUR, price_ht=Money(2500), vat_rate=VatRate.REDUCED_5_5)
        marie = Intervenant(company.id, "Marie", "Curie", "M001")
        jeanne = Client(company.id, "Jeanne", "Martin", "jeanne@example.fr", ADDRESS, shop_client_id="sc_1")
        twin = Client(company.id, "Jeanne", "Martin", "jeanne@example.fr", ADDRESS)
        other = Client(company.id, "Paul", "Petit", "paul@example.fr", ADDRESS, shop_client_id="sc_1")
        first, second, apart = (Intervention(company.id, jeanne.id, marie.id, tarif.id, start,
                                             start + timedelta(hours=2), ADDRESS)
                                for start in (NINE, NINE + timedelta(minutes=30), NINE + timedelta(hours=5)))
        with make_uow() as uow:  # written before 0015, when nothing in the database refused them
            for repository, item in [("companies", company), ("tarifs", tarif), ("intervenants", marie),
                                     ("clients", jeanne), ("clients", twin), ("clients", other),
                                     ("interventions", first), ("interventions", second),
                                     ("interventions", apart)]:
                getattr(uow, repository).add(item)
            uow.commit()

        with pytest.raises(MigrationRefused) as refused:
            upgrade_database(url)
        said = str(refused.value)
        assert "Migration 0015 refusée" in said and "Rien n'a été modifié" in said
        assert f"l'intervention {second.id}" in said and f"chevauche {first.id}" in said and apart.id not in said
        assert f"adresse email jeanne@example.fr : clients {', '.join(sorted([jeanne.id, twin.id]))}" in said
        assert f"identifiant client boutique sc_1 : clients {', '.join(sorted([jeanne.id, other.id]))}" in said
        assert _revision(url) == "0014"
        assert "ix_clients_company_id_email" in {i["name"] for i in inspect(engine).get_indexes("clients")}

        with make_uow() as uow:  # put right by the operator: the overlap cancelled, the twins told apart
            uow.interventions.get(company.id, second.id).cancel()
            uow.clients.get(company.id, twin.id).update(email="jeanne.martin@example.fr")
            uow.clients.get(company.id, other.id).link_shop_client("sc_2")
            uow.commit()
        upgrade_database(url, "0015")
        assert _revision(url) == "0015"
    finally:
        engine.dispose()


def _revision(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_down_to_0014_and_up_again(backend: str, empty_database: Callable[[str], str]) -> None:
    url = empty_database(backend)
    upgrade_database(url)
    command.downgrade(alembic_config(url), "0014")
    assert _revision(url) == "0014"
    upgrade_database(url, "0015")
    assert _revision(url) == "0015"
