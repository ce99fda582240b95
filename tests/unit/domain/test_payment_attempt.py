"""Payment attempts: a deterministic idempotency key; a success is final."""
from __future__ import annotations

import pytest

from ogust.domain.errors import InvalidTransition
from ogust.domain.money import Money
from ogust.domain.payment import AttemptStatus, PaymentAttempt
from tests.unit.domain.builders import at


def attempt(number=1):
    return PaymentAttempt(company_id="co", invoice_id="inv", number=number, amount=Money(5500),
                          idempotency_key=PaymentAttempt.key_for("co", "inv", number))


def test_key_is_deterministic_per_invoice_and_number():
    assert attempt(1).idempotency_key == attempt(1).idempotency_key == "ogust:co:invoice:inv:attempt:1"
    assert attempt(2).idempotency_key != attempt(1).idempotency_key


def test_charging_can_resume_but_not_after_an_outcome():
    a = attempt()
    a.start_charging(at(2026, 11, 2))
    a.start_charging(at(2026, 11, 2, 10))  # resumed after an unknown outcome
    assert a.status is AttemptStatus.CHARGING and not a.is_final
    a.failed("carte refusée", "pi_1", at(2026, 11, 2, 10))
    assert a.is_final and a.failure == "carte refusée"
    with pytest.raises(InvalidTransition):
        a.start_charging(at(2026, 11, 3))


def test_success_is_final():
    a = attempt()
    a.start_charging(at(2026, 11, 2))
    a.succeeded("pi_1", at(2026, 11, 2))
    with pytest.raises(InvalidTransition):
        a.failed("late decline", None, at(2026, 11, 3))
    assert (a.status, a.payment_intent_id, a.failure) == (AttemptStatus.SUCCEEDED, "pi_1", None)


def test_needs_authentication_keeps_the_payment_intent():
    a = attempt()
    a.needs_authentication("pi_9", at(2026, 11, 2))
    a.failed("abandonné", None, at(2026, 11, 5))
    assert a.payment_intent_id == "pi_9" and a.status is AttemptStatus.FAILED
