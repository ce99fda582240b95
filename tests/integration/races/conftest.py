"""The deployment the races run against (see ``harness.py``), started once for the folder: a
PostgreSQL database of its own, a localstripe and an SMTP server of its own (the gateway lists
every PaymentIntent of its localstripe before each debit: a shared, busy one would slow the races),
the session's reference shop with an account of its own, two API processes and two workers."""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from ogust.entrypoints.container import build_container
from tests.integration.races.harness import RaceOffice, deploy, set_up_company
from tests.integration.races.senders import Senders
from tests.support.databases import PG_ENV
from tests.support.localstripe import LocalStripe, start_localstripe
from tests.support.platform import settings_for
from tests.support.shop_server import RunningShop
from tests.support.smtp_server import SmtpTestServer

NEEDS_POSTGRESQL = pytest.mark.skipif(
    not os.environ.get(PG_ENV),
    reason=f"races between processes need PostgreSQL (set {PG_ENV}; .ci/run does when a server answers): "
           "SQLite serialises writers, so nothing would race")


@pytest.fixture(scope="package")
def races_stripe() -> Iterator[LocalStripe]:
    server = start_localstripe()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def races_smtp() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


@pytest.fixture(scope="package")
def office(migrated_database: Callable[[str], str], shop_server: RunningShop, races_stripe: LocalStripe,
           races_smtp: SmtpTestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RaceOffice]:
    started = time.monotonic()
    url = migrated_database("postgresql")  # migrated by the owner; the processes connect as the application's role
    account, shop_api_key = f"acc_races_{uuid.uuid4().hex[:8]}", f"key-{uuid.uuid4().hex}"
    shop_server.admin.create_account(account, api_key=shop_api_key)
    var = tmp_path_factory.mktemp("races")
    settings = replace(settings_for(url, var / "var", races_stripe, races_smtp, shop_server),
                       shop_api_key=shop_api_key)
    container = build_container(settings)
    created = set_up_company(container, settings, account, races_stripe, lambda s: deploy(s, var))
    print(f"\n[races] PostgreSQL database, 2 API processes and 2 workers up in {time.monotonic() - started:.1f} s")
    try:
        yield created
    finally:
        created.deployment.stop()
        container.engine().dispose()


@pytest.fixture(scope="package")
def senders() -> Iterator[Senders]:
    """Three sender processes: two racers and, in some rounds, a hostile request racing them."""
    pool = Senders(3)
    yield pool
    pool.close()
