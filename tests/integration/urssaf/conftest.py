"""The reference URSSAF server for each test (its clock is the test's), and a client it knows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from ogust.adapters.urssaf.http_urssaf_api import HttpUrssafApi
from ogust.application.ports import UrssafCredentials
from tests.support.urssaf_samples import registration
from tests.support.urssaf_server import RunningUrssaf, running_urssaf

REGISTERED_AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
TODAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class Recording(httpx.BaseTransport):
    """A real HTTP transport that keeps what went out and what came back."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.exchanges: list[tuple[httpx.Request, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self._inner.handle_request(request)
        self.exchanges.append((request, response.status_code))
        return response

    def count(self, path_end: str, status: int | None = None) -> int:
        return sum(1 for request, answered in self.exchanges if request.url.path.endswith(path_end)
                   and (status is None or answered == status))

    def close(self) -> None:
        self._inner.close()


@pytest.fixture
def urssaf():
    with running_urssaf() as server:
        server.admin.set_clock(REGISTERED_AT)
        yield server


@pytest.fixture
def recording():
    transport = Recording()
    yield transport
    transport.close()


@pytest.fixture
def api(recording):
    with HttpUrssafApi(timeout=5, transport=recording) as adapter:
        yield adapter


@dataclass
class Company:
    credentials: UrssafCredentials
    id_client: str


@pytest.fixture
def company(urssaf: RunningUrssaf, api: HttpUrssafApi) -> Company:
    """A tiers with one client registered on 1 November and active since; the server's clock on 3 December."""
    credentials = urssaf.admin.create_tiers("company-1")
    id_client = api.register_client(credentials, registration())
    urssaf.admin.activate(credentials.client_id, id_client)
    urssaf.admin.set_clock(TODAY)
    return Company(credentials, id_client)
