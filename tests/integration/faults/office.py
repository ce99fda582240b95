"""What the fault tests share: an ``Office`` (one company of ogust wired to the real servers,
with proxies to break Stripe and the shop), a clock that can be moved on, ``ogust worker``
processes, and polling with a deadline instead of sleeping."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ogust.application import commands as c
from ogust.application.effects.mail import message_id_for
from ogust.application.outbox import Effect, JobStatus, OutboxJob
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.invoice import Invoice, InvoiceStatus
from ogust.domain.payment import PaymentAttempt
from ogust.entrypoints.container import Container
from ogust.entrypoints.settings import Settings
from tests.integration.faults.proxy import FaultProxy
from tests.support.invoicing import served
from tests.support.localstripe import CARD_SUCCEEDS, LocalStripe
from tests.support.planning import ShiftedClock
from tests.support.shop_server import RunningShop
from tests.support.smtp_server import SmtpTestServer

ADDRESS = Address("12 rue des Lilas", "69003", "Lyon")


# ---------------------------------------------------------------------- waiting without sleeping blindly
def eventually(check: Callable[[], Any], timeout: float = 15.0, every: float = 0.02, what: str = "") -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what or check}")
        time.sleep(every)


# ---------------------------------------------------------------------- worker processes
@dataclass
class WorkerProcess:
    """``ogust worker`` in a process of its own."""

    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_started(self, timeout: float = 30.0) -> None:
        def started() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log[-3000:]}")
            return "démarré" in self.log

        eventually(started, timeout, 0.05, "the worker process to start")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last word — a crash or an OOM kill."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM: the worker finishes its round and exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def _ogust_command() -> list[str]:
    script = Path(sys.executable).with_name("ogust")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ogust.entrypoints.cli import main; main()"]


# ---------------------------------------------------------------------- the office: one company, wired for faults
@dataclass
class Office:
    container: Container
    settings: Settings
    company_id: str
    shop_account: str
    clock: ShiftedClock
    localstripe: LocalStripe
    smtp: SmtpTestServer
    shop: RunningShop
    stripe_proxy: FaultProxy
    shop_proxy: FaultProxy
    tmp_path: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    # ------------------------------------------------------------ arranging
    def new_client(self, card: str | None = CARD_SUCCEEDS, first_name: str = "Jeanne") -> Client:
        """A client of the company, with a card saved at ordering (a real customer and card on
        localstripe) unless ``card`` is None. Each has an address of its own, to count its emails."""
        email = f"{first_name.lower()}.{uuid.uuid4().hex[:10]}@example.fr"
        client = self.container.create_client()(c.CreateClient(self.company_id, first_name, "Martin", email, ADDRESS))
        if card is not None:
            customer, method = self.localstripe.create_customer_with_card(card, email)
            with self.container.uow() as uow:
                stored = uow.clients.get(self.company_id, client.id)
                stored.save_payment_method(customer, method)
                uow.commit()
        return self.container.queries().client(self.company_id, client.id)

    def validated_invoice(self, client: Client, minutes: int = 120) -> Invoice:
        """2 h of ménage at 25 € HT + 10 % VAT = 55,00 € TTC, validated (numbered): the outbox now
        holds its publication and its debit."""
        draft = self.container.manual_invoice()(c.ManualInvoice(
            self.company_id, client.id, served(self.container, self.company_id, minutes)))
        return self.container.validate_invoice()(c.ValidateInvoice(self.company_id, draft.id))

    # ------------------------------------------------------------ working
    def work(self, until: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
        """Run an in-process worker (this container's) round after round until ``until()``."""
        processor = self.container.processor()

        def done() -> Any:
            processor.run_once()
            return until()

        return eventually(done, timeout, 0.02, what)

    def drain(self) -> int:
        return self.container.processor().run_until_idle()

    def advance_past_backoff(self) -> None:
        """Move the clock just past the latest ``available_at`` of the company's pending jobs."""
        pending = [j.available_at for j in self.jobs() if j.status is JobStatus.PENDING]
        if pending:
            delta = max(pending) - self.clock.now()
            if delta > timedelta(0):
                self.clock.advance(seconds=delta.total_seconds() + 1)

    def start_worker(self, stripe_base: str | None = None, lease_seconds: float = 60) -> WorkerProcess:
        """``ogust worker`` as a process of its own, on the same database and servers."""
        index = len(self.workers) + 1
        log_path = self.tmp_path / f"worker-{index}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("OGUST_")}
        s = self.settings
        env.update({
            "PYTHONUNBUFFERED": "1",
            "OGUST_VAR_DIR": str(self.tmp_path / f"var-worker-{index}"),
            "OGUST_DATABASE_URL": s.database_url,
            "OGUST_BASE_URL": s.base_url,
            "OGUST_SECRET_KEY": s.secret_key,
            "OGUST_SHOP_URL": s.shop_url or "",
            "OGUST_SHOP_API_KEY": s.shop_api_key,
            "OGUST_STRIPE_API_KEY": s.stripe_api_key,
            "OGUST_STRIPE_API_BASE": stripe_base or s.stripe_api_base or "",
            "OGUST_STRIPE_WEBHOOK_SECRET": s.stripe_webhook_secret or "",
            "OGUST_SMTP_HOST": s.smtp_host or "",
            "OGUST_SMTP_PORT": str(s.smtp_port),
            "OGUST_MAIL_SENDER": s.mail_sender,
            "OGUST_WORKER_LEASE_SECONDS": str(lease_seconds),
        })
        with open(log_path, "wb") as log:
            process = subprocess.Popen([*_ogust_command(), "worker"], env=env, stdin=subprocess.DEVNULL,
                                       stdout=log, stderr=subprocess.STDOUT)
        worker = WorkerProcess(process, log_path)
        self.workers.append(worker)
        return worker

    # ------------------------------------------------------------ reading
    def jobs(self, effect: Effect | None = None) -> list[OutboxJob]:
        jobs = self.container.queries().outbox(self.company_id, None, 1000)
        return [j for j in jobs if effect is None or j.effect == effect.value]

    def jobs_of(self, invoice: Invoice, effect: Effect) -> list[OutboxJob]:
        return [j for j in self.jobs(effect) if j.payload.get("invoice_id") == invoice.id]

    def job_of(self, invoice: Invoice, effect: Effect) -> OutboxJob:
        found = self.jobs_of(invoice, effect)
        assert len(found) == 1, f"{len(found)} {effect.value} jobs for {invoice.number}: {found}"
        return found[0]

    def all_done(self) -> bool:
        jobs = self.jobs()
        return bool(jobs) and all(j.status is JobStatus.DONE for j in jobs)

    def invoice(self, invoice: Invoice) -> Invoice:
        return self.container.queries().invoice(self.company_id, invoice.id).invoice

    def attempts(self, invoice: Invoice) -> list[PaymentAttempt]:
        return self.container.queries().invoice(self.company_id, invoice.id).attempts

    def status(self, invoice: Invoice) -> InvoiceStatus:
        return self.invoice(invoice).status

    def emails_to(self, client: Client) -> list[EmailMessage]:
        return [r.message for r in self.smtp.received if client.email in r.rcpt_tos]

    def email_log(self) -> list[dict[str, object]]:
        return self.container.queries().emails(self.company_id)

    def intents(self, invoice: Invoice) -> list[dict[str, Any]]:
        """The PaymentIntents localstripe holds for this invoice (by the metadata ogust sends)."""
        return [i for i in self.localstripe.list_payment_intents()
                if (i.get("metadata") or {}).get("invoice") == invoice.id]

    # ------------------------------------------------------------ asserting
    def assert_debited_once(self, invoice: Invoice) -> dict[str, Any]:
        """Exactly one succeeded PaymentIntent for the invoice at Stripe, and it is the one the
        paid invoice and its single payment refer to."""
        succeeded = [i for i in self.intents(invoice) if i["status"] == "succeeded"]
        assert len(succeeded) == 1, f"{len(succeeded)} succeeded PaymentIntents for {invoice.number}: {succeeded}"
        intent = succeeded[0]
        stored = self.invoice(invoice)
        assert stored.status is InvoiceStatus.PAID
        assert stored.payment_reference == intent["id"]
        assert intent["amount"] == stored.total_ttc.cents
        with self.container.uow() as uow:
            paid = [p for p in uow.payments.for_client(self.company_id, stored.client_id) if p.invoice_id == invoice.id]
        assert [(p.amount, p.reference) for p in paid] == [(stored.total_ttc, intent["id"])]
        return intent

    def assert_every_paid_invoice_debited_once(self) -> None:
        for invoice in self.container.queries().invoices(self.company_id):
            if invoice.status is InvoiceStatus.PAID:
                self.assert_debited_once(invoice)
            else:
                assert not [i for i in self.intents(invoice) if i["status"] == "succeeded"], invoice.number

    def emails_by_message_id(self, client: Client) -> Counter[str]:
        return Counter(str(m["Message-ID"]).strip("<>") for m in self.emails_to(client))

    def message_id(self, job: OutboxJob) -> str:
        return message_id_for(job)
