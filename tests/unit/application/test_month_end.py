"""Month end on the core with fakes: one contract invoice per client for the month (Paris month
boundaries), validated, debited with bounded concurrency under a rate limit; interrupted and run
again, nobody is debited twice."""
from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.application.commands import RunMonthEnd
from ogust.application.month_end import MonthEndRun, charge_job_key, month_period
from ogust.application.outbox import Effect, JobStatus
from ogust.application.ports import ChargeOutcome
from ogust.application.rate_limit import RateLimitedGateway, TokenBucket
from ogust.application.worker import WorkerSettings
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.errors import InvalidValue
from ogust.domain.intervenant import Intervenant
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.invoice import InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit

UTC = UTC
HOME = Address("3 rue Haute", "75002", "Paris")


class Progress:
    def __init__(self, stop_after_debits: int | None = None, stop: threading.Event | None = None) -> None:
        self.phases: list[tuple[str, int]] = []
        self.advanced: dict[str, int] = {}
        self.stop_after_debits = stop_after_debits
        self.stop = stop

    def phase(self, name, total):
        self.phases.append((name, total))

    def advance(self, count=1):
        name = self.phases[-1][0]
        self.advanced[name] = self.advanced.get(name, 0) + count
        if name == "debit" and self.stop_after_debits is not None and self.advanced[name] >= self.stop_after_debits:
            self.stop.set()


@pytest.fixture
def world(uow, company):
    tarif = Tarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500), VatRate.INTERMEDIATE_10)
    marie = Intervenant(company.id, "Marie", "Curie", "M001")
    uow.tarifs.add(tarif)
    uow.intervenants.add(marie)
    return tarif, marie


def add_client(uow, company, name: str, card: str | None = "ok") -> Client:
    client = Client(company.id, name, "Client", f"{name.lower()}@example.fr", HOME)
    if card:
        client.save_payment_method(f"cus_{name}", f"pm_{card}_{name}")
    uow.clients.add(client)
    return client


def add_done(uow, company, world, client: Client, start: datetime, hours: int = 2,
             status: InterventionStatus = InterventionStatus.DONE) -> Intervention:
    tarif, marie = world
    intervention = Intervention(company.id, client.id, marie.id, tarif.id, start, start + timedelta(hours=hours), HOME,
                                status=status)
    uow.interventions.add(intervention)
    return intervention


def run(uow, gateway, company, concurrency=2, rate=None, progress=None, stop=None, **kwargs):
    month_end = MonthEndRun(uow, gateway, WorkerSettings(backoff_base_seconds=5), page_size=2, **kwargs)
    return month_end(RunMonthEnd(company.id, 2026, 10, concurrency, rate), progress, stop)


def test_month_boundaries():
    assert month_period(2026, 2) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month_period(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(InvalidValue):
        month_period(2026, 13)


def test_one_invoice_per_client_validated_and_debited(uow, company, world):
    gateway = FakePaymentGateway(any_card_usable=True)
    ok, declined, strong, cash = (add_client(uow, company, "Alice"), add_client(uow, company, "Bruno", "declined"),
                                  add_client(uow, company, "Chloe", "auth"), add_client(uow, company, "Denis", None))
    gateway.script(declined.stripe_payment_method_id, ChargeOutcome.DECLINED, "Carte refusée")
    gateway.script(strong.stripe_payment_method_id, ChargeOutcome.AUTHENTICATION_REQUIRED)
    # 1 October 00:30 in Paris is still 30 September in UTC: October's
    first_of_month = add_done(uow, company, world, ok, datetime(2026, 9, 30, 22, 30, tzinfo=UTC))
    mid = add_done(uow, company, world, ok, datetime(2026, 10, 14, 8, 0, tzinfo=UTC))
    # 1 November 00:30 in Paris (winter time) is still 31 October in UTC: November's
    november = add_done(uow, company, world, ok, datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    planned = add_done(uow, company, world, ok, datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
                       status=InterventionStatus.PLANNED)
    for client in (declined, strong, cash):
        add_done(uow, company, world, client, datetime(2026, 10, 5, 8, 0, tzinfo=UTC))
    progress = Progress()

    report = run(uow, gateway, company, progress=progress)

    assert (report.created, report.validated, report.paid) == (4, 4, 1)
    # in euros: Alice's 4 h (110,00 €) debited, Bruno's 2 h (55,00 €) declined, of 275,00 € validated
    assert (report.validated_ttc, report.debited, report.declined) == (Money(27500), Money(11000), Money(5500))
    assert [i.client_id for i in report.failed] == [declined.id]
    assert report.failed[0].reason == "Carte refusée" and report.failed[0].number.startswith("FA-2026-")
    assert [i.client_id for i in report.needs_authentication] == [strong.id]
    assert [(s.kind, s.reason) for s in report.skipped] == [
        ("invoice", "pas de carte enregistrée : le client paie autrement")]
    assert report.month_invoices == {"paid": 1, "payment_failed": 1, "needs_authentication": 1, "validated": 1}
    assert report.not_declared_done == 1  # the planned one: begun on 20 October, never declared done
    assert not report.interrupted and set(report.seconds) == {"generate", "validate", "debit"}
    assert progress.phases == [("generate", 4), ("validate", 4), ("debit", 4)]
    assert progress.advanced == {"generate": 4, "validate": 4, "debit": 4}

    invoice = uow.invoices.get(company.id, first_of_month.invoice_id)
    assert invoice.status is InvoiceStatus.PAID
    assert (invoice.period_start, invoice.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert {line.intervention_id for line in invoice.lines} == {first_of_month.id, mid.id}
    assert november.invoice_id is None and planned.invoice_id is None
    assert sorted(r.invoice_id for r in gateway.requests) == sorted(
        i.id for i in uow.invoices.list(company.id) if i.client_id != cash.id)


def test_an_invoice_below_the_card_minimum_is_reported_not_debited(uow, company, world):
    """One minute of ménage (0,46 € TTC): no debit, and the report says why, not « débit non effectué »."""
    gateway = FakePaymentGateway(any_card_usable=True)
    tiny = add_client(uow, company, "Emile")
    tarif, marie = world
    start = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
    uow.interventions.add(Intervention(company.id, tiny.id, marie.id, tarif.id, start, start + timedelta(minutes=1),
                                       HOME, status=InterventionStatus.DONE))
    report = run(uow, gateway, company)
    assert (report.created, report.validated, report.paid, gateway.requests) == (1, 1, 0, [])
    assert [(s.kind, s.reason) for s in report.skipped] == [
        ("invoice", "0,46\u00a0€ : moins que le minimum d'un débit par carte (0,50\u00a0€), le client paie autrement")]


def test_run_again_invoices_and_debits_nothing_twice(uow, company, world):
    gateway = FakePaymentGateway(any_card_usable=True)
    for n in range(3):
        add_done(uow, company, world, add_client(uow, company, f"C{n}"), datetime(2026, 10, 5 + n, 8, 0, tzinfo=UTC))
    first = run(uow, gateway, company)
    again = run(uow, gateway, company)
    assert (first.created, first.validated, first.paid) == (3, 3, 3)
    assert (again.created, again.validated, again.paid, again.skipped) == (0, 0, 0, [])
    assert again.month_invoices == {"paid": 3}
    assert len(gateway.requests) == 3 and len(gateway.debited) == 3


def test_interrupted_then_resumed_debits_each_invoice_once(uow, company, world, clock):
    gateway = FakePaymentGateway(any_card_usable=True)
    for n in range(12):
        add_done(uow, company, world, add_client(uow, company, f"C{n:02d}"),
                 datetime(2026, 10, 1 + n, 8, 0, tzinfo=UTC))
    stop = threading.Event()
    interrupted = run(uow, gateway, company, concurrency=3, progress=Progress(4, stop), stop=stop)
    assert interrupted.interrupted
    assert 4 <= interrupted.paid < 12  # the debits already handed out finish, no new one starts
    # the Stripe answer to one debit is lost: its outcome is unknown, the job goes back to the queue
    gateway.fail_unknown(1, debit_first=True)
    resumed = run(uow, gateway, company, concurrency=3)
    assert resumed.created == 0 and resumed.validated == 0
    assert [s.reason.split(" :")[0] for s in resumed.skipped] == ["débit à reprendre automatiquement"]
    assert interrupted.paid + resumed.paid == 11
    clock.advance(seconds=30)  # past the backoff: the same attempt, the same idempotency key
    last = run(uow, gateway, company, concurrency=3)
    assert last.paid == 1 and last.month_invoices == {"paid": 12}
    assert len(gateway.debited) == 12
    assert len({r.idempotency_key for r in gateway.requests}) == 12
    assert all(a.number == 1 for a in uow.payment_attempts.items.values())


def test_a_charge_job_held_by_a_worker_is_left_to_it(uow, company, world, clock):
    gateway = FakePaymentGateway(any_card_usable=True)
    client = add_client(uow, company, "Alice")
    add_done(uow, company, world, client, datetime(2026, 10, 5, 8, 0, tzinfo=UTC))

    class WorkerGetsThereFirst(Progress):
        def phase(self, name, total):
            super().phase(name, total)
            if name == "debit":  # a worker leases the charge job just before the month end gets to it
                [invoice] = uow.invoices.list(company.id)
                leased = uow.outbox.claim_keys("other-worker", clock.now(), clock.now() + timedelta(minutes=1),
                                               company.id, [charge_job_key(company.id, invoice.id)])
                assert len(leased) == 1

    report = run(uow, gateway, company, progress=WorkerGetsThereFirst())
    assert report.paid == 0 and gateway.requests == []
    assert [s.reason for s in report.skipped] == [
        "débit en cours dans un autre processus (ogust worker, ou une fin de mois arrêtée), réservé encore 60 s : "
        "relancez ensuite s'il ne se fait pas"]


def test_debits_respect_concurrency_and_rate(uow, company, world):
    class SlowGateway(FakePaymentGateway):
        def __init__(self):
            super().__init__(any_card_usable=True)
            self.lock = threading.Lock()
            self.current = self.most = 0
            self.started: list[float] = []

        def charge(self, request):
            with self.lock:
                self.current += 1
                self.most = max(self.most, self.current)
                self.started.append(time.monotonic())
            time.sleep(0.03)
            with self.lock:
                self.current -= 1
                return super().charge(request)

    gateway = SlowGateway()
    for n in range(20):
        add_done(uow, company, world, add_client(uow, company, f"C{n:02d}"),
                 datetime(2026, 10, 1 + n, 8, 0, tzinfo=UTC))
    report = run(uow, gateway, company, concurrency=3, rate=100.0)
    assert report.paid == 20
    assert gateway.most <= 3
    elapsed = gateway.started[-1] - gateway.started[0]
    assert elapsed >= 19 / 100 * 0.95  # 100 debits per second at most: 20 debits take 0.19 s or more


def test_token_bucket_spaces_requests():
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds):
        waits.append(seconds)

    bucket = TokenBucket(5, clock=lambda: now[0], sleep=sleep)
    assert [bucket.acquire() for _ in range(4)] == pytest.approx([0, 0.2, 0.4, 0.6])
    now[0] = 10.0  # idle long enough: the bucket is full again, one token at most
    assert bucket.acquire() == 0 and bucket.acquire() == pytest.approx(0.2)
    burst = TokenBucket(5, capacity=3, clock=lambda: now[0], sleep=sleep)
    assert [burst.acquire() for _ in range(4)] == pytest.approx([0, 0, 0, 0.2])
    with pytest.raises(ValueError):
        TokenBucket(0)


def test_rate_limited_gateway_takes_a_token_per_call():
    taken = []

    class Bucket:
        def acquire(self):
            taken.append(1)
            return 0.0

    gateway = RateLimitedGateway(FakePaymentGateway(any_card_usable=True), Bucket())
    assert gateway.payment_method_usable("cus_1", "pm_1")
    assert len(taken) == 1


def test_refuses_nonsense(uow, company):
    month_end = MonthEndRun(uow, FakePaymentGateway())
    with pytest.raises(InvalidValue):
        month_end(RunMonthEnd(company.id, 2026, 10, concurrency=0))
    with pytest.raises(InvalidValue):
        month_end(RunMonthEnd(company.id, 2026, 10, rate=0))
    with pytest.raises(InvalidValue):
        month_end(RunMonthEnd(company.id, 2026, 0))


def test_charge_job_key_is_the_validation_job():
    assert charge_job_key("co", "inv") == f"{Effect.CHARGE_INVOICE.value}|invoice:inv:validated"
    assert JobStatus.PENDING.value == "pending"


def test_an_intervention_declared_done_late_is_invoiced_by_the_next_run(uow, company, world):
    """The report names what a month end cannot invoice — begun, never declared done — and running it
    again once they are declared invoices them."""
    gateway = FakePaymentGateway(any_card_usable=True)
    alice = add_client(uow, company, "Alice")
    add_done(uow, company, world, alice, datetime(2026, 10, 5, 8, 0, tzinfo=UTC))
    late = add_done(uow, company, world, alice, datetime(2026, 10, 30, 8, 0, tzinfo=UTC),
                    status=InterventionStatus.PLANNED)
    first = run(uow, gateway, company)
    assert (first.created, first.paid, first.not_declared_done) == (1, 1, 1) and late.invoice_id is None

    late.mark_done(uow.clock.now())
    again = run(uow, gateway, company)
    assert (again.created, again.paid, again.not_declared_done) == (1, 1, 0)
    assert late.invoice_id is not None and len(gateway.requests) == 2


def test_a_rate_limited_run_holds_its_debits_back_from_the_workers(uow, company, world, clock):
    """Under a rate limit, the debits the run queues are its own: a worker running beside it does not
    take them as soon as the invoices are validated (it would debit at its own pace, past the limit).
    Interrupted before its debits, the run finds them again when run again; and if nobody runs it
    again, the workers take them once the hold is over."""
    from ogust.application.effects.registry import build_effects
    from ogust.application.worker import OutboxProcessor
    from tests.fakes import FakeLinks, FakeMailer, FakeShopApi

    gateway = FakePaymentGateway(any_card_usable=True)
    for n in range(3):
        add_done(uow, company, world, add_client(uow, company, f"C{n}"), datetime(2026, 10, 1 + n, 8, 0, tzinfo=UTC))
    worker = OutboxProcessor(uow, build_effects(uow, FakeShopApi(), gateway, FakeMailer(), FakeLinks()),
                             WorkerSettings(), name="worker")

    class WorkerBeside(Progress):
        def phase(self, name, total):
            super().phase(name, total)
            if name == "debit":  # validated: the worker beside the run goes through the queue, then the run stops
                worker.run_until_idle()
                stop.set()

    stop = threading.Event()
    first = run(uow, gateway, company, rate=50.0, progress=WorkerBeside(), stop=stop)
    assert first.validated == 3 and first.interrupted and gateway.requests == []
    again = run(uow, gateway, company, rate=50.0)  # run again: it claims its held debits
    assert again.paid == 3 and len(gateway.debited) == 3
    assert {j.worker.split(":")[0] for j in uow.outbox.jobs.values() if j.effect == Effect.CHARGE_INVOICE.value} \
        == {"month-end"}


def test_held_debits_go_to_the_workers_when_the_run_is_not_resumed(uow, company, world, clock):
    from ogust.application.effects.registry import build_effects
    from ogust.application.worker import OutboxProcessor
    from tests.fakes import FakeLinks, FakeMailer, FakeShopApi

    gateway = FakePaymentGateway(any_card_usable=True)
    add_done(uow, company, world, add_client(uow, company, "Alice"), datetime(2026, 10, 5, 8, 0, tzinfo=UTC))
    stop = threading.Event()

    class StopBeforeDebits(Progress):
        def phase(self, name, total):
            super().phase(name, total)
            if name == "debit":
                stop.set()

    run(uow, gateway, company, rate=50.0, progress=StopBeforeDebits(), stop=stop)
    worker = OutboxProcessor(uow, build_effects(uow, FakeShopApi(), gateway, FakeMailer(), FakeLinks()),
                             WorkerSettings(), name="worker")
    worker.run_until_idle()
    assert gateway.requests == []  # held
    clock.advance(seconds=16 * 60)
    worker.run_until_idle()
    assert len(gateway.debited) == 1
