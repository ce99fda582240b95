"""Typed domain errors. Each has a stable ``code``; entrypoints map codes to statuses in one place."""
from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} introuvable : {key}", what=what, key=str(key))


class AlreadyExists(DomainError):
    code = "already_exists"


class ClientAlreadyExists(AlreadyExists):
    """Another client of the company has this e-mail address (or this shop client id): one client
    each. ``client_id`` in the details names it when known."""


class InvalidValue(DomainError):
    code = "invalid_value"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ShopNotLinked(DomainError):
    code = "shop_not_linked"

    def __init__(self) -> None:
        super().__init__("Le compte boutique n'est pas encore lié à cette entreprise.")


class TarifMismatch(DomainError):
    code = "tarif_mismatch"

    def __init__(self, shop_service_id: str, tarif_code: str, differences: list[str]) -> None:
        super().__init__(
            f"Le service boutique {shop_service_id} ne correspond pas au tarif {tarif_code} : "
            + " ; ".join(differences),
            shop_service_id=shop_service_id,
            tarif_code=tarif_code,
            differences=differences,
        )
        self.differences = differences


class ServiceNotMapped(DomainError):
    code = "service_not_mapped"

    def __init__(self, shop_service_id: str) -> None:
        super().__init__(
            f"Le service boutique {shop_service_id} n'est associé à aucun tarif.",
            shop_service_id=shop_service_id,
        )


class ServiceNotOffered(DomainError):
    code = "service_not_offered"

    def __init__(self, intervenant: str, shop_service_id: str) -> None:
        super().__init__(
            f"L'intervenant {intervenant} ne propose pas le service {shop_service_id}.",
            intervenant=intervenant,
            shop_service_id=shop_service_id,
        )


class SlotInPast(DomainError):
    code = "slot_in_past"


class SlotUnavailable(DomainError):
    code = "slot_unavailable"


class InterventionNotStarted(DomainError):
    """Declared done before it began: it would be invoiced, and attested, before it took place."""
    code = "intervention_not_started"


class YearNotOver(DomainError):
    """An attestation fiscale validated before its year is over: frozen, it would leave out what the
    client pays until 31 December, and they would declare too little."""
    code = "year_not_over"


class PriceMismatch(DomainError):
    code = "price_mismatch"


class InvoiceAlreadyValidated(DomainError):
    code = "invoice_already_validated"

    def __init__(self, number: str) -> None:
        super().__init__(f"La facture {number} est déjà validée et ne peut plus changer.", number=number)


class NothingToInvoice(DomainError):
    code = "nothing_to_invoice"


class NothingToAttest(DomainError):
    code = "nothing_to_attest"


class NoPaymentMethod(DomainError):
    code = "no_payment_method"


class CreditExceedsInvoice(DomainError):
    """The credit notes of an invoice would add up to more than the invoice."""

    code = "credit_exceeds_invoice"


class RefundExceedsPayment(DomainError):
    """The refunds of an invoice would add up to more than what the client paid."""

    code = "refund_exceeds_payment"


class ConcurrencyConflict(DomainError):
    code = "conflict"
