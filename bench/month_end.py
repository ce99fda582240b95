"""(2) Month end: N clients each with done interventions in the month; ``MonthEndRun`` invoices,
validates and debits them against a provider with 200 ms latency and a 25 requests/s cap. The
debit phase is compared with the ideal N ÷ cap (goal ≤ 1.15×)."""
from __future__ import annotations

import time
from pathlib import Path

from bench import generate as g
from bench.gateway import CappedLatencyGateway
from ogust.adapters.clock import SystemClock
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application.commands import RunMonthEnd
from ogust.application.month_end import MonthEndRun

YEAR, MONTH = 2026, 10


def run(server_url: str | None, workdir: Path, invoices: int = 2000, latency: float = 0.2, cap: float = 25.0,
        concurrency: int = 10) -> dict:
    url = g.new_database(server_url, workdir)
    try:
        factory = g.sessions(url)
        company = g.company(factory)
        g.month_end(factory, company, g.clients(factory, company, invoices), YEAR, MONTH, per_client=2)
        gateway = CappedLatencyGateway(latency, cap)
        clock = SystemClock()
        month_end = MonthEndRun(lambda: SqlAlchemyUnitOfWork(factory, clock), gateway)
        started = time.perf_counter()
        report = month_end(RunMonthEnd(company.id, YEAR, MONTH, concurrency=concurrency, rate=cap))
        total = time.perf_counter() - started
        factory.kw["bind"].dispose()
    finally:
        g.drop_database(url)
    ideal = invoices / cap
    return {
        "invoices": invoices, "latency_ms": int(latency * 1000), "cap_per_s": cap, "concurrency": concurrency,
        "created": report.created, "validated": report.validated, "paid": report.paid,
        "rejected_by_cap": gateway.rejected,
        "generate_s": report.seconds.get("generate"), "validate_s": report.seconds.get("validate"),
        "debit_s": report.seconds.get("debit"), "whole_run_s": round(total, 1), "ideal_s": ideal,
        "ratio": round(report.seconds["debit"] / ideal, 3),
    }
