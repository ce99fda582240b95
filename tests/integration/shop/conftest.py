"""The reference shop for the whole session, a fresh account per test, and faulty transports."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from ogust.adapters.shop.http_shop_api import HttpShopApi
from tests.support.shop_server import RunningShop, running_shop


@pytest.fixture(scope="session")
def shop() -> Iterator[RunningShop]:
    with running_shop() as running:
        yield running


@dataclass(frozen=True)
class ShopAccount:
    id: str
    api_key: str


@pytest.fixture
def account(shop: RunningShop) -> ShopAccount:
    created = ShopAccount(f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}")
    shop.admin.create_account(created.id, created.api_key)
    return created


@dataclass
class FaultyTransport(httpx.BaseTransport):
    """Counts requests; answers the first ones with ``faults`` (a status code or an exception to
    raise), then forwards to the real server."""

    faults: list[int | Exception] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    real: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return httpx.Response(fault, json={"title": "down", "status": fault}, request=request)
        return self.real.handle_request(request)


@pytest.fixture
def make_api(shop: RunningShop, account: ShopAccount) -> Callable[..., tuple[HttpShopApi, FaultyTransport, list]]:
    """``make_api(faults=[503], retries=3)`` → (api, transport, sleeps): no real waiting."""
    apis: list[HttpShopApi] = []

    def make(faults: list[int | Exception] | None = None, **options: object):
        transport = FaultyTransport(list(faults or []))
        sleeps: list[float] = []
        api = HttpShopApi(shop.base_url, account.api_key, transport=transport, sleep=sleeps.append, **options)
        apis.append(api)
        return api, transport, sleeps

    yield make
    for api in apis:
        api.close()


@pytest.fixture
def api(make_api) -> HttpShopApi:
    return make_api()[0]
