"""Linking the shop through the API, against the reference shop: a key the shop refuses is the operator's
mistake (422 shop_key_refused, in French, nothing written); only a shop down is a 503."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.container import build_container
from tests.integration.security_input.conftest import offline_settings
from tests.integration.shop.conftest import ShopAccount
from tests.support.access import api_key, bearer
from tests.support.shop_server import RunningShop

pytestmark = pytest.mark.integration


def linking(database_url: str, var_dir: Path, shop_url: str, installation_key: str) -> Iterator[tuple]:
    settings = replace(offline_settings(database_url, var_dir), shop_url=shop_url, shop_api_key=installation_key)
    container = build_container(settings)
    company = container.create_company()(c.CreateCompany(
        "Aide & Vous Services", Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789",
        date(2021, 3, 1), "contact@aide-et-vous.example"))
    with TestClient(create_app(container, run_worker=False), raise_server_exceptions=False,
                    headers=bearer(api_key(container, company.id))) as http:
        yield http, container, company.id
    container.engine().dispose()


def linked_account(container, company_id: str) -> str | None:
    with container.uow() as uow:
        return uow.companies.get(company_id).shop_account_id


@pytest.fixture
def on_shop(database_url: str, tmp_path: Path, shop: RunningShop) -> Iterator[tuple]:
    yield from linking(database_url, tmp_path / "var", shop.base_url, f"not-a-key-{uuid.uuid4().hex}")


def test_a_key_the_shop_refuses_is_a_422_naming_the_key(on_shop, account: ShopAccount) -> None:
    http, container, company_id = on_shop
    for body in ({"shop_account_id": account.id, "api_key": "wrong-key-0123456"},  # the key given
                 {"shop_account_id": account.id}):  # the installation's OGUST_SHOP_API_KEY, which the shop refuses
        response = http.post("/api/shop/link", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "shop_key_refused"
        assert "refuse la clé d'API" in problem["detail"] and "401" in problem["detail"]
        assert linked_account(container, company_id) is None
    linked = http.post("/api/shop/link", json={"shop_account_id": account.id, "api_key": account.api_key})
    assert linked.status_code == 200, linked.text
    assert linked_account(container, company_id) == account.id


def test_a_key_of_another_account_is_refused_too(on_shop, shop: RunningShop, account: ShopAccount) -> None:
    http, container, company_id = on_shop
    other = ShopAccount(f"acc_{uuid.uuid4().hex[:10]}", f"key-{uuid.uuid4().hex}")
    shop.admin.create_account(other.id, other.api_key)
    response = http.post("/api/shop/link", json={"shop_account_id": account.id, "api_key": other.api_key})
    assert response.status_code == 422 and response.json()["code"] == "shop_key_refused", response.text
    assert linked_account(container, company_id) is None


def test_a_shop_down_is_a_503(database_url: str, tmp_path: Path) -> None:
    for http, container, company_id in linking(database_url, tmp_path / "var", "http://127.0.0.1:9", "k" * 16):
        response = http.post("/api/shop/link", json={"shop_account_id": "acc_x", "api_key": "k" * 16})
        assert response.status_code == 503 and response.json()["code"] == "shop_unavailable", response.text
        assert linked_account(container, company_id) is None
