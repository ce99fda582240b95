"""An in-memory ``PaymentGateway`` for unit tests, behaving like ``StripePaymentGateway``.

- Outcomes are scripted per payment method id (``outcomes[pm] = ChargeOutcome.DECLINED`` or
  ``script(pm, …)`` with a reason and decline code); anything else succeeds.
- Idempotent: one "PaymentIntent" per idempotency key, kept in ``charges``; charging the same key
  again returns its current result (as the real gateway's look-up does).
- ``fail_unknown(times, debit_first=…)`` makes the next calls raise ``PaymentOutcomeUnknown``,
  optionally after the debit happened (Stripe answered after our timeout).
- ``requests`` records every call, ``debited`` the requests whose money moved.
- Amounts under 0,50 € are declined without a "PaymentIntent", like the real gateway.
- Refunds: one per idempotency key (kept in ``refunds``), never beyond what the PaymentIntent
  debited; ``fail_refund_unknown(times, refund_first=…)`` makes the next refunds' outcome unknown.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ogust.application.ports import (
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    PaymentOutcomeUnknown,
    RefundOutcome,
    RefundRequest,
    RefundResult,
)

MINIMUM_CENTS = 50


@dataclass(frozen=True)
class _Script:
    outcome: ChargeOutcome
    reason: str
    decline_code: str | None


class FakePaymentGateway:
    def __init__(self, cards: Mapping[str, str] | None = None, any_card_usable: bool = False) -> None:
        """``cards`` maps payment method id -> customer id (what ``payment_method_usable`` checks).
        With ``any_card_usable``, every ``pm_…`` id not in ``cards`` counts as usable too."""
        self.cards: dict[str, str] = dict(cards or {})
        self.any_card_usable = any_card_usable
        self.outcomes: dict[str, ChargeOutcome | _Script] = {}
        self.charges: dict[str, ChargeResult] = {}  # by idempotency key: one "PaymentIntent" each
        self.requests: list[ChargeRequest] = []  # every call, retries included
        self._requests_by_key: dict[str, ChargeRequest] = {}
        self._unknown: list[bool] = []  # pending PaymentOutcomeUnknown failures: debit first?
        self._removed: set[str] = set()
        self.refunds: dict[str, RefundResult] = {}  # by idempotency key: one "Refund" each
        self.refund_requests: list[RefundRequest] = []  # every call, retries included
        self.refunded_cents: dict[str, int] = {}  # by PaymentIntent id
        self._refund_unknown: list[bool] = []
        self.detached: list[str] = []  # every payment method detached, once each
        self.deleted_customers: list[str] = []  # every customer deleted, once each
        self.detach_unknown = 0  # the next detaches raise PaymentOutcomeUnknown (Stripe down)

    # -------------------------------------------------------------- scripting
    def script(
        self, payment_method_id: str, outcome: ChargeOutcome, reason: str = "", decline_code: str | None = None
    ) -> None:
        self.outcomes[payment_method_id] = _Script(outcome, reason, decline_code)

    def fail_unknown(self, times: int = 1, debit_first: bool = False) -> None:
        """The next ``times`` calls raise PaymentOutcomeUnknown; with ``debit_first`` the charge is
        made (and kept under its key) before raising, as when Stripe answers after our timeout."""
        self._unknown.extend([debit_first] * times)

    def fail_refund_unknown(self, times: int = 1, refund_first: bool = False) -> None:
        """The next ``times`` refunds raise PaymentOutcomeUnknown, after refunding with ``refund_first``."""
        self._refund_unknown.extend([refund_first] * times)

    def add_card(self, customer_id: str, payment_method_id: str) -> None:
        self.cards[payment_method_id] = customer_id

    def remove_card(self, payment_method_id: str) -> None:
        """Detached: no longer usable, even with ``any_card_usable``."""
        self.cards.pop(payment_method_id, None)
        self._removed.add(payment_method_id)

    def authenticate(self, payment_intent_id: str) -> None:
        """The client completed 3-D Secure on-session: that PaymentIntent succeeds."""
        for key, result in self.charges.items():
            if result.payment_intent_id == payment_intent_id:
                if result.outcome is not ChargeOutcome.AUTHENTICATION_REQUIRED:
                    raise ValueError(f"{payment_intent_id} does not need authentication")
                self.charges[key] = ChargeResult(ChargeOutcome.SUCCEEDED, payment_intent_id)
                return
        raise KeyError(payment_intent_id)

    # -------------------------------------------------------------- reading
    @property
    def debited(self) -> list[ChargeRequest]:
        """One request per key whose money moved."""
        return [
            self._requests_by_key[key]
            for key, result in self.charges.items()
            if result.outcome is ChargeOutcome.SUCCEEDED
        ]

    # -------------------------------------------------------------- PaymentGateway
    def charge(self, request: ChargeRequest) -> ChargeResult:
        self.requests.append(request)
        if request.amount.cents < MINIMUM_CENTS:
            return ChargeResult(
                ChargeOutcome.DECLINED, None,
                reason=f"Montant de {request.amount} inférieur au minimum de 0,50 € accepté par Stripe",
            )
        if self._unknown:
            debit_first = self._unknown.pop(0)
            if debit_first:
                self._result_for(request)
            raise PaymentOutcomeUnknown("fake: no answer from the payment provider")
        return self._result_for(request)

    def refund(self, request: RefundRequest) -> RefundResult:
        self.refund_requests.append(request)
        if self._refund_unknown:
            refund_first = self._refund_unknown.pop(0)
            if refund_first:
                self._refund_for(request)
            raise PaymentOutcomeUnknown("fake: no answer from the payment provider")
        return self._refund_for(request)

    def cancel(self, payment_intent_id: str) -> ChargeResult:
        if self._unknown:
            self._unknown.pop(0)
            raise PaymentOutcomeUnknown("fake: no answer from the payment provider")
        for key, result in self.charges.items():
            if result.payment_intent_id == payment_intent_id:
                if result.outcome is ChargeOutcome.AUTHENTICATION_REQUIRED:
                    result = self.charges[key] = ChargeResult(ChargeOutcome.DECLINED, payment_intent_id,
                                                              reason="Paiement annulé")
                return result
        raise KeyError(payment_intent_id)

    def client_secret(self, payment_intent_id: str) -> str | None:
        if not any(r.payment_intent_id == payment_intent_id for r in self.charges.values()):
            return None
        return f"{payment_intent_id}_secret_fake"

    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        if payment_method_id in self.cards:
            return self.cards[payment_method_id] == customer_id
        if payment_method_id in self._removed:
            return False
        return self.any_card_usable and payment_method_id.startswith("pm_")

    def detach_payment_method(self, payment_method_id: str) -> None:
        if self.detach_unknown:
            self.detach_unknown -= 1
            raise PaymentOutcomeUnknown("fake: no answer from the payment provider")
        if payment_method_id not in self.detached:
            self.detached.append(payment_method_id)
        self.remove_card(payment_method_id)

    def delete_customer(self, customer_id: str) -> None:
        if self.detach_unknown:
            self.detach_unknown -= 1
            raise PaymentOutcomeUnknown("fake: no answer from the payment provider")
        if customer_id not in self.deleted_customers:
            self.deleted_customers.append(customer_id)
        for payment_method_id, owner in list(self.cards.items()):
            if owner == customer_id:
                self.remove_card(payment_method_id)

    # -------------------------------------------------------------- internals
    def _result_for(self, request: ChargeRequest) -> ChargeResult:
        existing = self.charges.get(request.idempotency_key)
        if existing is not None:
            return existing
        scripted = self.outcomes.get(request.payment_method_id, ChargeOutcome.SUCCEEDED)
        if isinstance(scripted, ChargeOutcome):
            scripted = _Script(scripted, _DEFAULT_REASONS[scripted], None)
        result = ChargeResult(
            scripted.outcome,
            f"pi_fake_{len(self.charges) + 1}",
            reason=scripted.reason,
            decline_code=scripted.decline_code,
        )
        self.charges[request.idempotency_key] = result
        self._requests_by_key[request.idempotency_key] = request
        return result


    def _refund_for(self, request: RefundRequest) -> RefundResult:
        existing = self.refunds.get(request.idempotency_key)
        if existing is not None:
            return existing
        debited = next((self._requests_by_key[key].amount.cents for key, result in self.charges.items()
                        if result.payment_intent_id == request.payment_intent_id
                        and result.outcome is ChargeOutcome.SUCCEEDED), None)
        if debited is None:
            return RefundResult(RefundOutcome.REFUSED, None, reason=f"Paiement {request.payment_intent_id} introuvable")
        already = self.refunded_cents.get(request.payment_intent_id, 0)
        if request.amount.cents <= 0 or already + request.amount.cents > debited:
            return RefundResult(RefundOutcome.REFUSED, None, reason="Remboursement supérieur au montant payé")
        self.refunded_cents[request.payment_intent_id] = already + request.amount.cents
        result = RefundResult(RefundOutcome.SUCCEEDED, f"re_fake_{len(self.refunds) + 1}")
        self.refunds[request.idempotency_key] = result
        return result


_DEFAULT_REASONS = {
    ChargeOutcome.SUCCEEDED: "",
    ChargeOutcome.DECLINED: "Carte refusée",
    ChargeOutcome.AUTHENTICATION_REQUIRED: "La banque du client demande une authentification forte (3-D Secure)",
}
