"""The BDD platform: the session's real servers (localstripe, SMTP, the reference shop), ogust's
API serving the shop's order webhook and the download links, and one ``Monde`` per scenario.

The step modules are star-imported here so that every ``scenarios(...)`` binding finds them."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.container import Container, build_container
from tests.bdd.steps.attestations import *  # noqa: F401,F403
from tests.bdd.steps.commandes import *  # noqa: F401,F403
from tests.bdd.steps.communs import *  # noqa: F401,F403
from tests.bdd.steps.facturation import *  # noqa: F401,F403
from tests.bdd.steps.monde import AdminBoutique, CompteBoutique, Monde, OgustApi
from tests.bdd.steps.parametrage import *  # noqa: F401,F403
from tests.bdd.steps.transmission import *  # noqa: F401,F403
from tests.support.platform import settings_for
from tests.support.shop_server import RunningShop, serve_in_thread


class _AppSetLater:
    """An ASGI app given once the server's URL is known: the container's ``base_url`` needs it."""

    app = None

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def ogust_api(database_url, tmp_path_factory, localstripe_server, smtp_server,
              shop_server) -> Iterator[OgustApi]:
    """ogust's API: the shop's order webhook and the download links (no worker inside: the
    scenarios run the outbox worker themselves). It never calls the shop, so one serves every
    account. Its ``base_url`` is its own: the links emailed and published really download."""
    late = _AppSetLater()
    with serve_in_thread(late) as base_url:
        settings = settings_for(database_url, tmp_path_factory.mktemp("var-bdd"), localstripe_server, smtp_server,
                                shop_server, base_url=base_url)
        container = build_container(settings)
        late.app = create_app(container, run_worker=False)
        yield OgustApi(base_url, settings)
        container.engine().dispose()


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One kept-alive HTTP client for the scenarios' own calls (shop admin, download links)."""
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def shop_account(shop_server: RunningShop) -> CompteBoutique:
    """A fresh shop account (the demo services) with an API key of its own: the shop opens exactly
    one account per key, so the platform's shared key would only open the session's first account."""
    account = CompteBoutique(f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}")
    shop_server.admin.create_account(account.id, api_key=account.api_key)
    return account


@pytest.fixture
def container(ogust_api: OgustApi, shop_account: CompteBoutique) -> Iterator[Container]:
    """ogust wired to the real servers, as the API is, but holding this scenario's shop key (the
    shop opens one account per key)."""
    built = build_container(replace(ogust_api.settings, shop_api_key=shop_account.api_key))
    yield built
    built.engine().dispose()


@pytest.fixture
def monde(container, shop_server, http, localstripe_server, smtp_server, ogust_api, shop_account) -> Monde:
    return Monde(container, shop_server, AdminBoutique(shop_server.base_url, http), localstripe_server, smtp_server,
                 ogust_api, shop_account)


@pytest.fixture(autouse=True)
def _scenario_sur_chaque_base(monde: Monde) -> None:
    """pytest-bdd asks for the steps' fixtures late; naming ``monde`` here puts the database (a
    parametrised fixture: SQLite, and PostgreSQL when configured) in every scenario's closure."""
