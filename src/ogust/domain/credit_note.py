"""A credit note (avoir): the only way to correct a validated invoice, which itself never changes.

It has its own gapless series (AV-2026-000001), lines with their VAT, and a reason. When the
invoice was paid by card, the credit note refunds that card — never more than was paid. When it was
paid otherwise (cheque, transfer, CESU, cash), the company gives the money back itself and records
it (``record_refund``): only then does the attestation fiscale count the payment net of it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.client_identity import ClientIdentity, ShowsClient
from ogust.domain.errors import CreditExceedsInvoice, InvalidTransition, InvalidValue, RefundExceedsPayment
from ogust.domain.events import (
    CreditNoteIssued,
    CreditNoteRefunded,
    CreditNoteRefundRequested,
    CreditNoteRefundToAnnounce,
)
from ogust.domain.invoice import Invoice
from ogust.domain.lines import Totals
from ogust.domain.money import Money, VatRate, total
from ogust.domain.payment import Payment, PaymentMethod


class RefundStatus(Enum):
    NONE = "none"  # no refund (yet): deducted from what is due, or to be given back by the company
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def label_fr(self) -> str:
        return {"none": "sans", "pending": "en cours", "succeeded": "remboursé", "failed": "en échec"}[self.value]


@dataclass
class CreditNoteLine:
    """An amount given back, with its VAT; HT + TVA = TTC exactly."""

    label: str
    vat_rate: VatRate
    amount_ht: Money
    amount_vat: Money
    id: str = field(default_factory=new_id)
    # the invoice line it gives back, when it gives back one (its eligibility to the tax credit with
    # it); None for an amount spread over the invoice's rates
    invoice_line_id: str | None = None
    tax_credit_eligible: bool | None = None

    @property
    def amount_ttc(self) -> Money:
        return self.amount_ht + self.amount_vat


@dataclass(eq=False)
class CreditNote(Aggregate, Totals, ShowsClient):
    company_id: str
    client_id: str
    invoice_id: str
    invoice_number: str
    number: str
    issued_on: date
    reason: str
    lines: list[CreditNoteLine]
    refund_amount: Money = field(default_factory=Money.zero)
    refund_status: RefundStatus = RefundStatus.NONE
    payment_intent_id: str | None = None  # the card payment the refund goes back to
    refund_id: str | None = None
    refund_failure: str | None = None
    refunded_at: datetime | None = None
    created_at: datetime | None = None
    id: str = field(default_factory=new_id)
    version: int = 1
    client_identity: ClientIdentity | None = None  # the client as the corrected invoice names them
    # how the company gave the money back itself (cheque, transfer, cash); None for a card refund
    refund_method: PaymentMethod | None = None

    @property
    def refund_key(self) -> str:
        """The idempotency key of this credit note's refund: one refund per credit note, ever."""
        return f"ogust:{self.company_id}:credit-note:{self.id}:refund"

    @classmethod
    def issue(cls, invoice: Invoice, number: str, issued_on: date, reason: str, lines: list[CreditNoteLine],
              payments: Iterable[Payment], earlier: Iterable[CreditNote], at: datetime) -> CreditNote:
        """Credit ``lines`` on ``invoice`` (recorded on it: never more than the invoice). When the
        invoice was paid by card, the whole credit note is refunded to that card, provided the
        refunds stay within what was paid. The credit note names the client as the invoice does (an
        invoice validated before revision 0007 has no snapshot: neither has its credit note, and both
        show the client record)."""
        if not reason.strip():
            raise InvalidValue("Le motif de l'avoir est obligatoire.", field="reason")
        if not lines:
            raise InvalidValue("Un avoir a au moins une ligne.", field="lines")
        note = cls(company_id=invoice.company_id, client_id=invoice.client_id, invoice_id=invoice.id,
                   invoice_number=invoice.number or "", number=number, issued_on=issued_on, reason=reason.strip(),
                   lines=lines, created_at=at, client_identity=invoice.client_identity)
        payments, earlier = list(payments), list(earlier)
        cls.ensure_possible(invoice, note.total_ttc, payments, earlier)
        invoice.record_credit(note.total_ttc)
        note._record(CreditNoteIssued(note.company_id, note.id, number, invoice.id))
        card = _card_payments(invoice, payments)
        if card and _card_refundable(card, earlier).cents > 0:
            note.refund_amount = note.total_ttc
            note.refund_status = RefundStatus.PENDING
            note.payment_intent_id = card[-1].reference
            note._record(CreditNoteRefundRequested(note.company_id, note.id, invoice.id))
        return note

    @staticmethod
    def ensure_possible(invoice: Invoice, amount: Money, payments: Iterable[Payment],
                        earlier: Iterable[CreditNote]) -> None:
        """Refuse, before anything is numbered, an avoir beyond what is left of the invoice or a
        refund beyond what its card paid."""
        invoice.ensure_creditable(amount)
        card = _card_payments(invoice, payments)
        if not card:
            return
        refundable = _card_refundable(card, earlier)
        if refundable.cents <= 0 and invoice.paid_ttc.cents > 0:
            return  # the card gave back all it paid: the rest, paid otherwise, the company gives back itself
        if invoice.paid_ttc.cents > 0 and amount > refundable:
            raise RefundExceedsPayment(
                f"La facture {invoice.number} a été réglée pour {invoice.paid_ttc} autrement que par carte : la "
                f"carte ne peut rembourser que {refundable}. Émettez un avoir de {refundable} (remboursé sur la "
                "carte), puis un autre pour le reste, que vous rembourserez par vos soins.",
                refundable_cents=refundable.cents, amount_cents=amount.cents)
        ensure_refund_within_payment(amount, card, earlier)

    def refund_after_debit(self, payment_intent_id: str) -> None:
        """Issued while a debit of the whole invoice was under way (so not deducted from it): now that
        the card is debited, this credit note is refunded to it."""
        if self.refund_status is not RefundStatus.NONE:
            raise InvalidTransition(f"L'avoir {self.number} a déjà son remboursement.",
                                    status=self.refund_status.value)
        self.refund_amount = self.total_ttc
        self.refund_status = RefundStatus.PENDING
        self.payment_intent_id = payment_intent_id
        self._record(CreditNoteRefundRequested(self.company_id, self.id, self.invoice_id))
        self._record(CreditNoteRefundToAnnounce(self.company_id, self.id))  # its email said no refund

    def record_refund(self, method: PaymentMethod, refunded_at: datetime, reference: str,
                      refundable: Money) -> None:
        """Enregistrer un remboursement: the company gave the credit note's amount back to the client
        itself, by cheque, transfer or cash — for an invoice paid otherwise than by card and credited
        after it was paid. ``refundable``: what the client paid beyond what the invoice now asks
        for, less what was given back already (``refundable_otherwise``)."""
        if method not in REFUND_METHODS:
            raise InvalidValue("Un avoir se rembourse par chèque, virement ou espèces (un paiement par carte est "
                               "remboursé sur la carte, automatiquement).", field="method")
        if self.refund_status is not RefundStatus.NONE:
            how = "sur la carte bancaire" if self.refund_method is None else "déjà"
            raise InvalidTransition(f"L'avoir {self.number} est remboursé {how} (remboursement "
                                    f"« {self.refund_status.value} »).", status=self.refund_status.value)
        if refunded_at.date() < self.issued_on:
            raise InvalidValue(f"Remboursement daté du {refunded_at:%d/%m/%Y}, avant l'avoir {self.number}, émis le "
                               f"{self.issued_on:%d/%m/%Y}.", field="refunded_on")
        if self.total_ttc > refundable:
            why = (f"Rien à rembourser pour l'avoir {self.number} : le client n'a rien payé au-delà de ce que la "
                   f"facture {self.invoice_number} demande désormais" if refundable.cents == 0 else
                   f"Remboursement refusé : l'avoir {self.number} ({self.total_ttc}) dépasse les {refundable} que le "
                   f"client a payés au-delà de ce que la facture {self.invoice_number} demande désormais")
            raise RefundExceedsPayment(
                f"{why} (un avoir émis avant le règlement a été déduit du montant réglé ; une facture non réglée "
                "n'a rien à rembourser).", refundable_cents=refundable.cents, amount_cents=self.total_ttc.cents)
        self.refund_amount = self.total_ttc
        self.refund_status = RefundStatus.SUCCEEDED
        self.refund_method = method
        self.refund_id = reference or None
        self.refunded_at = refunded_at
        self._record(CreditNoteRefunded(self.company_id, self.id, reference))

    def eligible_ttc(self, invoice: Invoice) -> Money:
        """What this credit note takes off the invoice's services eligible to the tax credit: a line
        given back, with its eligibility; an amount spread over the invoice, in the invoice's share."""
        spread = total([line.amount_ttc for line in self.lines if line.tax_credit_eligible is None])
        given_back = total([line.amount_ttc for line in self.lines if line.tax_credit_eligible])
        return given_back + invoice.eligible_part(spread)  # the spread amount rounded once

    def mark_refunded(self, refund_id: str, at: datetime) -> bool:
        """False (and nothing changes) when already refunded."""
        if self.refund_status is RefundStatus.SUCCEEDED:
            return False
        self._require_pending()
        self.refund_status = RefundStatus.SUCCEEDED
        self.refund_id = refund_id
        self.refund_failure = None
        self.refunded_at = at
        self._record(CreditNoteRefunded(self.company_id, self.id, refund_id))
        return True

    def mark_refund_failed(self, reason: str) -> None:
        if self.refund_status is RefundStatus.SUCCEEDED:
            return  # a refund made is never undone
        self._require_pending()
        self.refund_status = RefundStatus.FAILED
        self.refund_failure = reason

    def _require_pending(self) -> None:
        if self.refund_status is not RefundStatus.PENDING:
            raise InvalidTransition(f"L'avoir {self.number} n'attend pas de remboursement.",
                                    status=self.refund_status.value)


REFUND_METHODS = frozenset({PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CASH})


def refundable_otherwise(invoice: Invoice, payments: Iterable[Payment], credit_notes: Iterable[CreditNote]) -> Money:
    """What the client paid for ``invoice`` otherwise than by card beyond what the invoice asks for
    now (its total less its credit notes), less what the company gave back already: what credit
    notes issued after the payment may still give back. (A credit note issued before the payment was
    deducted from it: the payment is the amount due.)"""
    paid = total([p.amount for p in payments if p.invoice_id == invoice.id and p.method is not PaymentMethod.CARD])
    given_back = total([n.refund_amount for n in credit_notes
                        if n.invoice_id == invoice.id and n.refund_method is not None])
    overpaid = paid - (invoice.total_ttc - invoice.credited_ttc) - given_back
    return overpaid if overpaid.cents > 0 else Money.zero()


def _card_payments(invoice: Invoice, payments: Iterable[Payment]) -> list[Payment]:
    return [p for p in payments if p.invoice_id == invoice.id and p.method is PaymentMethod.CARD and p.reference]


def given_back(payments: Iterable[Payment], credit_notes: Iterable[CreditNote],
               before: datetime) -> dict[str, list[tuple[CreditNote, Money]]]:
    """What each of one invoice's payments was given back by ``before``, credit note by credit note,
    by payment id: a refund to the card goes back to the card payment it names; what the company gave
    back itself (cheque, transfer, cash) goes back to the payments made otherwise before it, the last
    received first, never more than each of them."""
    payments = list(payments)
    found: dict[str, list[tuple[CreditNote, Money]]] = {p.id: [] for p in payments}
    refunded = sorted((n for n in credit_notes if n.refund_status is RefundStatus.SUCCEEDED
                       and n.refunded_at is not None and n.refunded_at < before),
                      key=lambda n: (n.refunded_at, n.number))
    otherwise = sorted((p for p in payments if p.method is not PaymentMethod.CARD),  # the same way, however read
                       key=lambda p: (p.received_at, p.id), reverse=True)
    for note in refunded:
        if note.refund_method is None:  # to the card
            for payment in payments:
                if payment.method is PaymentMethod.CARD and payment.reference == note.payment_intent_id:
                    found[payment.id].append((note, note.refund_amount))
                    break
            continue
        left = note.refund_amount
        for payment in otherwise:
            if payment.received_at > note.refunded_at:
                continue  # received after the refund was made: not what it gave back
            room = payment.amount - total([amount for _, amount in found[payment.id]])
            take = left if left < room else room
            if take.cents > 0:
                found[payment.id].append((note, take))
                left = left - take
            if left.cents <= 0:
                break
    return found


def _card_refundable(card_payments: list[Payment], credit_notes: Iterable[CreditNote]) -> Money:
    """What the card may still give back: what it paid less its refunds made or under way."""
    return total([p.amount for p in card_payments]) - refunded_so_far(credit_notes)


def refunded_so_far(credit_notes: Iterable[CreditNote]) -> Money:
    """Card refunds made or under way (a failed one stays counted: its money may have moved)."""
    return total([n.refund_amount for n in credit_notes
                  if n.refund_status is not RefundStatus.NONE and n.refund_method is None])


def ensure_refund_within_payment(amount: Money, card_payments: Iterable[Payment],
                                 other_credit_notes: Iterable[CreditNote]) -> None:
    """Refuse a refund that would take the refunds of an invoice beyond what was paid by card."""
    paid = total([p.amount for p in card_payments])
    already = refunded_so_far(other_credit_notes)
    if already + amount > paid:
        raise RefundExceedsPayment(
            f"Remboursement refusé : {amount} de plus que les {already} déjà remboursés dépasserait "
            f"les {paid} payés par carte.",
            paid_cents=paid.cents, refunded_cents=already.cents, amount_cents=amount.cents,
        )


def not_deducted_from(debited: Money, invoice: Invoice, credit_notes: Iterable[CreditNote]) -> list[CreditNote]:
    """The credit notes without refund that a debit of ``debited`` did not deduct: the debit asked
    for the invoice less the credit notes issued before it (``Invoice.amount_due``), so those come
    first in number order and add up to ``total − debited``; the later ones were issued while the
    debit was under way and are to be refunded to the card."""
    deducted = invoice.total_ttc - invoice.paid_ttc - debited  # the parts received otherwise were not credits
    counted = Money.zero()
    later = []
    for note in sorted(credit_notes, key=lambda n: n.number):
        if note.refund_status is not RefundStatus.NONE:
            continue
        if counted + note.total_ttc <= deducted:
            counted = counted + note.total_ttc
        else:
            later.append(note)
    return later


def full_credit_lines(invoice: Invoice) -> list[CreditNoteLine]:
    """Every line of the invoice, as it was invoiced (for an invoice not yet credited)."""
    lines = []
    for line in invoice.lines:
        details = " — ".join(part for part in (
            line.performed_on.strftime("%d/%m/%Y") if line.performed_on else "",
            line.quantity.label_fr(),
            f"{line.intervenant_name} ({line.intervenant_matricule})" if line.intervenant_matricule else "",
        ) if part)
        lines.append(CreditNoteLine(f"{line.label} ({details})", line.vat_rate, line.amount_ht, line.amount_vat,
                                    invoice_line_id=line.id, tax_credit_eligible=line.tax_credit_eligible))
    return lines


def line_credit_lines(invoice: Invoice, position: int, amount_ttc: Money | None,
                      earlier: Iterable[CreditNote]) -> list[CreditNoteLine]:
    """Give back (part of) the invoice's line at ``position`` (1 for the first): at that line's VAT
    rate, with its eligibility to the tax credit — a fee waived at 20 % is not spread over the 10 %
    services (the VAT of each rate, and the attestation, would be wrong). ``amount_ttc`` None: what
    is left of the line; never more than that (``earlier``: the invoice's credit notes)."""
    if not 1 <= position <= len(invoice.lines):
        raise InvalidValue(f"La facture {invoice.number} a {len(invoice.lines)} ligne(s) : pas de ligne {position}.",
                           field="line")
    line = invoice.lines[position - 1]
    given_back = total([credited.amount_ttc for note in earlier for credited in note.lines
                        if credited.invoice_line_id == line.id])
    left = line.amount_ttc - given_back
    amount = amount_ttc if amount_ttc is not None else left
    if amount.cents <= 0 or left.cents <= 0:
        raise InvalidValue(f"La ligne {position} ({line.label}) est déjà entièrement créditée." if left.cents <= 0
                           else "Le montant d'un avoir est positif.", field="amount")
    if amount > left:
        raise CreditExceedsInvoice(f"L'avoir de {amount} dépasse ce qui reste de la ligne {position} ({line.label}) : "
                                   f"{left} sur {line.amount_ttc} TTC.", line=position, creditable_cents=left.cents)
    ht = amount.times(10_000, 10_000 + line.vat_rate.value)
    return [CreditNoteLine(f"{line.label} (ligne {position} de la facture {invoice.number})", line.vat_rate, ht,
                           amount - ht, invoice_line_id=line.id, tax_credit_eligible=line.tax_credit_eligible)]


def amount_credit_lines(invoice: Invoice, amount_ttc: Money) -> list[CreditNoteLine]:
    """``amount_ttc`` spread over the invoice's VAT rates in proportion to their TTC; per rate, the
    HT is the TTC divided by (1 + rate), rounded half up, and the VAT the rest."""
    if amount_ttc.cents <= 0:
        raise InvalidValue("Le montant d'un avoir est positif.", field="amount")
    by_rate: dict[VatRate, Money] = {}
    for line in invoice.lines:
        by_rate[line.vat_rate] = by_rate.get(line.vat_rate, Money.zero()) + line.amount_ttc
    invoice_ttc = invoice.total_ttc
    rates = sorted(by_rate, key=lambda rate: rate.value)
    shares: list[Money] = []
    for index, rate in enumerate(rates):
        if index == len(rates) - 1:
            shares.append(amount_ttc - total(shares))
        else:
            shares.append(amount_ttc.times(by_rate[rate].cents, invoice_ttc.cents))
    lines = []
    for rate, share in zip(rates, shares, strict=True):  # one share per rate
        if share.cents <= 0:
            continue
        ht = share.times(10_000, 10_000 + rate.value)
        label = f"Avoir sur la facture {invoice.number}" + (f" (TVA {rate.percent_label})" if len(rates) > 1 else "")
        lines.append(CreditNoteLine(label, rate, ht, share - ht))
    return lines
