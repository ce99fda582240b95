"""When a client may be erased (GDPR, art. 17): not while something is still under way with them.

The right to erasure gives way to what the company must still do or claim (art. 17(3)(b) and (e)):
an intervention still planned at their home or done but not invoiced yet, an invoice they still owe (a card debit
under way included), a refund in progress. Those are settled first (the intervention cancelled or done, the invoice
paid or credited, the refund made); the documents themselves are kept for their legal retention either way."""
from __future__ import annotations

from collections.abc import Iterable

from ogust.domain.credit_note import CreditNote, RefundStatus
from ogust.domain.errors import InvalidTransition
from ogust.domain.intervention import Intervention, InterventionStatus
from ogust.domain.invoice import Invoice


def ensure_erasable(client_id: str, interventions: Iterable[Intervention], invoices: Iterable[Invoice],
                    credit_notes: Iterable[CreditNote]) -> None:
    """Refuse (InvalidTransition, saying what is pending) the erasure of a client with anything under way."""
    pending: list[str] = []
    planned = [i for i in interventions if i.client_id == client_id and i.status is InterventionStatus.PLANNED]
    if planned:
        pending.append(f"{len(planned)} intervention(s) prévue(s) : à annuler ou à marquer réalisées")
    to_invoice = [i for i in interventions if i.client_id == client_id and i.status is InterventionStatus.DONE
                  and i.invoice_id is None]
    if to_invoice:
        pending.append(f"{len(to_invoice)} intervention(s) réalisée(s) non facturée(s)")
    owed = sorted(i.number or i.id for i in invoices
                  if i.client_id == client_id and i.left_to_pay.cents > 0)
    if owed:
        pending.append(f"facture(s) non réglée(s) : {', '.join(owed)} (à régler ou à créditer par un avoir)")
    refunds = sorted(n.number for n in credit_notes
                     if n.client_id == client_id and n.refund_status is RefundStatus.PENDING)
    if refunds:
        pending.append(f"remboursement(s) en cours : {', '.join(refunds)}")
    if pending:
        raise InvalidTransition("Effacement impossible pour l'instant : " + " ; ".join(pending) + ".",
                                client_id=client_id, pending=pending)
