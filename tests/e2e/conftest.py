"""End-to-end fixtures: a fresh SQLite database per test, a fresh shop account with its own API key,
and ogust's REST API served in a thread, wired to the session's real localstripe, SMTP and shop."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.support.databases import BACKENDS
from tests.support.localstripe import LocalStripe
from tests.support.platform import settings_for
from tests.support.shop_server import RunningShop, serve_in_thread
from tests.support.smtp_server import SmtpTestServer


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest, migrated_database) -> str:
    """A database of this test's own (an SQLite file; a PostgreSQL database too when
    OGUST_TEST_DATABASE_URL is set), migrated: the API finds "the" company as the only one."""
    return migrated_database(request.param)


@dataclass(frozen=True)
class ShopAccount:
    id: str
    api_key: str


@pytest.fixture
def fresh_shop_account(shop_server: RunningShop) -> ShopAccount:
    """A shop account with the demo services and an API key of its own (one key opens one account)."""
    account = ShopAccount(f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}")
    shop_server.admin.create_account(account.id, api_key=account.api_key)
    return account


class _LateApp:
    """An ASGI app set once the server's URL is known (the settings' base_url needs it)."""

    app = None

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


@dataclass
class RunningOgust:
    base_url: str
    container: Container
    settings: Settings
    http: httpx.Client


@pytest.fixture
def ogust_api(fresh_database: str, fresh_shop_account: ShopAccount, tmp_path: Path, localstripe_server: LocalStripe,
              smtp_server: SmtpTestServer, shop_server: RunningShop) -> Iterator[RunningOgust]:
    late = _LateApp()
    with serve_in_thread(late) as base_url:
        settings = replace(
            settings_for(fresh_database, tmp_path / "var", localstripe_server, smtp_server, shop_server,
                         base_url=base_url),
            shop_api_key=fresh_shop_account.api_key)
        container = build_container(settings)
        late.app = create_app(container, run_worker=False)
        with httpx.Client(base_url=base_url, timeout=60) as http:
            yield RunningOgust(base_url, container, settings, http)
        container.engine().dispose()
