"""``ogust invoice run --month`` as an operator runs it, against localstripe: interrupted with
Ctrl-C in the middle of the debits, then run again — every invoice ends with exactly one
succeeded PaymentIntent, and the report says what happened to the others."""
from __future__ import annotations

import json
import signal
import time
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from ogust.domain.intervention import InterventionStatus
from ogust.domain.invoice import InvoiceStatus
from tests.support.platform import with_company
from tests.support.processes import ogust_env, run_ogust, start_ogust

from .conftest import Company

pytestmark = pytest.mark.integration

UTC = UTC
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def paid_count(company: Company) -> int:
    with company.container.uow() as uow:
        return uow.invoices.contract_counts(company.id, *OCTOBER).get(InvoiceStatus.PAID, 0)


def test_month_end_interrupted_then_resumed_debits_each_invoice_once(
        company: Company, settings, localstripe_server, smtp_server, tmp_path) -> None:
    good = []
    for n in range(8):
        card = localstripe_server.create_customer_with_card("4242424242424242")
        client = company.client(f"Bon{n}", card)
        company.done(client.id, datetime(2026, 10, 1 + n, 8, 0, tzinfo=UTC))
        company.done(client.id, datetime(2026, 10, 20 + n, 13, 0, tzinfo=UTC), hours=3)
        good.append(client)
    declined = company.client("Refus", localstripe_server.create_customer_with_card("4000000000000341"))
    strong = company.client("Forte", localstripe_server.create_customer_with_card("4000002760003184"))
    cash = company.client("Especes")
    for client in (declined, strong, cash):
        company.done(client.id, datetime(2026, 10, 12, 8, 0, tzinfo=UTC))
    company.done(good[0].id, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))  # November's: not this month's invoice
    company.done(good[1].id, datetime(2026, 10, 15, 8, 0, tzinfo=UTC),  # never declared done: said, not invoiced
                 status=InterventionStatus.PLANNED)
    env = ogust_env(with_company(settings, company.id))

    # a slow gateway (2 debits per second), interrupted once two invoices are paid
    first = start_ogust(["invoice", "run", "--month", "2026-10", "--concurrency", "1", "--rate", "2"], env,
                        tmp_path / "first.log")
    deadline = time.monotonic() + 90
    while paid_count(company) < 2:
        assert first.poll() is None, (tmp_path / "first.log").read_text()
        assert time.monotonic() < deadline, "no debit within 90 s"
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)
    assert first.wait(timeout=60) == 130, (tmp_path / "first.log").read_text()
    log = (tmp_path / "first.log").read_text()
    assert "interrompue" in log and "non déclarées réalisées  1 intervention(s) du mois" in log
    paid_before = paid_count(company)
    assert 2 <= paid_before < 8, log

    resumed = run_ogust(["invoice", "run", "--month", "2026-10", "--concurrency", "4", "--rate", "20", "--json"], env)
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    report = json.loads(resumed.stdout)
    assert (report["created"], report["validated"]) == (0, 0)
    assert paid_before + report["paid"] == 8
    # the report is this run's: the declined or 3-D Secure card may have come before the interruption
    assert [i["client_id"] for i in report["failed"]] in ([], [declined.id])
    assert [i["client_id"] for i in report["needs_authentication"]] in ([], [strong.id])
    assert [s["reason"] for s in report["skipped"]] == ["pas de carte enregistrée : le client paie autrement"]
    assert report["month_invoices"] == {"validated": 1, "paid": 8, "payment_failed": 1, "needs_authentication": 1}
    assert report["interrupted"] is False and report["not_declared_done"] == 1

    with company.container.uow() as uow:
        invoices = [uow.invoices.get(company.id, invoice_id) for invoice_id in
                    [i for status in InvoiceStatus
                     for i in uow.invoices.contract_ids(company.id, *OCTOBER, status)]]
        november = uow.interventions.done_not_invoiced(company.id, good[0].id, datetime(2026, 11, 1, tzinfo=UTC),
                                                       datetime(2026, 11, 30, tzinfo=UTC))
    assert len(invoices) == 11 and len(november) == 1
    assert sorted(len(i.lines) for i in invoices) == [1, 1, 1] + [2] * 8
    paid = {i.id for i in invoices if i.status is InvoiceStatus.PAID}
    status = {i.client_id: i.status for i in invoices}
    assert (status[declined.id], status[strong.id], status[cash.id]) == (
        InvoiceStatus.PAYMENT_FAILED, InvoiceStatus.NEEDS_AUTHENTICATION, InvoiceStatus.VALIDATED)

    # at the payment provider: exactly one succeeded PaymentIntent per paid invoice, none for the others
    intents = [i for i in localstripe_server.list_payment_intents() if i["metadata"].get("company") == company.id]
    succeeded = Counter(i["metadata"]["invoice"] for i in intents if i["status"] == "succeeded")
    assert set(succeeded) == paid and set(succeeded.values()) == {1}

    # and the clients heard of it once each (debit confirmed, declined, authentication needed)
    addresses = {c.email for c in (*good, declined, strong)}
    deadline = time.monotonic() + 10
    while len([m for m in smtp_server.messages if m["To"].addresses[0].addr_spec in addresses]) < 10 and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    received = Counter(m["To"].addresses[0].addr_spec for m in smtp_server.messages
                       if m["To"].addresses[0].addr_spec in addresses)
    assert received == Counter(addresses)
