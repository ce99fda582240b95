"""A credit note is announced by email (with the card refund when there is one); nobody is written
to once the client has been erased (GDPR)."""
from __future__ import annotations

from ogust.application import commands as c
from ogust.application.gdpr import EraseClient, EraseClientHandler
from ogust.application.handlers.credit_notes import IssueCreditNoteHandler
from ogust.application.ports import EmailKind
from ogust.domain.money import Money
from tests.unit.application.conftest import validated_invoice


def test_a_credit_note_is_emailed_once_with_its_refund_and_its_link(uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards)
    worker.run_until_idle()  # debited, "debit confirmed" sent
    note = IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Intervention écourtée", Money(2000)))
    worker.run_until_idle()
    [sent] = [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_AVAILABLE]
    assert sent.context["credit_note_number"] == note.number and sent.context["invoice_number"] == invoice.number
    assert (sent.context["amount_ttc"], sent.context["refund_amount"]) == ("20,00\u00a0€", "20,00\u00a0€")
    assert sent.context["reason"] == "Intervention écourtée"
    assert sent.context["left_to_pay"] == ""  # paid by the card: nothing left to pay, the refund instead
    assert note.id in sent.context["download_url"] and "credit_note" in sent.context["download_url"]


def test_a_credit_note_not_refunded_by_card_does_not_announce_a_refund(uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    worker.run_until_idle()
    IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Erreur de tarif"))
    worker.run_until_idle()
    [sent] = [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_AVAILABLE]
    assert sent.context["refund_amount"] == ""
    assert sent.context["left_to_pay"] == ""  # credited in full: settled, nothing left to pay


def test_a_credit_note_on_an_unpaid_invoice_gives_the_new_amount_due(uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    worker.run_until_idle()
    IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Intervention écourtée", Money(1250)))
    worker.run_until_idle()
    [sent] = [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_AVAILABLE]
    assert invoice.total_ttc.cents > 1250
    assert sent.context["left_to_pay"] == Money(invoice.total_ttc.cents - 1250).format_fr()
    assert sent.context["refund_amount"] == ""


def test_no_email_reaches_an_erased_client(uow, ready, marie, cards, worker, mailer):
    invoice = validated_invoice(uow, ready, marie, cards, with_card=False)
    worker.run_until_idle()
    IssueCreditNoteHandler(uow)(c.IssueCreditNote(ready.id, invoice.id, "Erreur de tarif"))  # nothing owed now
    # its intervention is done (only work done is invoiced): nothing planned holds the erasure back
    EraseClientHandler(uow)(EraseClient(ready.id, invoice.client_id))  # before the worker sends the email
    worker.run_until_idle()
    assert [n for n in mailer.sent if n.kind is EmailKind.CREDIT_NOTE_AVAILABLE] == []
    assert uow.audit.redacted == [(ready.id, invoice.client_id)]
