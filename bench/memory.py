"""(4) Peak memory of each batch at N and 4N records (goal: 4N ≤ 1.3 × N).

The data is written by this process; each measurement runs in a fresh subprocess that only runs
the batch (``python -m bench.memory probe …``): the peak of Python allocations during the batch
(tracemalloc) and the process's peak resident size (``ru_maxrss``, imports included) are reported.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import httpx

from bench import generate as g
from bench.intake import _free_port

SHOP_API_KEY = "bench-shop-api-key-0123"
YEAR, MONTH = 2026, 10


# ---------------------------------------------------------------- the probe (a subprocess)
class InstantGateway:
    def __init__(self) -> None:
        self.count = 0

    def charge(self, request):
        from ogust.application.ports import ChargeOutcome, ChargeResult

        self.count += 1
        return ChargeResult(ChargeOutcome.SUCCEEDED, f"pi_{request.invoice_id}")

    def payment_method_usable(self, customer_id, payment_method_id):
        return True


def _probe(batch: str, database_url: str, company_id: str, shop_url: str | None) -> dict:
    from ogust.adapters.clock import SystemClock
    from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
    from ogust.adapters.shop.http_shop_api import HttpShopApi
    from ogust.application import commands as c
    from ogust.application.handlers.attestations import GenerateAttestationsHandler
    from ogust.application.month_end import MonthEndRun
    from ogust.application.shop_export import ShopExport

    factory = g.sessions(database_url)
    clock = SystemClock()

    def uow():
        return SqlAlchemyUnitOfWork(factory, clock)

    with uow() as work:  # connect, map, warm the engine before measuring
        work.companies.get(company_id)
    if batch == "export":
        shop = HttpShopApi(shop_url, SHOP_API_KEY, timeout=60)
        run = lambda: ShopExport(uow, shop)(c.ExportToShop(company_id))  # noqa: E731
    elif batch == "attestations":
        run = lambda: GenerateAttestationsHandler(uow).stream(c.GenerateAttestations(company_id, YEAR))  # noqa: E731
    else:
        month_end = MonthEndRun(uow, InstantGateway())
        run = lambda: month_end(c.RunMonthEnd(company_id, YEAR, MONTH, concurrency=4, rate=None))  # noqa: E731
    tracemalloc.start()
    started = time.perf_counter()
    result = run()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if batch == "month_end":
        result = {"paid": result.paid, "created": result.created}
    return {"result": result, "peak_kb": peak // 1024, "maxrss_kb": _high_water_mark_kb(), "seconds": round(elapsed, 2)}


def _high_water_mark_kb() -> int:
    """The process's peak resident size. Not ``ru_maxrss``: on Linux it survives execve, so a
    child started by a big parent reports the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---------------------------------------------------------------- the orchestration
class Shop:
    """The reference shop in a subprocess, with the account the bench company is linked to."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.log = open(workdir / "shop.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "ogust_shop", "--port", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.url}/docs", timeout=1)
                break
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the reference shop did not start") from None
                time.sleep(0.1)
        from ogust_shop.demo import DEMO_SERVICES

        httpx.post(f"{self.url}/_admin/accounts", timeout=30, json={
            "id": g.SHOP_ACCOUNT, "name": "Boutique bench", "api_key": SHOP_API_KEY, "webhook_url": None,
            "webhook_secret": None, "services": DEMO_SERVICES}).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def _data(batch: str, size: int, server_url: str | None, workdir: Path) -> tuple[str, str]:
    url = g.new_database(server_url, workdir)
    factory = g.sessions(url)
    company = g.company(factory)
    if batch == "export":
        g.shop_people(factory, company, size)
    elif batch == "attestations":
        g.paid_year(factory, company, g.clients(factory, company, size), YEAR, 50)
    else:
        g.month_end(factory, company, g.clients(factory, company, size), YEAR, MONTH)
    factory.kw["bind"].dispose()
    return url, company.id


def measure(batch: str, size: int, server_url: str | None, workdir: Path, shop: Shop | None) -> dict:
    url, company_id = _data(batch, size, server_url, workdir)
    try:
        command = [sys.executable, "-m", "bench.memory", "probe", batch, "--database-url", url, "--company", company_id]
        if shop:
            command += ["--shop-url", shop.url]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"probe {batch} {size} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        g.drop_database(url)


# N (4N is measured too): several pages each (export: 500 records a page, attestations: 200 clients)
SIZES = {"export": 2000, "attestations": 600, "month_end": 500}


def run(server_url: str | None, workdir: Path, scale: float = 1.0) -> dict:
    shop = Shop(workdir)
    results = {}
    try:
        for batch, base in SIZES.items():
            n = max(int(base * min(scale, 1.0)), {"export": 1000, "attestations": 400, "month_end": 200}[batch])
            small = measure(batch, n, server_url, workdir, shop if batch == "export" else None)
            large = measure(batch, 4 * n, server_url, workdir, shop if batch == "export" else None)
            results[batch] = {
                "n": n, "peak_kb_n": small["peak_kb"], "peak_kb_4n": large["peak_kb"],
                "maxrss_kb_n": small["maxrss_kb"], "maxrss_kb_4n": large["maxrss_kb"],
                "seconds_n": small["seconds"], "seconds_4n": large["seconds"],
                "result_4n": large["result"],
                "ratio": round(large["peak_kb"] / max(small["peak_kb"], 1), 2),
                "rss_ratio": round(large["maxrss_kb"] / max(small["maxrss_kb"], 1), 2),
            }
    finally:
        shop.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["probe"])
    parser.add_argument("batch", choices=list(SIZES))
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--company", required=True)
    parser.add_argument("--shop-url")
    args = parser.parse_args()
    print(json.dumps(_probe(args.batch, args.database_url, args.company, args.shop_url)))


if __name__ == "__main__":
    main()
