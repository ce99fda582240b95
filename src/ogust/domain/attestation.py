"""The annual attestation fiscale: what a client paid in a year and who worked how long."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity, ShowsClient
from ogust.domain.errors import InvalidTransition, NothingToAttest
from ogust.domain.events import AttestationValidated
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money, total
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.units import Unit


class AttestationStatus(Enum):
    DRAFT = "draft"
    VALIDATED = "validated"


@dataclass
class AttestationLine:
    """Hours of one intervenant for the client in one month of the year."""

    intervenant_matricule: str
    intervenant_name: str
    month: int
    minutes: int
    interventions: int
    year: int | None = None  # of the interventions; None on lines written before it was kept
    id: str = field(default_factory=new_id)


@dataclass(eq=False)
class Attestation(Aggregate, ShowsClient):
    company_id: str
    client_id: str
    year: int
    amount_paid: Money
    lines: list[AttestationLine]
    status: AttestationStatus = AttestationStatus.DRAFT
    number: str | None = None
    created_at: datetime | None = None
    validated_at: datetime | None = None
    id: str = field(default_factory=new_id)
    version: int = 1
    client_identity: ClientIdentity | None = None  # the client as of validation (None on a draft)

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    def recompute(self, amount_paid: Money, lines: list[AttestationLine]) -> None:
        if self.status is not AttestationStatus.DRAFT:
            raise InvalidTransition("Une attestation validée ne change plus.")
        self.amount_paid = amount_paid
        self.lines = lines

    def validate(self, number: str, at: datetime, client: Client) -> None:
        """Number the attestation and keep ``client``'s name and address as of now: it never changes again."""
        if self.status is not AttestationStatus.DRAFT:
            raise InvalidTransition(f"L'attestation {self.number} est déjà validée.")
        self._keep_client_identity(client)
        self.status = AttestationStatus.VALIDATED
        self.number = number
        self.validated_at = at
        self._record(AttestationValidated(self.company_id, self.id, number))


def eligible_amount(payment: Payment, invoice: Invoice) -> Money:
    """The part of a payment that pays for services eligible to the tax credit (prorated per line)."""
    if payment.method is PaymentMethod.CASH:
        return Money.zero()
    amounts = [(line.amount_ttc, line.tax_credit_eligible) for line in invoice.lines]  # each line priced once
    invoice_ttc = total([amount for amount, _ in amounts])
    if invoice_ttc.cents <= 0:
        return Money.zero()
    eligible_ttc = total([amount for amount, eligible in amounts if eligible])
    if eligible_ttc == invoice_ttc:
        return payment.amount
    return payment.amount.times(eligible_ttc.cents, invoice_ttc.cents)


def summarise_year(
    year: int, payments: Iterable[tuple[Payment, Invoice]], received_in_year: "callable[[Payment], bool]"
) -> tuple[Money, list[AttestationLine]]:
    """Amount paid in the year (received, not in cash, linked to an invoice, eligible tarifs) and
    the hours per intervenant and month of the interventions those payments paid for."""
    amount = Money.zero()
    minutes: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    seen_invoices: set[str] = set()
    for payment, invoice in payments:
        if not received_in_year(payment):
            continue
        share = eligible_amount(payment, invoice)
        if share.cents == 0:
            continue
        amount = amount + share
        if invoice.id in seen_invoices:
            continue
        seen_invoices.add(invoice.id)
        for line in invoice.lines:
            if not line.tax_credit_eligible or line.performed_on is None or line.quantity.unit is not Unit.HOUR:
                continue
            key = (line.intervenant_matricule or "", line.intervenant_name or "", line.performed_on.year,
                   line.performed_on.month)
            minutes[key].append(line.quantity.value)
    if amount.cents == 0:
        raise NothingToAttest(f"Aucun paiement éligible reçu en {year}.", year=year)
    lines = [
        AttestationLine(matricule, name, month, sum(values), len(values), year=line_year)
        for (matricule, name, line_year, month), values in sorted(
            minutes.items(), key=lambda item: (item[0][2], item[0][3], item[0][1]))
    ]
    return amount, lines
