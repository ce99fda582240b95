"""The invariants the database holds by itself (migration 0015), whatever the handlers checked: an
intervenant's live interventions never overlap, one client per company and e-mail and per shop client
id. Each is shown refusing a write that bypasses the handlers — a unit of work adding directly, two units
of work interleaved (PostgreSQL), a raw INSERT or UPDATE — and the refusal is named as the domain names it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.conflicts import NO_OVERLAP
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.client import Client
from ogust.domain.errors import ClientAlreadyExists, SlotUnavailable
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention, InterventionStatus

from .conftest import ADDRESS, World

pytestmark = pytest.mark.integration

NINE = datetime(2026, 11, 20, 9, tzinfo=UTC)
MakeUow = Callable[[], SqlAlchemyUnitOfWork]


def _visit(world: World, start: datetime, minutes: int = 120, intervenant_id: str | None = None,
           status: InterventionStatus = InterventionStatus.PLANNED) -> Intervention:
    return Intervention(world.company_id, world.client.id, intervenant_id or world.intervenant.id, world.tarif.id,
                        start, start + timedelta(minutes=minutes), ADDRESS, status=status)


def _add(make_uow: MakeUow, repository: str, *items: object) -> None:
    with make_uow() as uow:
        for item in items:
            getattr(uow, repository).add(item)
        uow.commit()


def _planning(engine: Engine, world: World) -> list[tuple[str, str]]:
    c = t.interventions.c
    with engine.connect() as connection:
        rows = connection.execute(select(c.id, c.status).where(c.company_id == world.company_id)
                                  .order_by(c.starts_at, c.id))
        return [(row.id, row.status.value) for row in rows]


# ---------------------------------------------------------------- no overlap
def test_an_overlapping_intervention_is_refused_by_the_database(world: World, make_uow: MakeUow, engine) -> None:
    """No handler, no check: the unit of work writes 09:30–11:30 over 09:00–11:00 and the database refuses."""
    held = _visit(world, NINE)
    _add(make_uow, "interventions", held)
    with pytest.raises(SlotUnavailable) as refused:
        _add(make_uow, "interventions", _visit(world, NINE + timedelta(minutes=30)))
    assert refused.value.code == "slot_unavailable"
    assert refused.value.details["reason"] == "ex_interventions_no_overlap"
    assert _planning(engine, world) == [(held.id, "planned")]


def test_what_does_not_overlap_is_accepted(world: World, make_uow: MakeUow, engine) -> None:
    """Back to back ([09:00, 11:00) then [11:00, 12:00)), over a cancelled one, another intervenant."""
    other = Intervenant(world.company_id, "Lou", "Bernard", "M-002")
    _add(make_uow, "intervenants", other)
    cancelled = _visit(world, NINE, status=InterventionStatus.CANCELLED)
    accepted = [cancelled, _visit(world, NINE), _visit(world, NINE + timedelta(hours=2), 60),
                _visit(world, NINE - timedelta(hours=1), 60), _visit(world, NINE, intervenant_id=other.id)]
    for intervention in accepted:
        _add(make_uow, "interventions", intervention)
    assert len(_planning(engine, world)) == 5


def test_a_raw_insert_or_update_into_an_overlap_is_refused(world: World, make_uow: MakeUow, engine) -> None:
    """SQL sent by hand, past the mappers and the unit of work: the constraint (PostgreSQL) or the
    triggers (SQLite) refuse it all the same — an INSERT, a move, a cancelled one put back."""
    held, later = _visit(world, NINE), _visit(world, NINE + timedelta(hours=3))
    cancelled = _visit(world, NINE + timedelta(hours=1), status=InterventionStatus.CANCELLED)
    _add(make_uow, "interventions", held, later, cancelled)
    row = {"id": "raw-overlap", "version": 1, "company_id": world.company_id, "client_id": world.client.id,
           "intervenant_id": world.intervenant.id, "tarif_id": world.tarif.id, "starts_at": NINE + timedelta(hours=1),
           "ends_at": NINE + timedelta(hours=2), "address_street": ADDRESS.street,
           "address_postal_code": ADDRESS.postal_code, "address_city": ADDRESS.city, "address_country": "FR",
           "status": InterventionStatus.PLANNED}
    c = t.interventions.c
    refused_statements = [
        insert(t.interventions).values(row),
        update(t.interventions).where(c.id == later.id).values(starts_at=NINE + timedelta(hours=1)),
        update(t.interventions).where(c.id == cancelled.id).values(status=InterventionStatus.PLANNED),
    ]
    for statement in refused_statements:
        with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
            connection.execute(statement)
        constraint = getattr(getattr(refused.value.orig, "diag", None), "constraint_name", None)  # psycopg
        assert NO_OVERLAP in f"{constraint} {refused.value.orig}", refused.value
    with engine.begin() as connection:  # moving within its own slot, or cancelling, is no overlap
        connection.execute(update(t.interventions).where(c.id == held.id).values(ends_at=NINE + timedelta(hours=3)))
        connection.execute(update(t.interventions).where(c.id == held.id).values(status=InterventionStatus.CANCELLED))
    assert sorted(_planning(engine, world)) == sorted(
        [(held.id, "cancelled"), (later.id, "planned"), (cancelled.id, "cancelled")])


def test_sqlite_refuses_times_its_triggers_could_not_compare(world: World, make_uow: MakeUow, engine) -> None:
    """The triggers compare the text UtcDateTime stores ('YYYY-MM-DD HH:MM:SS.ffffff', UTC), and read a day
    of planning before the slot: a time in another form, an end before the start or a visit over 24 hours
    would slip past them, and is refused."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL compares timestamptz ranges: no stored form to guard")
    base = ("INSERT INTO interventions (id, version, company_id, client_id, intervenant_id, tarif_id, starts_at, "
            "ends_at, address_street, address_postal_code, address_city, address_country, status) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'rue', '69003', 'Lyon', 'FR', 'planned')")
    ids = (world.company_id, world.client.id, world.intervenant.id, world.tarif.id)
    for starts, ends in [("2026-11-20T09:00:00", "2026-11-20T11:00:00"),
                         ("2026-11-20 09:00:00.000000", "2026-11-20 08:00:00.000000"),
                         ("2026-11-20 09:00:00.000000", "2026-11-21 09:00:01.000000")]:
        with pytest.raises(IntegrityError, match="interventions_times"), engine.begin() as connection:
            connection.exec_driver_sql(base, (f"raw-{starts}-{ends}", *ids, starts, ends))
    with engine.begin() as connection:  # exactly 24 hours, in the stored form: accepted
        connection.exec_driver_sql(base, ("raw-24h", *ids, "2026-11-20 09:00:00.000000", "2026-11-21 09:00:00.000000"))
    assert [i for i, _ in _planning(engine, world)] == ["raw-24h"]


def test_two_units_of_work_interleaved_cannot_both_book_the_slot(world: World, make_uow: MakeUow, engine) -> None:
    """Both read a free planning, both write; the second to commit is refused (PostgreSQL). On SQLite the
    second cannot even begin before the first ends (BEGIN IMMEDIATE): see the cross-process test below."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot interleave")
    mine, theirs = _visit(world, NINE), _visit(world, NINE + timedelta(minutes=30))
    with make_uow() as first, make_uow() as second:
        for uow in (first, second):
            assert uow.interventions.for_intervenant(world.company_id, world.intervenant.id, NINE,
                                                     NINE + timedelta(hours=3)) == []
        first.interventions.add(mine)
        second.interventions.add(theirs)
        first.commit()
        with pytest.raises(SlotUnavailable):
            second.commit()
    assert _planning(engine, world) == [(mine.id, "planned")]


# ---------------------------------------------------------------- one client per e-mail, per shop id
def test_a_second_client_with_the_same_email_is_refused(world: World, make_uow: MakeUow, engine) -> None:
    twin = Client(world.company_id, "Jeanne", "Martin", world.client.email, ADDRESS)
    with pytest.raises(ClientAlreadyExists) as refused:
        _add(make_uow, "clients", twin)
    assert (refused.value.code, refused.value.details["field"]) == ("already_exists", "email")
    with make_uow() as uow:
        assert uow.clients.find(world.company_id, twin.id) is None


def test_a_second_client_with_the_same_shop_id_is_refused_none_is_no_id(world: World, make_uow: MakeUow) -> None:
    first = Client(world.company_id, "Léa", "Petit", "lea@example.fr", ADDRESS, shop_client_id="sc_1")
    no_id = [Client(world.company_id, "Sans", f"Boutique{n}", f"sans{n}@example.fr", ADDRESS) for n in range(2)]
    _add(make_uow, "clients", first, *no_id)  # several clients without a shop id
    with pytest.raises(ClientAlreadyExists) as refused:
        _add(make_uow, "clients", Client(world.company_id, "Léo", "Petit", "leo@example.fr", ADDRESS,
                                         shop_client_id="sc_1"))
    assert refused.value.details["field"] == "shop_client_id"


def test_erased_clients_never_collide_and_free_their_email(world: World, make_uow: MakeUow) -> None:
    """A GDPR erasure rewrites the e-mail to efface-<id>@efface.invalid and clears the shop id: erased
    clients are all distinct, and a new client may take the address an erased one had."""
    former = [Client(world.company_id, "Ex", f"Client{n}", f"ex{n}@example.fr", ADDRESS, shop_client_id=f"sc_{n}")
              for n in range(2)]
    _add(make_uow, "clients", *former)
    with make_uow() as uow:
        for client in former:
            uow.clients.get(world.company_id, client.id).erase()
        uow.commit()
    _add(make_uow, "clients", Client(world.company_id, "Nouveau", "Client", "ex0@example.fr", ADDRESS,
                                     shop_client_id="sc_0"))


def test_another_company_may_have_the_same_client(world: World, make_uow: MakeUow) -> None:
    from .conftest import new_company

    other = new_company()
    _add(make_uow, "companies", other)
    _add(make_uow, "clients", Client(other.id, "Jeanne", "Martin", world.client.email, ADDRESS))


def test_two_units_of_work_interleaved_cannot_both_create_the_client(world: World, make_uow: MakeUow,
                                                                    engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): two open write transactions cannot interleave")
    email = "nouveau@example.fr"
    with make_uow() as first, make_uow() as second:
        for uow in (first, second):
            assert uow.clients.by_email(world.company_id, email) is None
        first.clients.add(Client(world.company_id, "Nina", "Roux", email, ADDRESS, shop_client_id="sc_n"))
        second.clients.add(Client(world.company_id, "Nina", "Roux", email, ADDRESS, shop_client_id="sc_n"))
        first.commit()
        with pytest.raises(ClientAlreadyExists):
            second.commit()
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(t.clients).where(
            t.clients.c.company_id == world.company_id, t.clients.c.email == email)) == 1
