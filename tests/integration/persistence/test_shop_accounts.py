"""The company behind a shop account, cached for the signature of its orders: read once, kept a few
seconds, read again at once when a unit of work of this process changes a company."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import sessionmaker

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.database import make_session_factory
from ogust.adapters.persistence.shop_accounts import CachedShopAccounts
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.domain.errors import NotFound
from tests.fakes import FixedClock
from tests.integration.persistence.conftest import new_company

OLD, NEW = "old-secret-0123456789", "new-secret-0123456789"


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def factory(engine: Engine) -> sessionmaker:
    return make_session_factory(engine)  # its own: the cache listens to the sessions it makes


@pytest.fixture
def linked(factory: sessionmaker) -> tuple[str, str]:
    """(company id, shop account id), the shop linked with OLD."""
    company, account = new_company(), f"acc_{uuid.uuid4().hex[:10]}"
    company.link_shop(account, OLD)
    with SqlAlchemyUnitOfWork(factory, FixedClock()) as uow:
        uow.companies.add(company)
        uow.commit()
    return company.id, account


def _behind_its_back(engine: Engine, company_id: str, secret: str) -> None:
    """Another process changes the secret (no unit of work of this one sees it)."""
    with engine.begin() as connection:
        connection.execute(update(t.companies).where(t.companies.c.id == company_id)
                           .values(shop_webhook_secret=secret, version=t.companies.c.version + 1))


def test_read_once_then_kept_for_the_ttl(engine, factory, linked):
    company_id, account = linked
    ticks = Ticks()
    accounts = CachedShopAccounts(factory, ttl=5, clock=ticks)
    assert accounts.cached(account) is None
    assert accounts.company(account).shop_webhook_secret == OLD
    _behind_its_back(engine, company_id, NEW)
    ticks.now += 4.9
    assert accounts.cached(account).shop_webhook_secret == OLD  # kept: no read
    assert accounts.company(account).shop_webhook_secret == OLD
    assert accounts.company(account, fresh=True).shop_webhook_secret == NEW  # read again on demand
    _behind_its_back(engine, company_id, OLD)
    ticks.now += 5
    assert accounts.cached(account) is None  # expired
    assert accounts.company(account).shop_webhook_secret == OLD


def test_a_rotation_committed_in_this_process_is_seen_at_once(factory, linked):
    company_id, account = linked
    clock = FixedClock()
    accounts = CachedShopAccounts(factory, ttl=3600)
    assert accounts.company(account).webhook_secrets(clock.now()) == [OLD]
    with SqlAlchemyUnitOfWork(factory, clock) as uow:
        uow.companies.get(company_id).rotate_shop_secret(NEW, clock.now(), timedelta(0))
        uow.commit()
    assert accounts.cached(account) is None
    assert accounts.company(account).webhook_secrets(clock.now()) == [NEW]  # the old one, without grace: refused


def test_a_change_rolled_back_or_to_something_else_keeps_the_cache(factory, linked, world):
    company_id, account = linked
    clock = FixedClock()
    accounts = CachedShopAccounts(factory, ttl=3600)
    kept = accounts.company(account)
    with SqlAlchemyUnitOfWork(factory, clock) as uow:  # not committed
        uow.companies.get(company_id).rotate_shop_secret(NEW, clock.now(), timedelta(0))
        uow.session.flush()
    with SqlAlchemyUnitOfWork(factory, clock) as uow:  # another record: no company changed
        uow.clients.get(world.company_id, world.client.id).phone = "0611111111"
        uow.commit()
    assert accounts.cached(account) is kept


def test_a_read_that_straddles_a_change_is_not_kept(factory, linked):
    _, account = linked
    accounts: CachedShopAccounts

    def racing_factory():
        accounts.invalidate()  # a company changes while the read is under way
        return factory()

    accounts = CachedShopAccounts(factory, ttl=3600)
    accounts.session_factory = racing_factory
    assert accounts.company(account).shop_webhook_secret == OLD
    assert accounts.cached(account) is None


def test_an_unknown_account_is_not_found_and_not_kept(factory):
    accounts = CachedShopAccounts(factory)
    with pytest.raises(NotFound):
        accounts.company("acc_unknown")
    assert accounts.cached("acc_unknown") is None
