"""The real parts, started once per test session, and ogust wired to them.

localstripe (Stripe), an aiosmtpd SMTP server, the reference shop (which saves cards on
localstripe), and a container whose adapters talk to all three over the network."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ogust.entrypoints.container import Container, build_container
from ogust.entrypoints.settings import Settings
from tests.support.localstripe import LocalStripe, start_localstripe
from tests.support.shop_server import RunningShop, running_shop
from tests.support.smtp_server import SmtpTestServer

SHOP_API_KEY = "test-shop-api-key"


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[LocalStripe]:
    server = start_localstripe()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


@pytest.fixture(scope="session")
def shop_server(localstripe_server: LocalStripe) -> Iterator[RunningShop]:
    with running_shop(stripe_base=localstripe_server.base_url) as shop:
        yield shop


def settings_for(database_url: str, var_dir: Path, localstripe: LocalStripe, smtp: SmtpTestServer,
                 shop: RunningShop, base_url: str = "http://127.0.0.1:9") -> Settings:
    return Settings(
        var_dir=var_dir, database_url=database_url, base_url=base_url, secret_key="test-secret-key-0123456789",
        company_id=None, shop_url=shop.base_url, shop_api_key=SHOP_API_KEY, stripe_api_key=localstripe.api_key,
        stripe_api_base=localstripe.base_url, stripe_webhook_secret="whsec_test_ogust", smtp_host="127.0.0.1",
        smtp_port=smtp.port, smtp_username=None, smtp_password=None, smtp_starttls=False,
        mail_sender="Aide & Vous <factures@aide-et-vous.example>", mail_dir=var_dir / "mail",
        run_worker_in_api=False,
    )


@pytest.fixture(scope="session")
def platform_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory, localstripe_server: LocalStripe,
                      smtp_server: SmtpTestServer, shop_server: RunningShop) -> Settings:
    return settings_for(database_url, tmp_path_factory.mktemp("var"), localstripe_server, smtp_server, shop_server)


@pytest.fixture(scope="session")
def container(platform_settings: Settings) -> Iterator[Container]:
    built = build_container(platform_settings)
    yield built
    built.engine().dispose()


@pytest.fixture
def shop_account(shop_server: RunningShop) -> str:
    """A fresh shop account (the demo services) for one test, with its own API key: link it with
    ``LinkShopAccount(..., api_key=shop_key(account))``."""
    account_id = f"acc_{uuid.uuid4().hex[:10]}"
    shop_server.admin.create_account(account_id, api_key=shop_key(account_id))
    return account_id


def shop_key(account_id: str) -> str:
    """The shop API key of a test account (the shop opens one account per key)."""
    return f"key-{account_id}"


def with_company(settings: Settings, company_id: str) -> Settings:
    return replace(settings, company_id=company_id)
