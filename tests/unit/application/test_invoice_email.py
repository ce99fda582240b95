"""Every validated invoice reaches its client by email: through the debit's own email (confirmed,
refused, to confirm) when the saved card pays it, else by « Votre facture n° … » with what is left to
pay and how — a client without a card was sent nothing but the shop publication."""
from __future__ import annotations

from ogust.application.ports import EmailKind
from tests.unit.application.conftest import validated_invoice


def kinds(mailer) -> list[EmailKind]:
    return [n.kind for n in mailer.sent]


def test_a_client_without_a_card_is_emailed_the_invoice_once(uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    worker.run_until_idle()
    worker.run_until_idle()
    [sent] = [n for n in mailer.sent if n.kind is EmailKind.INVOICE_AVAILABLE]
    assert kinds(mailer) == [EmailKind.INVOICE_AVAILABLE]
    assert (sent.context["invoice_number"], sent.context["amount_ttc"], sent.context["left_to_pay"]) == (
        invoice.number, "55,00\u00a0€", "55,00\u00a0€")
    assert invoice.id in sent.context["download_url"]


def test_a_client_whose_card_pays_gets_the_debit_email_only(uow, ready, marie, cards, worker, mailer):
    validated_invoice(uow, ready, marie, cards)
    worker.run_until_idle()
    assert kinds(mailer) == [EmailKind.DEBIT_CONFIRMED]
