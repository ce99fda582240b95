"""An invoice: draft → validated (numbered, frozen) → paid / payment failed / needs authentication."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity, ShowsClient
from ogust.domain.errors import CreditExceedsInvoice, InvalidTransition, InvalidValue, InvoiceAlreadyValidated
from ogust.domain.events import (
    InvoiceDebitCancelled,
    InvoicePaid,
    InvoicePaymentFailed,
    InvoicePaymentNeedsAuthentication,
    InvoicePaymentRecorded,
    InvoicePaymentRetryRequested,
    InvoiceSettledByCredit,
    InvoiceValidated,
)
from ogust.domain.lines import InvoiceLine, Totals
from ogust.domain.money import Money, total
from ogust.domain.payment import MINIMUM_CARD_DEBIT, AttemptStatus, Payment, PaymentAttempt, PaymentMethod
from ogust.domain.validation import check_text, check_year


class InvoiceSource(Enum):
    DEVIS = "devis"
    MANUAL = "manual"
    CONTRACT = "contract"
    IMPORTED = "imported"  # issued by the company's former software, brought into ogust with its history


class InvoiceStatus(Enum):
    DRAFT = "draft"
    VALIDATED = "validated"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    NEEDS_AUTHENTICATION = "needs_authentication"
    CREDITED = "credited"  # unpaid, and its credit notes cover it: nothing is due

    @property
    def label_fr(self) -> str:
        return {"draft": "en brouillon", "validated": "validée", "paid": "payée",
                "payment_failed": "en échec de paiement",
                "needs_authentication": "en attente d'authentification",
                "credited": "soldée par avoir"}[self.value]


AWAITING_PAYMENT = (InvoiceStatus.VALIDATED, InvoiceStatus.PAYMENT_FAILED, InvoiceStatus.NEEDS_AUTHENTICATION)
_DEBIT_UNDER_WAY = {AttemptStatus.PENDING, AttemptStatus.CHARGING}
PAYMENT_REFERENCE_MAX = 100  # a cheque number, a transfer reference, a CESU number
PAID_AHEAD_AT_MOST = timedelta(days=31)  # a payment received before its invoice, by this much at most
NUMBER_MAX = 30  # an invoice number, ogust's or a former software's
DEBIT_CANCELLED = "Débit annulé avant la confirmation 3-D Secure du client"


@dataclass(eq=False)
class Invoice(Aggregate, Totals, ShowsClient):
    company_id: str
    client_id: str
    source: InvoiceSource
    lines: list[InvoiceLine]
    devis_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    created_at: datetime | None = None
    number: str | None = None
    issued_on: date | None = None
    due_on: date | None = None
    status: InvoiceStatus = InvoiceStatus.DRAFT
    paid_at: datetime | None = None
    payment_reference: str | None = None
    payment_failure: str | None = None
    id: str = field(default_factory=new_id)
    version: int = 1
    credited_ttc: Money = field(default_factory=Money.zero)  # sum of its credit notes (avoirs), TTC
    # received in part otherwise than by card (CESU préfinancés, a cheque…): what is left is due
    paid_ttc: Money = field(default_factory=Money.zero)
    client_identity: ClientIdentity | None = None  # the client as of validation (None on a draft)

    def __post_init__(self) -> None:
        if not self.lines:
            raise InvalidValue("Une facture a au moins une ligne.", field="lines")

    @property
    def is_draft(self) -> bool:
        return self.status is InvoiceStatus.DRAFT

    def replace_lines(self, lines: list[InvoiceLine]) -> None:
        self.require_draft()
        if not lines:
            raise InvalidValue("Une facture a au moins une ligne.", field="lines")
        self.lines = lines

    def validate(self, number: str, issued_on: date, client: Client) -> None:
        """Give the invoice its number and keep ``client``'s name and address as of today; from now on
        it never changes."""
        self.require_draft()
        if self.total_ttc.cents <= 0:
            raise InvalidValue("Le montant d'une facture est positif.", field="lines")
        self._keep_client_identity(client)
        self.number = number
        self.issued_on = issued_on
        self.due_on = issued_on
        self.status = InvoiceStatus.VALIDATED
        self._record(InvoiceValidated(self.company_id, self.id, number))

    def mark_paid(self, payment_reference: str, at: datetime) -> bool:
        """Record a successful debit. False (and nothing changes) when already paid."""
        if self.status is InvoiceStatus.PAID:
            return False
        if self.status is not InvoiceStatus.CREDITED:  # settled by credit, then debited after all: paid
            self._require_awaiting_payment()
        self._paid(payment_reference, at)
        self._record(InvoicePaid(self.company_id, self.id, payment_reference))
        return True

    def record_payment(self, method: PaymentMethod, received_at: datetime, now: datetime,
                       attempts: Iterable[PaymentAttempt], reference: str = "",
                       amount: Money | None = None) -> Payment:
        """Record a payment received otherwise than by card — cheque, transfer, CESU, cash; the Payment
        returned is what the attestation fiscale counts.

        ``amount`` None: what is due (the invoice less its credit notes and the payments received), and
        the invoice is paid. Less than that: a part (CESU préfinancés for part, the rest by cheque or by
        the card): what is left stays due — a debit of the card asks only for it. More: refused.
        ``received_at``: when the money came in, not after ``now``. ``reference``: the cheque number,
        the transfer's reference or the CESU number (optional). Refused for a card (debited only
        through the payment gateway), a draft, an invoice already paid or fully credited, and while
        a card debit of it is under way or awaits the client's 3-D Secure confirmation (``attempts``):
        that debit may still succeed, and the client would pay twice."""
        reference = self._check_receipt(method, received_at, now, reference)
        if self.is_draft:
            raise InvalidTransition("Une facture brouillon ne se règle pas : validez-la d'abord.",
                                    status=self.status.value)
        if self.status is InvoiceStatus.PAID:
            raise InvalidTransition(f"La facture {self.number} est déjà payée : un second règlement ferait un "
                                    "double paiement.", status=self.status.value)
        self._require_awaiting_payment()
        attempts = list(attempts)
        if self.status is InvoiceStatus.NEEDS_AUTHENTICATION or any(
                a.status is AttemptStatus.NEEDS_AUTHENTICATION for a in attempts):
            raise InvalidTransition(
                f"La banque attend que le client confirme le débit de sa carte (3-D Secure) pour la facture "
                f"{self.number} : ce débit peut encore aboutir, un autre règlement ferait un double paiement. "
                "Annulez d'abord le débit en attente.",
                status=self.status.value)
        if any(a.status in _DEBIT_UNDER_WAY for a in attempts):
            raise InvalidTransition(
                f"Un débit de la carte est en cours pour la facture {self.number} : un autre règlement ferait "
                "un double paiement. Attendez son issue ; s'il échoue, enregistrez alors le règlement.",
                status=self.status.value)
        payment = self._receive(method, received_at, reference, amount)
        self._record(InvoicePaymentRecorded(self.company_id, self.id, method.value, reference, self.paid_ttc.cents))
        return payment

    def _check_receipt(self, method: PaymentMethod, received_at: datetime, now: datetime, reference: str) -> str:
        """What any payment received otherwise than by card must be: its reference (returned, stripped),
        a day of receipt not in the future nor far before the invoice."""
        if method is PaymentMethod.CARD:
            raise InvalidValue("La carte bancaire n'est débitée que par le prestataire de paiement (débit "
                               "à la validation, nouvelle tentative) : choisissez chèque, virement, CESU "
                               "ou espèces.", field="method")
        reference = check_text(reference, "reference", "Référence du règlement", PAYMENT_REFERENCE_MAX,
                               required=False)
        check_year(received_at.year, "received_on")
        if received_at.date() > now.astimezone(received_at.tzinfo).date():
            raise InvalidValue(f"Date de réception dans le futur : {received_at:%d/%m/%Y}.", field="received_on")
        if self.issued_on is not None and received_at.date() < self.issued_on - PAID_AHEAD_AT_MOST:
            # a client may pay a few days ahead of the invoice; a slip of the year would move the payment
            # to another year's attestation fiscale
            raise InvalidValue(f"Date de réception ({received_at:%d/%m/%Y}) plus d'un mois avant la facture "
                               f"{self.number}, émise le {self.issued_on:%d/%m/%Y} : vérifiez l'année.",
                               field="received_on")
        return reference

    def _receive(self, method: PaymentMethod, received_at: datetime, reference: str,
                 amount: Money | None) -> Payment:
        """Take ``amount`` (None: all that is due) off what is due; paid once nothing is left."""
        due = self.amount_due
        if due.cents <= 0:
            raise InvalidTransition(f"La facture {self.number} est entièrement créditée par ses avoirs : "
                                    "il ne reste rien à régler.", status=self.status.value)
        if amount is not None and (amount.cents <= 0 or amount > due):
            raise InvalidValue(
                f"Un règlement de {amount} dépasse ce qui reste à régler sur la facture {self.number}, soit {due} "
                f"({self.total_ttc} TTC moins ses avoirs {self.credited_ttc} et les règlements reçus "
                f"{self.paid_ttc})." if amount.cents > 0 else "Le montant d'un règlement est positif.",
                field="amount_cents", amount_due_cents=due.cents)
        received = due if amount is None else amount
        self.paid_ttc = self.paid_ttc + received
        if received == due:
            self._paid(reference or None, received_at)
        return Payment(company_id=self.company_id, invoice_id=self.id, client_id=self.client_id, amount=received,
                       received_at=received_at, method=method, reference=reference)

    @classmethod
    def imported(cls, client: Client, number: str, issued_on: date, lines: list[InvoiceLine],
                 at: datetime, today: date) -> Invoice:
        """An invoice issued by the company's former software, brought into ogust with its history:
        its number and date as issued (not renumbered in ogust's gapless series), the client as of
        the import (``at``), awaiting payment until its payments are imported. It raises no event: the former
        software sent it, and debited or published it if it did — ogust does none of that again."""
        number = check_text(number, "number", "Numéro de facture", NUMBER_MAX)
        check_year(issued_on.year, "issued_on")
        if issued_on > today:  # ``today`` in the company's time zone
            raise InvalidValue(f"Facture {number} datée dans le futur : {issued_on:%d/%m/%Y}.", field="issued_on")
        invoice = cls(company_id=client.company_id, client_id=client.id, source=InvoiceSource.IMPORTED,
                      lines=lines, created_at=at)
        if invoice.total_ttc.cents <= 0:
            raise InvalidValue("Le montant d'une facture est positif.", field="lines")
        invoice._keep_client_identity(client)
        invoice.number, invoice.issued_on, invoice.due_on = number, issued_on, issued_on
        invoice.status = InvoiceStatus.VALIDATED
        return invoice

    def receive_imported_payment(self, method: PaymentMethod, received_at: datetime, now: datetime,
                                 reference: str, amount: Money) -> Payment:
        """A payment the former software recorded for one of its invoices: checked like any payment
        received otherwise than by card (not in the future, not beyond what is due), counted on the
        attestation fiscale of its year like any, and raising no event (nothing to publish or email)."""
        if self.source is not InvoiceSource.IMPORTED:
            raise InvalidTransition(f"La facture {self.number} a été émise par ogust : enregistrez son règlement "
                                    "avec « ogust invoice pay ».", status=self.status.value)
        reference = self._check_receipt(method, received_at, now, reference)
        if self.status is InvoiceStatus.PAID:
            raise InvalidTransition(f"La facture {self.number} est déjà payée : un règlement de plus ferait un "
                                    "double paiement.", status=self.status.value)
        self._require_awaiting_payment()
        return self._receive(method, received_at, reference, amount)

    def debit_started(self) -> None:
        """A card debit of this invoice begins (its attempt is written in the same transaction). The
        invoice takes a new version: a payment recorded meanwhile, by an operator who read the invoice
        before that attempt existed, then fails on the optimistic lock instead of being received twice
        — and a payment recorded first makes the debit's transaction fail the same way."""
        self._require_awaiting_payment()
        self.version += 1

    def _paid(self, payment_reference: str | None, at: datetime) -> None:
        self.status = InvoiceStatus.PAID
        self.paid_at = at
        self.payment_reference = payment_reference
        self.payment_failure = None

    def mark_payment_failed(self, attempt: int, reason: str) -> None:
        if self.status in (InvoiceStatus.PAID, InvoiceStatus.CREDITED):
            return  # a paid invoice never moves back; one settled by credit owes nothing
        self._require_awaiting_payment()
        self.status = InvoiceStatus.PAYMENT_FAILED
        self.payment_failure = reason
        self._record(InvoicePaymentFailed(self.company_id, self.id, attempt, reason))

    def mark_needs_authentication(self, attempt: int) -> None:
        if self.status in (InvoiceStatus.PAID, InvoiceStatus.CREDITED):
            return
        self._require_awaiting_payment()
        self.status = InvoiceStatus.NEEDS_AUTHENTICATION
        self._record(InvoicePaymentNeedsAuthentication(self.company_id, self.id, attempt))

    def cancel_debit(self, attempt: int, reason: str = DEBIT_CANCELLED) -> None:
        """The debit that awaited the client's 3-D Secure confirmation was cancelled at the bank (the
        client pays otherwise, or never confirmed): the invoice awaits payment again, as after a
        decline — a new debit or a payment recorded by hand — without the email of a failed debit."""
        if self.status is not InvoiceStatus.NEEDS_AUTHENTICATION:
            raise InvalidTransition(f"Aucun débit de la facture {self.number} n'attend la confirmation du client.",
                                    status=self.status.value)
        self.status = InvoiceStatus.PAYMENT_FAILED
        self.payment_failure = reason
        self._record(InvoiceDebitCancelled(self.company_id, self.id, attempt))

    @property
    def debit_cancelled(self) -> bool:
        """Awaiting payment because the company cancelled the debit the client never confirmed — not
        because the bank refused the card (the client is told so apart: nothing was refused)."""
        return self.status is InvoiceStatus.PAYMENT_FAILED and self.payment_failure == DEBIT_CANCELLED

    def request_payment_retry(self, attempt: int, attempts: Iterable[PaymentAttempt]) -> None:
        """Ask for a new debit (number ``attempt``) after a decline. Not while the bank awaits the
        client's authentication, nor while an earlier debit is under way (``attempts``: its outcome not
        known yet, after a timeout): that PaymentIntent may still succeed, and a second one would debit
        the card twice."""
        if any(a.status in _DEBIT_UNDER_WAY for a in attempts):
            raise InvalidTransition(
                f"Un débit de la carte est en cours pour la facture {self.number} (son issue n'est pas encore "
                "connue) : une nouvelle tentative risquerait un double débit. Attendez son issue.",
                status=self.status.value,
            )
        if self.status is InvoiceStatus.NEEDS_AUTHENTICATION:
            raise InvalidTransition(
                "La banque attend que le client confirme le paiement (lien envoyé par email) : "
                "une nouvelle tentative risquerait un double débit.", status=self.status.value,
            )
        if self.status is not InvoiceStatus.PAYMENT_FAILED:
            raise InvalidTransition(
                f"La facture est {self.status.label_fr} : pas de nouvelle tentative de débit.",
                status=self.status.value,
            )
        if self.amount_due.cents <= 0:  # the debit would ask for nothing: said, rather than done silently
            raise InvalidTransition(f"La facture {self.number} est entièrement couverte par ses avoirs : "
                                    "il n'y a rien à débiter.", status=self.status.value)
        if self.amount_due < MINIMUM_CARD_DEBIT:
            raise InvalidTransition(f"Il reste {self.amount_due} à régler sur la facture {self.number}, moins que le "
                                    f"minimum d'un débit par carte ({MINIMUM_CARD_DEBIT}) : enregistrez un règlement "
                                    "par un autre moyen.", status=self.status.value)
        self._record(InvoicePaymentRetryRequested(self.company_id, self.id, attempt))

    @property
    def amount_due(self) -> Money:
        """What a new debit asks for: the invoice less its credit notes and the parts received
        otherwise (an invoice credited, or paid in part, before it is debited is debited only what
        remains; covered, nothing)."""
        return self.total_ttc - self.credited_ttc - self.paid_ttc

    def settle_by_credit(self, attempts: Iterable[PaymentAttempt]) -> bool:
        """Unpaid, and its credit notes now cover it: nothing is due any more, the invoice is settled
        (« soldée par avoir ») — no longer listed as awaiting payment, nor shown to the client as to
        pay. Not while a debit is under way or awaits the client's 3-D Secure confirmation
        (``attempts``): its outcome decides (a debit made is refunded by the credit notes). True when
        the invoice was settled so."""
        if self.status not in (InvoiceStatus.VALIDATED, InvoiceStatus.PAYMENT_FAILED) or self.amount_due.cents > 0:
            return False
        if any(a.status in _DEBIT_UNDER_WAY or a.status is AttemptStatus.NEEDS_AUTHENTICATION for a in attempts):
            return False
        self.status = InvoiceStatus.CREDITED
        self._record(InvoiceSettledByCredit(self.company_id, self.id))
        return True

    def eligible_part(self, amount: Money) -> Money:
        """The part of ``amount`` (paid for, or taken off, the whole invoice) that is for services
        eligible to the tax credit, in the invoice's own share (each line priced once)."""
        amounts = [(line.amount_ttc, line.tax_credit_eligible) for line in self.lines]
        invoice_ttc = total([value for value, _ in amounts])
        if invoice_ttc.cents <= 0:
            return Money.zero()
        eligible_ttc = total([value for value, eligible in amounts if eligible])
        if eligible_ttc == invoice_ttc:
            return amount
        return amount.times(eligible_ttc.cents, invoice_ttc.cents)

    def will_be_debited(self, client: Client) -> bool:
        """The saved card settles what is left (and the debit's emails tell the client): a card saved,
        enough left for a card debit, and not settled by credit notes."""
        return client.has_card and self.amount_due >= MINIMUM_CARD_DEBIT and self.status is not InvoiceStatus.CREDITED

    @property
    def left_to_pay(self) -> Money:
        """What the client still owes: nothing once paid or settled by its credit notes; else the
        invoice less its credit notes (a draft owes nothing yet)."""
        if self.status not in AWAITING_PAYMENT:
            return Money.zero()
        return self.amount_due if self.amount_due.cents > 0 else Money.zero()

    @property
    def creditable_ttc(self) -> Money:
        """What credit notes may still take off this invoice."""
        return self.total_ttc - self.credited_ttc

    def record_credit(self, amount: Money) -> None:
        """A credit note of ``amount`` TTC corrects this invoice, whose content never changes. The
        credit notes of an invoice never add up to more than the invoice."""
        self.ensure_creditable(amount)
        self.credited_ttc = self.credited_ttc + amount

    def ensure_creditable(self, amount: Money) -> None:
        if self.is_draft:
            raise InvalidTransition("Une facture brouillon se corrige directement : pas d'avoir.",
                                    status=self.status.value)
        if amount.cents <= 0:
            raise InvalidValue("Le montant d'un avoir est positif.", field="amount")
        if amount > self.creditable_ttc:
            raise CreditExceedsInvoice(
                f"L'avoir de {amount} dépasse ce qui reste à créditer sur la facture {self.number} "
                f"({self.creditable_ttc} sur {self.total_ttc} TTC).",
                invoice=self.number, creditable_cents=self.creditable_ttc.cents,
            )

    def require_draft(self) -> None:
        if not self.is_draft:
            raise InvoiceAlreadyValidated(self.number or self.id)

    def _require_awaiting_payment(self) -> None:
        if self.status not in AWAITING_PAYMENT:
            raise InvalidTransition(
                f"La facture est {self.status.label_fr} : aucun paiement n'est attendu.", status=self.status.value
            )
