"""Four ``ogust worker`` processes on one database (PostgreSQL: SKIP LOCKED batches; SQLite file:
BEGIN IMMEDIATE) share a few hundred jobs — shop publications, card debits, emails — and every
effect happens exactly once, counted where it lands: PaymentIntents at localstripe, messages by
Message-ID at the SMTP server, documents in the shop."""
from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from ogust.application import commands as c
from ogust.application.effects.mail import message_id_for
from ogust.application.outbox import Effect, JobStatus
from ogust.domain.invoice import InvoiceStatus
from ogust.entrypoints.container import build_container
from tests.support.databases import BACKENDS
from tests.support.localstripe import LocalStripe, start_localstripe
from tests.support.platform import settings_for
from tests.support.processes import ogust_env, start_ogust
from tests.support.smtp_server import SmtpTestServer

from .conftest import set_up_company

pytestmark = pytest.mark.integration

UTC = UTC
WITH_CARD = 30  # five jobs each: publish, debit, invoice email (left to the debit's), then email and publish once paid
WITHOUT_CARD = 90  # three jobs each: publish, a debit that finds no card (the client pays otherwise), invoice email
JOBS = 5 * WITH_CARD + 3 * WITHOUT_CARD
WORKERS = 4


@pytest.fixture(scope="module")
def own_stripe() -> Iterator[LocalStripe]:
    """A localstripe of this module's own: ogust's gateway lists every PaymentIntent of localstripe
    before each debit (localstripe cannot filter them by customer), so a busy one slows the race."""
    server = start_localstripe()
    yield server
    server.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_four_worker_processes_perform_each_effect_once(backend, migrated_database, account, shop_server,
                                                        own_stripe, tmp_path) -> None:
    url = migrated_database(backend)  # a database of its own: the workers take every due job they see
    with SmtpTestServer() as smtp:
        own = replace(settings_for(url, tmp_path / "var", own_stripe, smtp, shop_server),
                      shop_api_key=account.api_key)
        container = build_container(own)
        # the workers start first (a few seconds of imports each) and take the jobs as they come
        workers = [start_ogust(["worker"], ogust_env(own), tmp_path / f"worker-{n}.log") for n in range(WORKERS)]
        try:
            company = set_up_company(container, account.id)
            debited, not_debited = [], []
            for n in range(WITH_CARD + WITHOUT_CARD):
                card = own_stripe.create_customer_with_card("4242424242424242") if n < WITH_CARD else None
                client = company.client(f"C{n:03d}", card)
                company.done(client.id, datetime(2026, 10, 1 + n % 28, 8, 0, tzinfo=UTC))
                invoice = container.contract_invoice()(c.ContractInvoice(company.id, client.id, date(2026, 10, 1),
                                                                         date(2026, 10, 31)))
                container.validate_invoice()(c.ValidateInvoice(company.id, invoice.id))
                (debited if card else not_debited).append(invoice.id)
            deadline = time.monotonic() + 180
            while True:
                with container.uow() as uow:
                    counts = uow.outbox.counts()
                if counts["done"] == JOBS:
                    break
                for n, worker in enumerate(workers):
                    assert worker.poll() is None, (tmp_path / f"worker-{n}.log").read_text()
                assert time.monotonic() < deadline, counts
                time.sleep(0.2)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=30)
        try:
            with container.uow() as uow:
                jobs = uow.outbox.list(company.id, limit=10_000)
                status = {i: uow.invoices.get(company.id, i).status for i in debited + not_debited}
                attempts = [a for i in debited + not_debited for a in uow.payment_attempts.for_invoice(company.id, i)]

            # the jobs were shared out, and each was done once
            assert len({j.worker.split(":")[1] for j in jobs}) >= 2, Counter(j.worker for j in jobs)
            assert Counter(j.effect for j in jobs) == {
                Effect.PUBLISH_INVOICE.value: 2 * WITH_CARD + WITHOUT_CARD,
                Effect.CHARGE_INVOICE.value: WITH_CARD + WITHOUT_CARD, Effect.MAIL_DEBIT_CONFIRMED.value: WITH_CARD,
                Effect.MAIL_INVOICE_AVAILABLE.value: WITH_CARD + WITHOUT_CARD}
            assert {j.status for j in jobs} == {JobStatus.DONE}
            assert Counter(status.values()) == {InvoiceStatus.PAID: WITH_CARD, InvoiceStatus.VALIDATED: WITHOUT_CARD}
            assert sorted(a.invoice_id for a in attempts) == sorted(debited)

            # localstripe: one succeeded PaymentIntent per invoice with a card, and no other
            intents = [i for i in own_stripe.list_payment_intents()
                       if i["metadata"].get("company") == company.id]
            assert Counter(i["metadata"]["invoice"] for i in intents) == Counter(debited)
            assert {i["status"] for i in intents} == {"succeeded"}

            # the SMTP server: one message per Message-ID, the ones the mail jobs stand for
            expected = {f"<{message_id_for(j)}>" for j in jobs if j.effect == Effect.MAIL_DEBIT_CONFIRMED.value
                        or (j.effect == Effect.MAIL_INVOICE_AVAILABLE.value and j.payload["invoice_id"] in not_debited)}
            received = Counter(m["Message-ID"] for m in smtp.wait_for(WITH_CARD + WITHOUT_CARD, timeout=10))
            assert set(received) == expected and set(received.values()) == {1}

            # the shop: every invoice in its client's account, as it stands
            documents = {doc["id"]: doc["status"]
                         for docs in shop_server.admin.account(account.id)["documents"].values()
                         for doc in docs}
            assert documents == {i: s.value for i, s in status.items()}
        finally:
            container.engine().dispose()
