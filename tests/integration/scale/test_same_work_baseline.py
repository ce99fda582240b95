"""The same-work baseline of bench (1) (bench/same_work.py) is worth comparing with ogust only if it
does ogust's work: on the same database, it accepts, answers a replay and refuses like ogust (a slot
taken, a wrong price, a bad signature), and an accepted order writes as many rows in each table.
Not a timed test: the figures are the benchmark's."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from bench import generate as g
from bench.same_work import same_work_app
from bench.servers import ogust_app
from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.database import make_engine
from ogust.adapters.shop.signing import sign
from tests.support.databases import BACKENDS

pytestmark = pytest.mark.integration
WRITTEN = (t.clients, t.devis, t.devis_lines, t.interventions, t.audit_log, t.outbox_jobs)


@pytest.fixture(params=BACKENDS)
def office(request, migrated_database: Callable[[str], str], tmp_path, monkeypatch) -> Iterator[tuple]:
    """Both endpoints on one database of their own, with the bench's company and one known client."""
    url = migrated_database(request.param)
    factory = g.sessions(url)
    company = g.company(factory, intervenants=4)
    g.clients(factory, company, 1, cards=False)  # client0@example.fr
    factory.kw["bind"].dispose()
    for name in ("OGUST_DATABASE_URL", "OGUST_VAR_DIR", "OGUST_RUN_WORKER", "OGUST_SECRET_KEY"):
        monkeypatch.setenv(name, "")  # ogust_app sets them: given back after the test
    engine = make_engine(url)
    with TestClient(ogust_app(url, str(tmp_path / "var"))) as ogust, TestClient(same_work_app(url)) as same:
        yield company, engine, {"ogust": (ogust, "/api/shop/orders"), "same-work": (same, "/orders")}
    engine.dispose()


def order(company: g.BenchCompany, order_id: str, who: int, start: datetime, email: str, price: int = 2750) -> bytes:
    return json.dumps({
        "order_id": order_id, "account_id": g.SHOP_ACCOUNT, "placed_at": datetime.now(g.UTC).isoformat(),
        "customer": {"shop_client_id": f"sc_{order_id}", "email": email, "first_name": "Jean", "last_name": "Dupont",
                     "phone": "06 12 34 56 78", "address": {"street": "3 rue Haute", "postal_code": "69003",
                                                            "city": "Lyon"}},
        "payment": {"stripe_customer_id": "cus_" + order_id.replace("-", ""),
                    "stripe_payment_method_id": "pm_" + order_id.replace("-", "")},
        "items": [{"service_id": "svc_menage", "intervenant_id": company.intervenants[who][0],
                   "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
                   "unit_price_ttc_cents": price}]}).encode()


def post(endpoint: tuple, body: bytes, secret: str = g.WEBHOOK_SECRET):
    http, path = endpoint
    stamp = int(time.time())
    return http.post(path, content=body, headers={"content-type": "application/json", "x-ogust-timestamp": str(stamp),
                                                  "x-ogust-signature": sign(secret, stamp, body)})


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar() for table in WRITTEN}


def test_the_same_work_accepts_replays_and_refuses_like_ogust(office) -> None:
    company, engine, endpoints = office
    day = (datetime.now(g.PARIS) + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
    said: dict[str, list] = {}
    written: dict[str, list] = {}
    for n, (which, endpoint) in enumerate(endpoints.items()):  # each its own intervenants: no slot shared
        start, first, second = day + timedelta(days=n), 2 * n, 2 * n + 1
        before = counts(engine)
        new = post(endpoint, order(company, f"{which}-1", first, start, f"new-{which}@example.fr"))
        assert new.status_code == 201, (which, new.text)
        after_new = counts(engine)
        returning = post(endpoint, order(company, f"{which}-2", second, start, "Client0@example.fr"))
        after_returning = counts(engine)
        written[which] = [{k: after_new[k] - before[k] for k in before},
                          {k: after_returning[k] - after_new[k] for k in before}]
        replay = post(endpoint, order(company, f"{which}-1", first, start, f"new-{which}@example.fr"))
        refusals = [post(endpoint, order(company, f"{which}-3", first, start + timedelta(hours=1), "x@example.fr")),
                    post(endpoint, order(company, f"{which}-4", first, start + timedelta(hours=4), "y@example.fr",
                                         price=2700)),
                    post(endpoint, order(company, f"{which}-5", first, start + timedelta(hours=8), "z@example.fr"),
                         secret="not-the-secret")]
        assert counts(engine) == after_returning  # a replay and refusals write nothing
        assert replay.json().get("devis_id") == new.json()["devis_id"], (which, replay.json())
        said[which] = [(new.status_code, new.json()["replayed"]), returning.status_code,
                       (replay.status_code, replay.json()["replayed"], replay.json()["intervention_ids"]
                        == new.json()["intervention_ids"]),
                       [(r.status_code, r.json().get("code")) for r in refusals]]
    assert said["ogust"] == [(201, False), 201, (200, True, True),
                             [(409, "slot_unavailable"), (422, "price_mismatch"), (401, "bad_signature")]]
    assert said["same-work"] == said["ogust"]
    assert written["ogust"][0] == {"clients": 1, "devis": 1, "devis_lines": 1, "interventions": 1, "audit_log": 3,
                                   "outbox_jobs": 0}
    assert written["ogust"][1]["clients"] == 0 and written["ogust"][1]["audit_log"] == 3  # the known client, updated
    assert written["same-work"] == written["ogust"]
