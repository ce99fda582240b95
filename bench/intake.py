"""(1) Order intake through ogust's REST API against two FastAPI endpoints: a bare one inserting
the order as one row, and a same-work one doing ogust's checks and writing ogust's rows with the raw
driver in one transaction (bench/same_work.py). The same uvicorn settings, the same database, the
same signed order bodies, the same load (``concurrency`` clients with keep-alive connections).
The ratios are ogust's throughput over the bare endpoint's (goal ≥ 0.5) and over the same work's:
what the framework, the ORM and the layers cost for the same checks and the same rows."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from bench import generate as g
from ogust.adapters.shop.signing import sign


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SERVERS = ("bare", "same-work", "ogust")  # each round runs them in this order
_SLOTS = [0]  # slots handed out so far: each order gets a free one
RETURNING_EVERY = 4


_RETURNING = [0]  # clients of the back office already ordered for: each returns once


def _orders(company: g.BenchCompany, count: int, tag: str, known_clients: int = 0) -> list[bytes]:
    """Orders, each for a free two-hour slot of one of the intervenants: of new clients, and one in
    RETURNING_EVERY of a client the back office has already (found by e-mail, then linked to the shop)."""
    base = (datetime.now(g.PARIS) + timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    bodies = []
    for n in range(count):
        slot = _SLOTS[0]
        _SLOTS[0] += 1
        who = company.intervenants[slot % len(company.intervenants)][0]
        start = base + timedelta(hours=3 * (slot // len(company.intervenants)))
        email, last_name = f"{tag}{n}@example.fr", f"Client{n}"
        if n % RETURNING_EVERY == 0 and _RETURNING[0] < known_clients:
            email, last_name = f"client{_RETURNING[0]}@example.fr", f"Client{_RETURNING[0]:06d}"
            _RETURNING[0] += 1
        bodies.append(json.dumps({
            "order_id": f"ord_{tag}_{n}", "account_id": g.SHOP_ACCOUNT, "placed_at": datetime.now(g.UTC).isoformat(),
            "customer": {"shop_client_id": f"sc_{tag}_{n}", "email": email, "first_name": "Jean",
                         "last_name": last_name, "phone": "06 12 34 56 78",
                         "address": {"street": "3 rue Haute", "postal_code": "69003", "city": "Lyon"}},
            "payment": {"stripe_customer_id": f"cus_{tag}{n}", "stripe_payment_method_id": f"pm_{tag}{n}"},
            "items": [{"service_id": "svc_menage", "intervenant_id": who, "start": start.isoformat(),
                       "end": (start + timedelta(hours=2)).isoformat(), "unit_price_ttc_cents": 2750}],
        }).encode())
    return bodies


def _tag(which: str) -> str:
    """The server's name in its orders' ids (the Stripe ids made of them allow letters and digits only)."""
    return which.replace("-", "")


class Server:
    def __init__(self, which: str, database_url: str, workdir: Path) -> None:
        self.port = _free_port()
        self.log = open(workdir / f"server-{which}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.servers", which, "--database-url", database_url, "--port", str(self.port),
             "--var-dir", str(workdir / "var")], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/docs", timeout=1)
                return
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {which} server did not start: see {self.log.name}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def _load(url: str, bodies: list[bytes], concurrency: int, signed: bool) -> tuple[float, list[float], int]:
    """Send every body (``concurrency`` at a time); returns (requests/s, latencies, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                headers = {"content-type": "application/json"}
                if signed:
                    stamp = int(time.time())
                    headers |= {"x-ogust-timestamp": str(stamp),
                                "x-ogust-signature": sign(g.WEBHOOK_SECRET, stamp, body)}
                started = time.perf_counter()
                response = http.post(url, content=body, headers=headers)
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if response.status_code != 201:
                        errors[0] += 1
                        if errors[0] <= 3:
                            print(f"  {url}: {response.status_code} {response.text[:300]}", file=sys.stderr)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(bodies) / (time.perf_counter() - started), latencies, errors[0]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(server_url: str | None, workdir: Path, requests: int = 1500, concurrency: int = 8,
        rounds: int = 2, known_clients: int = 20_000) -> dict:
    """``known_clients``: the company's clients before the first order (a large company), each
    with a done intervention of last month in the intervenants' planning."""
    url = g.new_database(server_url, workdir)
    try:
        factory = g.sessions(url)
        company = g.company(factory)
        last_month = datetime.now(g.PARIS).replace(day=1) - timedelta(days=1)
        g.month_end(factory, company, g.clients(factory, company, known_clients, cards=False),
                    last_month.year, last_month.month)
        factory.kw["bind"].dispose()
        results: dict[str, list[tuple[float, list[float], int]]] = {which: [] for which in SERVERS}
        servers = {which: Server(which, url, workdir) for which in SERVERS}
        try:
            for which, server in servers.items():  # warm up: imports, caches, connection pools
                path = "/api/shop/orders" if which == "ogust" else "/orders"
                _load(f"http://127.0.0.1:{server.port}{path}", _orders(company, 100, f"warm{_tag(which)}"),
                      concurrency, which != "bare")
            for round_ in range(rounds):
                for which, server in servers.items():
                    path = "/api/shop/orders" if which == "ogust" else "/orders"
                    bodies = _orders(company, requests, f"r{round_}{_tag(which)}", known_clients)
                    results[which].append(_load(f"http://127.0.0.1:{server.port}{path}", bodies, concurrency,
                                                which != "bare"))
        finally:
            for server in servers.values():
                server.stop()
    finally:
        g.drop_database(url)
    best = {which: max(runs, key=lambda r: r[0]) for which, runs in results.items()}
    return {
        "requests": requests, "concurrency": concurrency, "rounds": rounds, "known_clients": known_clients,
        "returning_every": RETURNING_EVERY,
        "ogust_rps": round(best["ogust"][0], 1), "bare_rps": round(best["bare"][0], 1),
        "same_work_rps": round(best["same-work"][0], 1),
        "ogust_p50_ms": round(1000 * _percentile(best["ogust"][1], 0.5), 1),
        "ogust_p95_ms": round(1000 * _percentile(best["ogust"][1], 0.95), 1),
        "bare_p50_ms": round(1000 * _percentile(best["bare"][1], 0.5), 1),
        "same_work_p50_ms": round(1000 * _percentile(best["same-work"][1], 0.5), 1),
        "same_work_p95_ms": round(1000 * _percentile(best["same-work"][1], 0.95), 1),
        "errors": sum(r[2] for runs in results.values() for r in runs),
        "ratio": round(best["ogust"][0] / best["bare"][0], 3),
        "ratio_same_work": round(best["ogust"][0] / best["same-work"][0], 3),
    }
