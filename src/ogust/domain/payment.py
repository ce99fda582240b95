"""Card debits: one attempt record per try, and the payments actually received."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidTransition, InvalidValue
from ogust.domain.money import Money


class AttemptStatus(Enum):
    PENDING = "pending"
    CHARGING = "charging"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NEEDS_AUTHENTICATION = "needs_authentication"

    @property
    def label_fr(self) -> str:
        return {"pending": "à faire", "charging": "en cours", "succeeded": "réussi", "failed": "refusé",
                "needs_authentication": "attend le client (3-D Secure)"}[self.value]


_FINAL = {AttemptStatus.SUCCEEDED, AttemptStatus.FAILED}


@dataclass(eq=False)
class PaymentAttempt(Aggregate):
    """One try at debiting an invoice. (invoice, number) is unique; so is a succeeded one per invoice."""

    company_id: str
    invoice_id: str
    number: int
    amount: Money
    idempotency_key: str
    status: AttemptStatus = AttemptStatus.PENDING
    payment_intent_id: str | None = None
    failure: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: str = field(default_factory=new_id)
    version: int = 1

    @staticmethod
    def key_for(company_id: str, invoice_id: str, number: int) -> str:
        return f"ogust:{company_id}:invoice:{invoice_id}:attempt:{number}"

    @staticmethod
    def parse_key(key: str) -> tuple[str, str, int] | None:
        """(company id, invoice id, attempt number) of a key made by ``key_for``; None otherwise."""
        parts = key.split(":")
        if len(parts) != 6 or parts[0] != "ogust" or parts[2] != "invoice" or parts[4] != "attempt":
            return None
        if not parts[5].isdigit():
            return None
        return parts[1], parts[3], int(parts[5])

    @property
    def is_final(self) -> bool:
        return self.status in _FINAL

    def start_charging(self, at: datetime) -> None:
        if self.status not in (AttemptStatus.PENDING, AttemptStatus.CHARGING):
            raise InvalidTransition(f"Tentative de paiement « {self.status.value} ».", status=self.status.value)
        self.status = AttemptStatus.CHARGING
        self.updated_at = at

    def awaits_outcome_of(self, payment_intent_id: str, at: datetime) -> None:
        """The PaymentIntent exists but its outcome is not known yet (processing, or no answer):
        kept, so that its webhook finds this attempt."""
        if self.status is AttemptStatus.CHARGING and self.payment_intent_id != payment_intent_id:
            self.payment_intent_id = payment_intent_id
            self.updated_at = at

    def succeeded(self, payment_intent_id: str, at: datetime) -> None:
        self.status = AttemptStatus.SUCCEEDED
        self.payment_intent_id = payment_intent_id
        self.failure = None
        self.updated_at = at

    def failed(self, reason: str, payment_intent_id: str | None, at: datetime) -> None:
        if self.status is AttemptStatus.SUCCEEDED:
            raise InvalidTransition("Un paiement réussi ne peut pas échouer ensuite.")
        self.status = AttemptStatus.FAILED
        self.failure = reason
        self.payment_intent_id = payment_intent_id or self.payment_intent_id
        self.updated_at = at

    def needs_authentication(self, payment_intent_id: str, at: datetime) -> None:
        self.status = AttemptStatus.NEEDS_AUTHENTICATION
        self.payment_intent_id = payment_intent_id
        self.updated_at = at


# The smallest card debit in euros (Stripe's minimum charge): a smaller amount is paid another way
MINIMUM_CARD_DEBIT = Money(50)


class PaymentMethod(Enum):
    CARD = "card"
    TRANSFER = "transfer"
    CHEQUE = "cheque"
    CESU = "cesu"
    CASH = "cash"
    APA_PCH = "apa_pch"  # paid by the département (APA, PCH) for the client: not the client's own expense

    @property
    def label_fr(self) -> str:
        return {"card": "carte bancaire", "transfer": "virement", "cheque": "chèque", "cesu": "CESU",
                "cash": "espèces", "apa_pch": "APA / PCH (département)"}[self.value]

    @property
    def code(self) -> str:
        """The name an operator types and reads, in the API and the CLI alike (``value`` is the stored one)."""
        return PAYMENT_METHOD_CODES[self]

    @classmethod
    def from_code(cls, text: str) -> PaymentMethod:
        """A code (``virement``), any case, or an alias kept from before (the API's ``transfer``, ``cash``,
        ``apa_pch``, ``card``); InvalidValue otherwise."""
        found = _BY_CODE.get(text.strip().lower())
        if found is None:
            raise InvalidValue(f"Mode de règlement inconnu : {text!r} (au choix : "
                               f"{', '.join(PAYMENT_METHOD_CODES.values())}).", field="method")
        return found


PAYMENT_METHOD_CODES = {PaymentMethod.CARD: "carte", PaymentMethod.CHEQUE: "cheque",
                        PaymentMethod.TRANSFER: "virement", PaymentMethod.CESU: "cesu",
                        PaymentMethod.CASH: "especes", PaymentMethod.APA_PCH: "apa-pch"}
PAYMENT_METHOD_ALIASES = {"transfer": PaymentMethod.TRANSFER, "cash": PaymentMethod.CASH,
                          "apa_pch": PaymentMethod.APA_PCH, "card": PaymentMethod.CARD,
                          "chèque": PaymentMethod.CHEQUE, "espèces": PaymentMethod.CASH}
_BY_CODE = {**{code: method for method, code in PAYMENT_METHOD_CODES.items()}, **PAYMENT_METHOD_ALIASES}


@dataclass(eq=False)
class Payment(Aggregate):
    """Money received for an invoice — what the attestation fiscale counts."""

    company_id: str
    invoice_id: str
    client_id: str
    amount: Money
    received_at: datetime
    method: PaymentMethod = PaymentMethod.CARD
    reference: str = ""
    id: str = field(default_factory=new_id)
    version: int = 1
