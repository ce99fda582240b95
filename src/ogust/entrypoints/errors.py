"""The one place where errors become HTTP statuses (and CLI exit codes)."""
from __future__ import annotations

from ogust.application.ports import PaymentOutcomeUnknown, ShopKeyRefused, ShopRejected, ShopUnavailable
from ogust.domain import errors as e

STATUS_BY_CODE: dict[str, int] = {
    e.NotFound.code: 404,
    e.AlreadyExists.code: 409,
    e.InvalidValue.code: 422,
    e.InvalidTransition.code: 409,
    e.ShopNotLinked.code: 409,
    e.TarifMismatch.code: 422,
    e.ServiceNotMapped.code: 422,
    e.ServiceNotOffered.code: 422,
    e.SlotInPast.code: 422,
    e.SlotUnavailable.code: 409,
    e.InterventionNotStarted.code: 409,
    e.YearNotOver.code: 409,
    e.PriceMismatch.code: 422,
    e.InvoiceAlreadyValidated.code: 409,
    e.NothingToInvoice.code: 422,
    e.NothingToAttest.code: 422,
    e.NoPaymentMethod.code: 422,
    e.ConcurrencyConflict.code: 409,
    e.CreditExceedsInvoice.code: 409,
    e.RefundExceedsPayment.code: 409,
}

TITLES: dict[int, str] = {400: "Requête invalide", 401: "Non authentifié", 403: "Interdit", 404: "Introuvable",
                          405: "Méthode non permise", 409: "Conflit", 413: "Requête trop grande",
                          415: "Format non pris en charge",
                          422: "Données refusées",
                          502: "Refus de la boutique", 503: "Service indisponible"}


def describe(error: Exception) -> tuple[int, str, str, dict]:
    """(HTTP status, code, French message, details) for a known error; raises it back otherwise."""
    if isinstance(error, e.DomainError):
        return STATUS_BY_CODE.get(error.code, 422), error.code, error.message, error.details
    if isinstance(error, ShopUnavailable):
        return 503, "shop_unavailable", f"Boutique injoignable : {error}", {}
    if isinstance(error, ShopKeyRefused):  # the operator's key (linking, or OGUST_SHOP_API_KEY): theirs to fix
        return 422, "shop_key_refused", ("La boutique refuse la clé d'API : vérifiez la clé du compte boutique "
                                         f"(api_key) ou OGUST_SHOP_API_KEY. Réponse de la boutique : {error}"), {}
    if isinstance(error, ShopRejected):
        return 502, "shop_rejected", f"La boutique a refusé : {error}", {}
    if isinstance(error, PaymentOutcomeUnknown):  # asked of Stripe by an operator (cancelling a debit)
        return 503, "payment_provider_unavailable", f"Prestataire de paiement sans réponse : {error}", {}
    raise error


def exit_code(status: int) -> int:
    """CLI exit code: 1 refused, 2 bad usage (Click's own), 3 not found, 4 conflict, 5 an outside service failed."""
    if status == 404:
        return 3
    if status == 409:
        return 4
    if status >= 500:
        return 5
    return 1
