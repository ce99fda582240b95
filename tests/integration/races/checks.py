"""What must hold in the database however requests raced, read with plain SQL (the domain only where
a total is computed: VAT per line). Each function returns the offending rows: empty when it holds."""
from __future__ import annotations

import re
from collections import defaultdict

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from ogust.adapters.persistence import tables as t
from ogust.domain.intervention import InterventionStatus
from ogust.domain.payment import AttemptStatus, PaymentMethod
from ogust.entrypoints.container import Container


def overlapping_interventions(engine: Engine, company_id: str) -> list[tuple]:
    """Pairs of non-cancelled interventions of one intervenant whose times overlap."""
    a, b = t.interventions.alias("a"), t.interventions.alias("b")
    query = (
        select(a.c.intervenant_id, a.c.id, a.c.starts_at, a.c.ends_at, b.c.id, b.c.starts_at, b.c.ends_at)
        .join(b, and_(a.c.company_id == b.c.company_id, a.c.intervenant_id == b.c.intervenant_id, a.c.id < b.c.id))
        .where(a.c.company_id == company_id, a.c.status != InterventionStatus.CANCELLED,
               b.c.status != InterventionStatus.CANCELLED,
               a.c.starts_at < b.c.ends_at, b.c.starts_at < a.c.ends_at)
    )
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def twin_clients(engine: Engine, company_id: str) -> list[tuple]:
    """E-mail addresses and shop client ids held by more than one client of the company."""
    clients = t.clients
    by_email = (select(func.lower(clients.c.email), func.count()).where(clients.c.company_id == company_id)
                .group_by(func.lower(clients.c.email)).having(func.count() > 1))
    by_shop_id = (select(clients.c.shop_client_id, func.count())
                  .where(clients.c.company_id == company_id, clients.c.shop_client_id.is_not(None))
                  .group_by(clients.c.shop_client_id).having(func.count() > 1))
    with engine.connect() as connection:
        return ([("email", *row) for row in connection.execute(by_email)]
                + [("shop_client_id", *row) for row in connection.execute(by_shop_id)])


def invoices_debited_twice(engine: Engine, company_id: str) -> list[tuple]:
    """Invoices with more than one succeeded payment attempt."""
    attempts = t.payment_attempts
    query = (select(attempts.c.invoice_id, func.count())
             .where(attempts.c.company_id == company_id, attempts.c.status == AttemptStatus.SUCCEEDED)
             .group_by(attempts.c.invoice_id).having(func.count() > 1))
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def invoices_overpaid(container: Container, company_id: str) -> list[tuple]:
    """Invoices whose payments (by card or otherwise) add up to more than the invoice, or with two
    card payments: the client paid twice."""
    payments = t.payments
    by_invoice: dict[str, list[tuple[PaymentMethod, int]]] = defaultdict(list)
    with container.engine().connect() as connection:
        for row in connection.execute(select(payments.c.invoice_id, payments.c.method, payments.c.amount_cents)
                                      .where(payments.c.company_id == company_id)):
            by_invoice[row.invoice_id].append((row.method, row.amount_cents))
    overpaid = []
    with container.uow() as uow:
        for invoice_id, paid in by_invoice.items():
            invoice = uow.invoices.get(company_id, invoice_id)
            by_card = [method for method, _ in paid].count(PaymentMethod.CARD)
            if sum(cents for _, cents in paid) > invoice.total_ttc.cents or by_card > 1:
                overpaid.append((invoice.number, invoice.total_ttc.cents, paid))
    return overpaid


def gaps_in_series(engine: Engine, company_id: str) -> list[tuple]:
    """Numbering series (FA- invoices, AV- credit notes, per year) with a gap or a number used twice."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    with engine.connect() as connection:
        for table in (t.invoices, t.credit_notes):
            for (number,) in connection.execute(select(table.c.number).where(table.c.company_id == company_id,
                                                                             table.c.number.is_not(None))):
                match = re.fullmatch(r"([A-Z]+)-(\d{4})-(\d+)", number)
                assert match, number
                found[(match[1], match[2])].append(int(match[3]))
    return [(prefix, year, sorted(values)) for (prefix, year), values in found.items()
            if sorted(values) != list(range(1, len(values) + 1))]


def written_by_order(engine: Engine, company_id: str, order_id: str, email: str) -> dict[str, list[tuple]]:
    """What an order left behind: the devis of its order id, the client of its buyer's e-mail, the
    interventions of that devis. All empty for a refused order."""
    devis, clients, interventions = t.devis, t.clients, t.interventions
    with engine.connect() as connection:
        found = {
            "devis": [tuple(r) for r in connection.execute(
                select(devis.c.id, devis.c.client_id)
                .where(devis.c.company_id == company_id, devis.c.shop_order_id == order_id))],
            "clients": [tuple(r) for r in connection.execute(
                select(clients.c.id, clients.c.email, clients.c.shop_client_id)
                .where(clients.c.company_id == company_id, func.lower(clients.c.email) == email.lower()))],
        }
        found["interventions"] = [tuple(r) for r in connection.execute(
            select(interventions.c.id, interventions.c.starts_at, interventions.c.ends_at)
            .where(interventions.c.company_id == company_id,
                   interventions.c.devis_id.in_([d[0] for d in found["devis"]])))]
    return found


def interventions_of(engine: Engine, company_id: str, intervenant_id: str) -> list[tuple]:
    """The intervenant's interventions, as rows (id, client, start, end, status, devis)."""
    i = t.interventions
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            select(i.c.id, i.c.client_id, i.c.starts_at, i.c.ends_at, i.c.status, i.c.devis_id)
            .where(i.c.company_id == company_id, i.c.intervenant_id == intervenant_id).order_by(i.c.starts_at))]
