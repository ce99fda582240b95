"""(3) A year's attestations fiscales: C clients × 50 done interventions, invoiced monthly and paid
by card. The batch (``GenerateAttestationsHandler``, a page of clients per transaction) is
compared with one SQL aggregate over the same rows (the year's payments joined to their invoice
lines, summed per client); then the cost of one attestation PDF."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bench import generate as g
from ogust.adapters.clock import SystemClock
from ogust.adapters.documents.pdf_renderer import PdfDocumentRenderer
from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application.commands import GenerateAttestations
from ogust.application.handlers.attestations import GenerateAttestationsHandler

YEAR = 2026


def aggregate(factory, company_id: str) -> int:
    """What the attestations sum up, in one statement: amount paid, minutes and interventions per client."""
    p, line = t.payments.c, t.invoice_lines.c
    start, end = datetime(YEAR, 1, 1, tzinfo=g.PARIS), datetime(YEAR + 1, 1, 1, tzinfo=g.PARIS)
    statement = (
        select(p.client_id, func.sum(line.quantity_value), func.count(line.id),
               func.sum(line.quantity_value * line.unit_price_ht_cents), func.count(func.distinct(p.id)))
        .join(t.invoice_lines, line.invoice_id == p.invoice_id)
        .where(p.company_id == company_id, p.received_at >= start, p.received_at < end,
               line.tax_credit_eligible.is_(True))
        .group_by(p.client_id)
    )
    with factory() as session:
        return len(session.execute(statement).all())


def run(server_url: str | None, workdir: Path, clients: int = 10_000, interventions: int = 50,
        pdf_sample: int = 200) -> dict:
    url = g.new_database(server_url, workdir)
    try:
        factory = g.sessions(url)
        company = g.company(factory)
        started = time.perf_counter()
        rows = g.paid_year(factory, company, g.clients(factory, company, clients), YEAR, interventions)
        generated_in = time.perf_counter() - started
        clock = SystemClock()
        uow = lambda: SqlAlchemyUnitOfWork(factory, clock)  # noqa: E731

        aggregate(factory, company.id)  # warm the database's cache the same way for both
        started = time.perf_counter()
        grouped = aggregate(factory, company.id)
        sql_s = time.perf_counter() - started

        started = time.perf_counter()
        summary = GenerateAttestationsHandler(uow).stream(GenerateAttestations(company.id, YEAR, chunk_size=200))
        batch_s = time.perf_counter() - started

        renderer = PdfDocumentRenderer()
        with uow() as work:
            found = work.attestations.list(company.id)[:pdf_sample]
            made = work.companies.get(company.id)
            people = {a.client_id: work.clients.get(company.id, a.client_id) for a in found}
        renderer.attestation(found[0], made, people[found[0].client_id])  # fonts loaded once
        started = time.perf_counter()
        size = sum(len(renderer.attestation(a, made, people[a.client_id])) for a in found)
        pdf_s = (time.perf_counter() - started) / len(found)
        factory.kw["bind"].dispose()
    finally:
        g.drop_database(url)
    return {
        "clients": clients, "interventions": clients * interventions, "rows": rows,
        "data_generated_s": round(generated_in, 1), "attestations": summary["generated"],
        "clients_in_aggregate": grouped, "batch_s": round(batch_s, 2), "sql_aggregate_s": round(sql_s, 3),
        "ratio": round(batch_s / sql_s, 1), "per_attestation_ms": round(1000 * batch_s / max(clients, 1), 2),
        "pdf_ms": round(1000 * pdf_s, 1), "pdf_kb": round(size / len(found) / 1024, 1),
        "pdf_all_clients_s": round(pdf_s * clients, 1),
    }
