"""Debit the card saved at ordering, off-session, with Stripe — at most once per idempotency key.

One ``stripe.StripeClient`` per gateway, with its own base URL, API key, timeout and retry policy:
no global ``stripe.api_key`` / ``stripe.api_base``, so two gateways (two companies, or the real
Stripe and a localstripe in tests) can live in one process.

``charge()`` first looks for a PaymentIntent already made for ``request.idempotency_key`` (stored in
its metadata) and reports its status instead of creating another; only then does it create one,
sending the same key as ``Idempotency-Key``. Real Stripe replays the first answer for a key for
about 24 h; localstripe ignores the header, so the lookup is what makes a retry after an unknown
outcome (timeout, connection error, 5xx) safe there, and it keeps working after Stripe's 24 h.

Tested against localstripe 1.15 with stripe-python 16 (API version 2026-10-28). Workarounds for
localstripe are marked "localstripe:" below; none of them changes what is sent to the real Stripe.
"""
from __future__ import annotations

import logging
from typing import Any

import stripe

from ogust.application.ports import (
    ChargeOutcome,
    ChargeRequest,
    ChargeResult,
    PaymentOutcomeUnknown,
    RefundOutcome,
    RefundRequest,
    RefundResult,
)
from ogust.domain.money import Money
from ogust.domain.payment import MINIMUM_CARD_DEBIT

logger = logging.getLogger(__name__)

MINIMUM_CENTS = MINIMUM_CARD_DEBIT.cents  # Stripe's minimum charge in euros: 0,50 €
IDEMPOTENCY_METADATA_KEY = "idempotency_key"
DEFAULT_TIMEOUT_SECONDS = 30.0

# Statuses that do not tell yet whether the money moved: ask again later (same key).
_UNSETTLED = {"processing", "requires_confirmation", "requires_capture"}

# Readable French reasons for the operator and the client's email; Stripe's own message follows.
_REASONS_FR = {
    "authentication_required": "La banque du client demande une authentification forte (3-D Secure)",
    "payment_intent_authentication_failure": "L'authentification 3-D Secure a échoué",
    "insufficient_funds": "Provision insuffisante",
    "expired_card": "Carte expirée",
    "lost_card": "Carte déclarée perdue",
    "stolen_card": "Carte déclarée volée",
    "card_velocity_exceeded": "Plafond de la carte atteint",
    "withdrawal_count_limit_exceeded": "Plafond de la carte atteint",
    "do_not_honor": "Refus de la banque du client",
    "fraudulent": "Paiement refusé par la banque (suspicion de fraude)",
    "processing_error": "Erreur de traitement chez la banque du client",
    "generic_decline": "Carte refusée",
    "card_declined": "Carte refusée",
}


class WebhookVerificationFailed(Exception):
    """The Stripe webhook cannot be trusted: missing, bad or stale signature, or unreadable body."""


class StripePaymentGateway:
    """``PaymentGateway`` on Stripe. ``api_base`` points at another server (localstripe in tests).

    ``max_network_retries`` is 0 by default: the SDK would retry a timed-out POST by itself, which
    is safe on real Stripe (same Idempotency-Key) but creates a second debit on localstripe; our
    outbox worker retries instead, and ``charge()`` looks the PaymentIntent up before creating one.
    """

    def __init__(
        self,
        api_key: str,
        api_base: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_network_retries: int = 0,
    ) -> None:
        if not api_key:
            raise ValueError("a Stripe secret key (sk_…) is required")
        self._client = stripe.StripeClient(
            api_key,
            # The SDK builds URLs as base + "/v1/…": a trailing slash would give "//v1", which
            # localstripe (aiohttp) answers with 404.
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            max_network_retries=max_network_retries,
            # The client's own HTTP client carries the timeout (connect and read), rather than
            # stripe.default_http_client, which is global.
            http_client=stripe.RequestsClient(timeout=timeout),
            # stripe_version: left to the SDK's pinned version (2026-10-28.endive). localstripe
            # ignores the Stripe-Version header and answers in its own (older) shape, which the
            # SDK parses fine for the fields we read.
        )
        # localstripe: GET /v1/payment_intents accepts no filter at all ("400 Unexpected
        # customer"); after the first such answer we list every PaymentIntent and filter here.
        self._can_filter_by_customer = True

    # ------------------------------------------------------------------ charge
    def charge(self, request: ChargeRequest) -> ChargeResult:
        if request.amount.cents < MINIMUM_CENTS:
            return ChargeResult(
                ChargeOutcome.DECLINED,
                None,
                reason=(
                    f"Montant de {request.amount} inférieur au minimum de 0,50 € accepté par "
                    "Stripe : aucun débit n'a été tenté."
                ),
            )

        try:
            existing = _unknown_on_transport_error(lambda: self._find_intent(request), "recherche du paiement")
            if existing is not None:
                logger.info("PaymentIntent %s already made for key %s", existing.id, request.idempotency_key)
                return _result_from_intent(existing)
            intent = _unknown_on_transport_error(lambda: self._create_intent(request), "création du paiement")
        except stripe.CardError as error:
            return self._result_from_card_error(error, request)
        except stripe.InvalidRequestError as error:
            if error.http_status == 404 or error.code == "resource_missing":
                # Customer or payment method gone (deleted, detached, other Stripe account):
                # nothing was debited, the client has to give a new card.
                return ChargeResult(
                    ChargeOutcome.DECLINED,
                    None,
                    reason=f"Client ou moyen de paiement introuvable chez Stripe ({_message(error)})",
                )
            raise  # a bug on our side (bad parameter, reused key with other parameters): let it show
        logger.info("PaymentIntent %s created for key %s: %s", intent.id, request.idempotency_key, intent.status)
        return _result_from_intent(intent)

    def _create_intent(self, request: ChargeRequest) -> Any:
        metadata = {
            "company": request.company_id,
            "invoice": request.invoice_id,
            "invoice_number": request.invoice_number,
            IDEMPOTENCY_METADATA_KEY: request.idempotency_key,
        }
        return self._client.v1.payment_intents.create(
            {
                "amount": request.amount.cents,
                "currency": request.amount.currency.lower(),
                "customer": request.customer_id,
                "payment_method": request.payment_method_id,
                "off_session": True,
                "confirm": True,
                # An empty metadata value means "unset" to Stripe: send only the filled ones.
                "metadata": {key: value for key, value in metadata.items() if value},
                # localstripe rejects with 400 "Unexpected …": description, setup_future_usage,
                # automatic_payment_methods, statement_descriptor… so none of them is sent.
            },
            {"idempotency_key": request.idempotency_key},
        )

    def _find_intent(self, request: ChargeRequest) -> Any | None:
        """The PaymentIntent made for this idempotency key, if any (a succeeded one first)."""
        matches = [
            intent
            for intent in self._customer_intents(request.customer_id)
            if _metadata(intent).get(IDEMPOTENCY_METADATA_KEY) == request.idempotency_key
        ]
        if not matches:
            return None
        # localstripe lists the oldest first, Stripe the newest first: sort, do not rely on order.
        matches.sort(key=lambda intent: (intent.status == "succeeded", intent.created or 0))
        return matches[-1]

    def _customer_intents(self, customer_id: str) -> list[Any]:
        # Not the Search API: it is eventually consistent (a PaymentIntent created a second ago
        # may be missing), and localstripe does not have it. Listing by customer is immediate.
        if self._can_filter_by_customer:
            try:
                page = self._client.v1.payment_intents.list({"customer": customer_id, "limit": 100})
            except stripe.InvalidRequestError as error:
                if not _is_localstripe_unexpected_filter(error):
                    raise
                self._can_filter_by_customer = False
            else:
                return list(page.auto_paging_iter())
        page = self._client.v1.payment_intents.list({"limit": 100})
        return [intent for intent in page.auto_paging_iter() if _id(intent.customer) == customer_id]

    def _result_from_card_error(self, error: stripe.CardError, request: ChargeRequest) -> ChargeResult:
        details = error.error
        code = error.code or _field(details, "code")
        decline_code = _field(details, "decline_code")
        intent_id = _id(_field(details, "payment_intent"))
        if intent_id is None:
            # localstripe: its 402 carries no payment_intent (and says type
            # "invalid_request_error" where Stripe says "card_error"), but the PaymentIntent was
            # stored before the charge failed: find it by our key to report its id.
            try:
                found = self._find_intent(request)
            except stripe.StripeError:
                found = None  # the outcome is known (no debit); the id is only a nice-to-have
            intent_id = found.id if found is not None else None
        if "authentication_required" in (code, decline_code):
            # Real Stripe answers 402 authentication_required for an off-session debit that needs
            # 3-D Secure; the client must come back on-session (never retried automatically).
            return ChargeResult(
                ChargeOutcome.AUTHENTICATION_REQUIRED, intent_id, reason=_reason(code, decline_code, _message(error))
            )
        return ChargeResult(
            ChargeOutcome.DECLINED,
            intent_id,
            reason=_reason(code, decline_code, _message(error)),
            decline_code=decline_code,
        )

    # ------------------------------------------------------------------ refund
    def refund(self, request: RefundRequest) -> RefundResult:
        """Refund part or all of a PaymentIntent, once per idempotency key, never beyond what it
        received. The refunds already made on the PaymentIntent are listed first: one made for our
        key is reported instead of making another (localstripe ignores Idempotency-Key), and the
        sum of the others bounds the amount (localstripe would refund more than was paid)."""
        if request.amount.cents <= 0:
            return RefundResult(RefundOutcome.REFUSED, None, reason="Montant de remboursement nul ou négatif")
        try:
            refunds = _unknown_on_transport_error(
                lambda: self._intent_refunds(request.payment_intent_id), "recherche des remboursements")
            mine = [r for r in refunds if _metadata(r).get(IDEMPOTENCY_METADATA_KEY) == request.idempotency_key]
            if mine:
                mine.sort(key=lambda r: (r.status in ("succeeded", "pending"), r.created or 0))
                logger.info("Refund %s already made for key %s", mine[-1].id, request.idempotency_key)
                return _result_from_refund(mine[-1])
            intent = _unknown_on_transport_error(
                lambda: self._client.v1.payment_intents.retrieve(request.payment_intent_id), "lecture du paiement")
            if intent.status != "succeeded":
                return RefundResult(RefundOutcome.REFUSED, None,
                                    reason=f"Le paiement {intent.id} n'a pas abouti (« {intent.status} ») : "
                                           "rien à rembourser")
            received = _field(intent, "amount_received") or intent.amount
            already = sum(r.amount for r in refunds if r.status in _REFUND_MADE)
            if already + request.amount.cents > received:
                return RefundResult(
                    RefundOutcome.REFUSED, None,
                    reason=(f"Remboursement de {request.amount} refusé : {Money(already)} déjà remboursés "
                            f"sur {Money(received)} payés"),
                )
            refund = _unknown_on_transport_error(lambda: self._create_refund(request), "création du remboursement")
        except stripe.InvalidRequestError as error:
            if error.http_status == 404 or error.code in _REFUND_REFUSED_CODES:
                return RefundResult(RefundOutcome.REFUSED, None,
                                    reason=f"Remboursement refusé par Stripe ({_message(error)})")
            raise
        logger.info("Refund %s created for key %s: %s", refund.id, request.idempotency_key, refund.status)
        return _result_from_refund(refund)

    def _intent_refunds(self, payment_intent_id: str) -> list[Any]:
        page = self._client.v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100})
        return list(page.auto_paging_iter())

    def _create_refund(self, request: RefundRequest) -> Any:
        metadata = {
            "company": request.company_id,
            "credit_note": request.credit_note_id,
            "credit_note_number": request.credit_note_number,
            "invoice": request.invoice_id,
            IDEMPOTENCY_METADATA_KEY: request.idempotency_key,
        }
        return self._client.v1.refunds.create(
            {
                "payment_intent": request.payment_intent_id,
                "amount": request.amount.cents,
                "metadata": {key: value for key, value in metadata.items() if value},
                # localstripe: "reason" is rejected with 400 "Unexpected reason": not sent.
            },
            {"idempotency_key": request.idempotency_key},
        )

    # ------------------------------------------------------------------ cancelling a debit
    def cancel(self, payment_intent_id: str) -> ChargeResult:
        """Cancel a PaymentIntent awaiting 3-D Secure. Stripe refuses to cancel one that succeeded,
        was cancelled already or is processing: then the PaymentIntent as it is tells the outcome."""
        what = "annulation du débit"
        try:
            intent = _unknown_on_transport_error(
                lambda: self._client.v1.payment_intents.cancel(payment_intent_id), what)
        except stripe.InvalidRequestError as error:
            logger.info("PaymentIntent %s not cancelled: %s", payment_intent_id, _message(error))
            intent = _unknown_on_transport_error(lambda: self._client.v1.payment_intents.retrieve(payment_intent_id),
                                                 what)
        logger.info("PaymentIntent %s after cancel: %s", payment_intent_id, intent.status)
        return _result_from_intent(intent)

    def client_secret(self, payment_intent_id: str) -> str | None:
        try:
            intent = _unknown_on_transport_error(
                lambda: self._client.v1.payment_intents.retrieve(payment_intent_id), "lecture du paiement")
        except stripe.InvalidRequestError as error:
            if error.http_status == 404 or error.code == "resource_missing":
                return None
            raise
        return str(intent.client_secret)

    # ------------------------------------------------------------------ payment methods
    def payment_method_usable(self, customer_id: str, payment_method_id: str) -> bool:
        if not customer_id or not payment_method_id:
            return False  # no card saved: nothing to ask Stripe
        try:
            method = self._client.v1.payment_methods.retrieve(payment_method_id)
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return False
            raise
        return _id(method.customer) == customer_id

    def detach_payment_method(self, payment_method_id: str) -> None:
        """Detach the card (GDPR erasure). Already detached or unknown: nothing to do."""
        if not payment_method_id:
            return
        try:
            _unknown_on_transport_error(lambda: self._client.v1.payment_methods.detach(payment_method_id),
                                        "détachement de la carte")
        except stripe.InvalidRequestError as error:
            if error.http_status == 404 or error.code == "resource_missing" or "not attached" in _message(error):
                logger.info("payment method %s already detached or unknown", payment_method_id)
                return
            raise
        logger.info("payment method %s detached", payment_method_id)

    def delete_customer(self, customer_id: str) -> None:
        """Delete the customer (GDPR erasure). Already deleted or unknown: nothing to do."""
        if not customer_id:
            return
        try:
            _unknown_on_transport_error(lambda: self._client.v1.customers.delete(customer_id), "suppression du client")
        except stripe.InvalidRequestError as error:
            if error.http_status == 404 or error.code == "resource_missing":
                logger.info("customer %s already deleted or unknown", customer_id)
                return
            raise
        logger.info("customer %s deleted", customer_id)


# ---------------------------------------------------------------------- webhooks
def parse_webhook(
    payload: bytes,
    signature_header: str,
    secret: str,
    tolerance: int = stripe.Webhook.DEFAULT_TOLERANCE,
) -> dict[str, Any]:
    """The verified Stripe event as a dict; raises ``WebhookVerificationFailed``.

    ``payload`` must be the raw body as received (re-serialised JSON would not match the signature).
    ``tolerance`` (seconds, default 300) bounds the signature's age: it must stay positive, since
    the SDK skips the timestamp check altogether for 0 and replays would then be accepted forever.
    """
    if tolerance <= 0:
        raise ValueError("tolerance must be positive: 0 would turn replay protection off")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookVerificationFailed(f"Signature du webhook Stripe refusée : {_message(error)}") from error
    except (ValueError, TypeError, AttributeError, RecursionError) as error:  # not UTF-8, not JSON, not an event
        raise WebhookVerificationFailed(f"Corps du webhook Stripe illisible : {str(error)[:200]}") from error
    return event.to_dict()


# ---------------------------------------------------------------------- helpers
def _unknown_on_transport_error(call: Any, what: str) -> Any:
    """Run ``call``; turn the errors after which the debit may or may not have happened into
    ``PaymentOutcomeUnknown``. Card and request errors (a definite answer) pass through."""
    try:
        return call()
    except stripe.APIConnectionError as error:  # timeout, refused, reset, TLS…
        raise PaymentOutcomeUnknown(f"{what} : pas de réponse de Stripe ({_transport_cause(error)})") from error
    except stripe.RateLimitError as error:
        raise PaymentOutcomeUnknown(f"{what} : Stripe limite les requêtes (429)") from error
    except stripe.APIError as error:  # 5xx, and 409 (same idempotency key still in progress)
        status = f"HTTP {error.http_status}" if error.http_status else "sans statut"
        raise PaymentOutcomeUnknown(f"{what} : erreur Stripe {status} ({_message(error)})") from error


def _result_from_intent(intent: Any) -> ChargeResult:
    status = intent.status
    if status == "succeeded":
        return ChargeResult(ChargeOutcome.SUCCEEDED, intent.id)
    if status == "requires_action":
        # localstripe answers 200 requires_action (not Stripe's 402) for cards …3184 / …3155.
        return ChargeResult(
            ChargeOutcome.AUTHENTICATION_REQUIRED, intent.id, reason=_REASONS_FR["authentication_required"]
        )
    if status == "requires_payment_method":
        error = _field(intent, "last_payment_error")
        code, decline_code = _field(error, "code"), _field(error, "decline_code")
        reason = _reason(code, decline_code, _field(error, "message"))
        if "authentication_required" in (code, decline_code):
            # Stripe leaves an off-session PaymentIntent that needs 3-D Secure in this state.
            return ChargeResult(ChargeOutcome.AUTHENTICATION_REQUIRED, intent.id, reason=reason)
        if error is None:
            reason = "Aucun moyen de paiement utilisable pour ce paiement"
        return ChargeResult(ChargeOutcome.DECLINED, intent.id, reason=reason, decline_code=decline_code)
    if status == "canceled":
        return ChargeResult(ChargeOutcome.DECLINED, intent.id, reason="Paiement annulé chez Stripe")
    if status in _UNSETTLED:
        raise PaymentOutcomeUnknown(f"paiement {intent.id} en statut « {status} » : issue pas encore connue",
                                    payment_intent_id=intent.id)
    raise PaymentOutcomeUnknown(f"paiement {intent.id} en statut inattendu « {status} »",
                                payment_intent_id=intent.id)


_REFUND_MADE = {"succeeded", "pending", "requires_action"}
_REFUND_REFUSED_CODES = {"charge_already_refunded", "amount_too_large", "resource_missing",
                         "charge_disputed", "refund_disputed_payment"}


def _result_from_refund(refund: Any) -> RefundResult:
    status = refund.status
    if status in _REFUND_MADE:
        # pending / requires_action: accepted, the money is on its way back
        return RefundResult(RefundOutcome.SUCCEEDED, refund.id)
    reason = _field(refund, "failure_reason") or status
    return RefundResult(RefundOutcome.REFUSED, refund.id, reason=f"Remboursement {refund.id} en échec ({reason})")


def _reason(code: str | None, decline_code: str | None, message: str | None) -> str:
    """French for the client's email: the known label alone, else Stripe's own words in brackets."""
    label = _REASONS_FR.get(decline_code or "") or _REASONS_FR.get(code or "")
    if label:
        return label
    return f"Paiement refusé ({message})" if message else "Paiement refusé"


def decline_reason(last_payment_error: Any) -> str:
    """A webhook's ``last_payment_error`` in French, as the debit's own answer says it ("" if none)."""
    if not last_payment_error:
        return ""
    return _reason(_field(last_payment_error, "code"), _field(last_payment_error, "decline_code"),
                   _field(last_payment_error, "message"))


def _message(error: stripe.StripeError) -> str:
    return error.user_message or str(error)


def _transport_cause(error: stripe.APIConnectionError) -> str:
    """In a few French words: the SDK's text is a paragraph in English (« Unexpected error communicating
    with Stripe… let us know at support@stripe.com »), shown to operators in the outbox and reports."""
    text = str(error).lower()
    if "timed out" in text or "timeout" in text:
        return "délai dépassé"
    if "refused" in text:
        return "connexion refusée"
    if "ssl" in text or "certificate" in text:
        return "erreur TLS"
    return "connexion impossible"


def _is_localstripe_unexpected_filter(error: stripe.InvalidRequestError) -> bool:
    return error.http_status == 400 and (error.user_message or "").startswith("Unexpected ")


def _field(obj: Any, name: str) -> Any:
    """``obj.name`` or None: stripe-python 16 objects are no longer dicts (no ``.get``)."""
    if obj is None:
        return None
    return obj[name] if name in obj else None


def _id(value: Any) -> str | None:
    """The id of an expandable field, whether Stripe sent the id or the object."""
    if value is None or isinstance(value, str):
        return value
    return _field(value, "id")


def _metadata(intent: Any) -> dict[str, Any]:
    metadata = _field(intent, "metadata")
    return metadata.to_dict() if metadata is not None else {}
