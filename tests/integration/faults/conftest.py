"""Fault tests: ogust wired to the real servers of the session (localstripe, the SMTP server, the
reference shop), with a proxy in front of Stripe and of the shop to break them on purpose.

Each test gets an ``office``: its own company, shop account (and API key: the shop gives each key
one account), container and clock, on a database shared by this folder only — the worker takes
every due job of its database, and jobs left by tests elsewhere (or their scripted faults) must
not be performed here. The clock is the system clock plus an offset a test moves forward to make
backed-off jobs due, without sleeping.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from dependency_injector import providers
from sqlalchemy import update

from ogust.adapters.persistence.database import make_engine
from ogust.adapters.persistence.tables import outbox_jobs
from ogust.application import commands as c
from ogust.application.outbox import JobStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.entrypoints.container import build_container
from tests.integration.faults.office import ADDRESS, Office
from tests.integration.faults.proxy import FaultProxy
from tests.support.databases import BACKENDS
from tests.support.localstripe import LocalStripe
from tests.support.planning import ShiftedClock
from tests.support.platform import settings_for
from tests.support.shop_server import RunningShop
from tests.support.smtp_server import SmtpTestServer


# ---------------------------------------------------------------------- the folder's database
@pytest.fixture(scope="session", params=BACKENDS)
def faults_database_url(request: pytest.FixtureRequest, migrated_database: Callable[[str], str]) -> str:
    return migrated_database(request.param)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_PASSED] = report.passed
    return report


_PASSED = pytest.StashKey[bool]()


def _finish_leftovers(office: Office) -> None:
    """A failed test may leave due jobs: kill them, so that no later test's worker performs them."""
    engine = make_engine(office.settings.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(outbox_jobs)
                .where(outbox_jobs.c.company_id == office.company_id,
                       outbox_jobs.c.status.in_([JobStatus.PENDING, JobStatus.PROCESSING]))
                .values(status=JobStatus.DEAD, last_error="left over by a fault test")
            )
    finally:
        engine.dispose()


@pytest.fixture
def office(request: pytest.FixtureRequest, faults_database_url: str, tmp_path: Path, localstripe_server: LocalStripe,
           smtp_server: SmtpTestServer, shop_server: RunningShop) -> Iterator[Office]:
    if not smtp_server.running:  # a test that stopped it and failed before starting it again
        smtp_server.start()
    smtp_server.clear()
    stripe_proxy = FaultProxy(localstripe_server.base_url).start()
    shop_proxy = FaultProxy(shop_server.base_url).start()
    account, api_key = f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}"
    shop_server.admin.create_account(account, api_key=api_key)
    settings = replace(
        settings_for(faults_database_url, tmp_path / "var", localstripe_server, smtp_server, shop_server),
        shop_url=shop_proxy.base_url, shop_api_key=api_key, stripe_api_base=stripe_proxy.base_url,
        stripe_publishable_key="pk_test_ogust_faults", stripe_js_url=f"{localstripe_server.base_url}/js.stripe.com/v3/",
    )
    container = build_container(settings)
    clock = ShiftedClock()
    container.clock.override(providers.Object(clock))
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", ADDRESS, "73282932000074", "SAP123456789", date(2021, 3, 1),
        "contact@aide-et-vous.example"))
    container.create_tarif()(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                           VatRate.INTERMEDIATE_10))
    container.link_shop()(c.LinkShopAccount(company.id, account, "s" * 32))
    office = Office(container, replace(settings, company_id=company.id), company.id, account, clock,
                    localstripe_server, smtp_server, shop_server, stripe_proxy, shop_proxy, tmp_path)
    try:
        yield office
        if request.node.stash.get(_PASSED, False):
            # whatever the test did: at Stripe, one succeeded PaymentIntent per paid invoice, none
            # for the others
            office.assert_every_paid_invoice_debited_once()
    finally:
        for worker in office.workers:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait(timeout=10)
        if not smtp_server.running:
            smtp_server.start()
        smtp_server.clear()
        stripe_proxy.stop()
        shop_proxy.stop()
        _finish_leftovers(office)
        container.engine().dispose()
