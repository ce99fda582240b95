"""The annual attestation fiscale: what a client paid in a year and who worked how long."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.client import Client
from ogust.domain.client_identity import ClientIdentity, ShowsClient
from ogust.domain.credit_note import CreditNote
from ogust.domain.errors import InvalidTransition, NothingToAttest, YearNotOver
from ogust.domain.events import AttestationValidated
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money, total
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.units import Unit


class AttestationStatus(Enum):
    DRAFT = "draft"
    VALIDATED = "validated"

    @property
    def label_fr(self) -> str:
        return {"draft": "brouillon", "validated": "validée"}[self.value]


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
    # paid in CESU préfinancés (titres CESU, financed by an employer or a fund) for eligible services:
    # not in ``amount_paid`` — the client may add only the part they financed themselves
    cesu_paid: Money = field(default_factory=Money.zero)
    # refunds received in the year of payments made in earlier years (their eligible part), deducted
    # from what was paid in the year: a refund lowers the expenses of the year it is received
    refunds_deducted: Money = field(default_factory=Money.zero)
    status: AttestationStatus = AttestationStatus.DRAFT
    number: str | None = None
    created_at: datetime | None = None
    validated_at: datetime | None = None
    id: str = field(default_factory=new_id)
    version: int = 1
    client_identity: ClientIdentity | None = None  # the client as of validation (None on a draft)
    # an attestation rectificative: the next revision of the client's year, replacing a validated one
    revision: int = 1
    replaces_id: str | None = None
    replaces_number: str | None = None

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    def recompute(self, amount_paid: Money, lines: list[AttestationLine], cesu_paid: Money | None = None,
                  refunds_deducted: Money | None = None) -> None:
        if self.status is not AttestationStatus.DRAFT:
            raise InvalidTransition("Une attestation validée ne change plus.")
        self.amount_paid = amount_paid
        self.cesu_paid = cesu_paid if cesu_paid is not None else Money.zero()
        self.refunds_deducted = refunds_deducted if refunds_deducted is not None else Money.zero()
        self.lines = lines

    def rectification(self, paid: YearPaid, at: datetime) -> Attestation:
        """A validated attestation never changes. When what the client paid in its year has changed
        since (a payment recorded late, a refund), an attestation rectificative replaces it: a new
        draft of the next revision, validated under a new number. Refused when nothing changed."""
        if self.status is not AttestationStatus.VALIDATED:
            raise InvalidTransition("Seule une attestation validée se rectifie ; un brouillon se recalcule.")
        if (paid.amount, paid.cesu, paid.refunds_deducted, _facts(paid.lines)) == (
                self.amount_paid, self.cesu_paid, self.refunds_deducted, _facts(self.lines)):
            raise InvalidTransition(f"L'attestation {self.number} de {self.year} est validée et à jour : rien à "
                                    "rectifier.", attestation_id=self.id)
        return Attestation(company_id=self.company_id, client_id=self.client_id, year=self.year,
                           amount_paid=paid.amount, lines=paid.lines, cesu_paid=paid.cesu,
                           refunds_deducted=paid.refunds_deducted, created_at=at, revision=self.revision + 1,
                           replaces_id=self.id, replaces_number=self.number)

    def require_year_over(self, at: datetime, zone: tzinfo) -> None:
        if at.astimezone(zone).year <= self.year:
            raise YearNotOver(
                f"L'année {self.year} n'est pas terminée : l'attestation fiscale se valide à partir du "
                f"1er janvier {self.year + 1}, avec tout ce que le client aura payé en {self.year}.",
                year=self.year, attestation_id=self.id,
            )

    def validate(self, number: str, at: datetime, client: Client, zone: tzinfo) -> None:
        """Number the attestation and keep ``client``'s name and address as of now: it never changes
        again. Only once its year is over (in the company's time zone ``zone``): a draft of the year
        under way is a preview, recomputed until then."""
        if self.status is not AttestationStatus.DRAFT:
            raise InvalidTransition(f"L'attestation {self.number} est déjà validée.")
        self.require_year_over(at, zone)
        self._keep_client_identity(client)
        self.status = AttestationStatus.VALIDATED
        self.number = number
        self.validated_at = at
        self._record(AttestationValidated(self.company_id, self.id, number))


def _facts(lines: list[AttestationLine]) -> list[tuple]:
    return sorted((line.intervenant_matricule, line.intervenant_name, line.year or 0, line.month, line.minutes,
                   line.interventions) for line in lines)


# Not "actually paid by the client" for the tax credit: cash, CESU préfinancés (reported apart), and
# what the département paid (APA, PCH)
NOT_COUNTED = frozenset({PaymentMethod.CASH, PaymentMethod.CESU, PaymentMethod.APA_PCH})


def eligible_amount(payment: Payment, invoice: Invoice, notes: Sequence[CreditNote] = ()) -> Money:
    """The part of a payment that pays for services eligible to the tax credit (prorated per line);
    nothing for cash, CESU préfinancés and APA / PCH."""
    if payment.method in NOT_COUNTED:
        return Money.zero()
    return eligible_share(payment, invoice, notes)


def eligible_share(payment: Payment, invoice: Invoice, notes: Sequence[CreditNote] = ()) -> Money:
    """The part of ``payment`` that pays for eligible services, whatever its means: in the share of
    the invoice net of its credit notes (``notes``) — a credit note that gives back a fee not eligible
    leaves what the client paid all eligible."""
    if not notes:
        return invoice.eligible_part(payment.amount)
    net_ttc = invoice.total_ttc - total([note.total_ttc for note in notes])
    if net_ttc.cents <= 0:
        return Money.zero()
    net_eligible = invoice.eligible_part(invoice.total_ttc) - total([note.eligible_ttc(invoice) for note in notes])
    net_eligible = Money(min(max(net_eligible.cents, 0), net_ttc.cents), net_ttc.currency)
    if net_eligible == net_ttc:
        return payment.amount
    return payment.amount.times(net_eligible.cents, net_ttc.cents)


@dataclass(frozen=True)
class YearPaid:
    """What an attestation states: the amount paid in the year that opens the tax credit, what was
    paid in CESU préfinancés apart, and the hours per intervenant and month."""

    amount: Money
    lines: list[AttestationLine]
    cesu: Money
    refunds_deducted: Money = field(default_factory=Money.zero)


def summarise_year(
    year: int, payments: Iterable[tuple[Payment, Invoice]], received_in_year: callable[[Payment], bool],
    earlier_refunds: Iterable[tuple[Payment, Money]] = (),
    notes: Mapping[str, Sequence[CreditNote]] | None = None,
) -> YearPaid:
    """Amount paid in the year (received, not in cash nor in CESU préfinancés, linked to an invoice,
    eligible tarifs), the eligible part paid in CESU préfinancés, and the hours per intervenant and
    month of the interventions those payments paid for.

    ``earlier_refunds``: what was refunded in the year of payments made in earlier years, each as the
    payment it gives back with the refunded amount, and the eligible part of it — deducted from the
    year's amount (a refund lowers the expenses of the year it is received), never below zero.
    ``notes``: each invoice's credit notes issued by the end of the year, by invoice id."""
    notes = notes or {}
    amount = Money.zero()
    cesu = Money.zero()
    minutes: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    seen_invoices: set[str] = set()
    for payment, invoice in payments:
        if not received_in_year(payment):
            continue
        if payment.method is PaymentMethod.CESU:
            share = eligible_share(payment, invoice, notes.get(invoice.id, ()))
            cesu = cesu + share
        else:
            share = eligible_amount(payment, invoice, notes.get(invoice.id, ()))
            amount = amount + share
        if share.cents == 0:
            continue
        if invoice.id in seen_invoices:
            continue
        seen_invoices.add(invoice.id)
        for line in invoice.lines:
            if not line.tax_credit_eligible or line.performed_on is None:
                continue
            key = (line.intervenant_matricule or "", line.intervenant_name or "", line.performed_on.year,
                   line.performed_on.month)
            # a service at a flat rate is an intervention of its own, listed with its day and its
            # intervenant like the others (its price counts in the amount), without hours
            minutes[key].append(line.quantity.value if line.quantity.unit is Unit.HOUR else 0)
    if amount.cents == 0 and cesu.cents == 0:
        raise NothingToAttest(f"Aucun paiement éligible reçu en {year}.", year=year)
    deducted = Money.zero()
    for refund, eligible in earlier_refunds:
        if refund.method is PaymentMethod.CESU:
            share = min(eligible, cesu)
            cesu = cesu - share
        elif refund.method in NOT_COUNTED:
            continue
        else:
            share = min(eligible, amount)
            amount = amount - share
        deducted = deducted + share
    lines = [
        AttestationLine(matricule, name, month, sum(values), len(values), year=line_year)
        for (matricule, name, line_year, month), values in sorted(
            minutes.items(), key=lambda item: (item[0][2], item[0][3], item[0][1]))
    ]
    return YearPaid(amount, lines, cesu, deducted)
