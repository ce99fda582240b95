from __future__ import annotations

import pytest

from ogust.adapters.payments.fake_gateway import FakePaymentGateway
from ogust.application.ports import ChargeOutcome, ChargeRequest, PaymentOutcomeUnknown
from ogust.domain.money import Money


def request(method: str = "pm_ok", attempt: int = 1, cents: int = 5_000) -> ChargeRequest:
    return ChargeRequest(
        company_id="co", invoice_id="inv-1", invoice_number="F2026-00001", amount=Money(cents),
        customer_id="cus_1", payment_method_id=method, idempotency_key=f"co:inv-1:{attempt}",
    )


def test_succeeds_by_default_and_is_idempotent_on_the_key() -> None:
    gateway = FakePaymentGateway()

    first, second = gateway.charge(request()), gateway.charge(request())

    assert first.outcome is ChargeOutcome.SUCCEEDED and first == second
    assert len(gateway.requests) == 2 and len(gateway.debited) == 1
    assert gateway.charge(request(attempt=2)).payment_intent_id != first.payment_intent_id


def test_scripted_outcomes_per_payment_method() -> None:
    gateway = FakePaymentGateway()
    gateway.outcomes["pm_refused"] = ChargeOutcome.DECLINED
    gateway.script("pm_nsf", ChargeOutcome.DECLINED, "Provision insuffisante", "insufficient_funds")

    refused = gateway.charge(request("pm_refused"))
    nsf = gateway.charge(request("pm_nsf", attempt=2))

    assert (refused.outcome, refused.reason) == (ChargeOutcome.DECLINED, "Carte refusée")
    assert (nsf.reason, nsf.decline_code) == ("Provision insuffisante", "insufficient_funds")
    assert gateway.debited == []


def test_authentication_then_success_on_the_same_key() -> None:
    gateway = FakePaymentGateway()
    gateway.outcomes["pm_3ds"] = ChargeOutcome.AUTHENTICATION_REQUIRED
    first = gateway.charge(request("pm_3ds"))

    gateway.authenticate(first.payment_intent_id)

    again = gateway.charge(request("pm_3ds"))
    assert (again.outcome, again.payment_intent_id) == (ChargeOutcome.SUCCEEDED, first.payment_intent_id)


def test_unknown_outcome_without_and_with_the_debit() -> None:
    gateway = FakePaymentGateway()
    gateway.fail_unknown(times=2)
    for _ in range(2):
        with pytest.raises(PaymentOutcomeUnknown):
            gateway.charge(request())
    assert gateway.debited == []

    gateway.fail_unknown(debit_first=True)
    with pytest.raises(PaymentOutcomeUnknown):
        gateway.charge(request())
    assert len(gateway.debited) == 1  # Stripe debited, we never heard

    retried = gateway.charge(request())
    assert retried.outcome is ChargeOutcome.SUCCEEDED and len(gateway.debited) == 1


def test_under_fifty_cents_is_declined() -> None:
    gateway = FakePaymentGateway()

    result = gateway.charge(request(cents=49))

    assert result.outcome is ChargeOutcome.DECLINED and result.payment_intent_id is None
    assert gateway.charges == {}


def test_payment_method_usable() -> None:
    gateway = FakePaymentGateway(cards={"pm_1": "cus_1"})

    assert gateway.payment_method_usable("cus_1", "pm_1")
    assert not gateway.payment_method_usable("cus_2", "pm_1")
    assert not gateway.payment_method_usable("cus_1", "pm_unknown")

    lenient = FakePaymentGateway(any_card_usable=True)
    assert lenient.payment_method_usable("cus_9", "pm_anything")
    lenient.remove_card("pm_anything")
    assert not lenient.payment_method_usable("cus_9", "pm_anything")
