"""Emails: one per job even when the job runs twice; a temporary failure retries with the same Message-ID."""
from __future__ import annotations

import pytest

from ogust.application.effects import GiveUp, RetryLater
from ogust.application.effects.mail import SendEmailEffect, message_id_for
from ogust.application.outbox import Effect, jobs_for
from ogust.application.ports import EmailKind, MailPermanentFailure, MailTemporaryFailure
from ogust.domain.events import InvoicePaid
from ogust.domain.invoice import Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Quantity
from tests.fakes import FakeLinks
from tests.unit.domain.builders import ADDRESS, at


@pytest.fixture
def paid(uow, company):
    from ogust.domain.client import Client
    client = Client(company_id=company.id, first_name="Jean", last_name="Dupont", email="jean@example.fr",
                    address=ADDRESS)
    uow.clients.add(client)
    invoice = Invoice(company_id=company.id, client_id=client.id, source=InvoiceSource.MANUAL, lines=[
        InvoiceLine("t", "Ménage", Quantity.hours_minutes(120), Money(2500), VatRate.INTERMEDIATE_10)])
    invoice.validate("FA-2026-000001", at(2026, 11, 2).date(), client)
    invoice.mark_paid("pi_1", at(2026, 11, 2, 23, 30))  # 3 November in Paris
    invoice.pull_events()
    uow.invoices.add(invoice)
    [job] = [j for j in jobs_for(InvoicePaid(company.id, invoice.id, "pi_1"), at(2026, 11, 2))
             if j.effect == Effect.MAIL_DEBIT_CONFIRMED.value]
    return invoice, job


def test_sent_once_even_if_the_job_runs_twice(uow, company, mailer, paid):
    invoice, job = paid
    effect = SendEmailEffect(uow, mailer, FakeLinks())
    effect(job)
    effect(job)
    [sent] = mailer.sent
    assert (sent.kind, sent.to_email, sent.to_name) == (EmailKind.DEBIT_CONFIRMED, "jean@example.fr", "Jean Dupont")
    assert sent.message_id == message_id_for(job)
    assert sent.context["invoice_number"] == "FA-2026-000001"
    assert sent.context["amount_ttc"] == "55,00\u00a0€"
    assert sent.context["paid_on"] == "03/11/2026"
    assert sent.context["company_sap_number"] == company.sap_declaration_number
    assert uow.emails.status(sent.message_id) == "sent"


def test_temporary_failure_retries_with_the_same_message_id(uow, mailer, paid):
    _, job = paid
    effect = SendEmailEffect(uow, mailer, FakeLinks())
    mailer.fail_next.append(MailTemporaryFailure("421 try later"))
    with pytest.raises(RetryLater):
        effect(job)
    message_id = message_id_for(job)
    assert uow.emails.status(message_id) == "pending" and uow.emails.rows[message_id]["error"] == "421 try later"
    effect(job)
    [sent] = mailer.sent
    assert sent.message_id == message_id and uow.emails.status(message_id) == "sent"
    assert len(uow.emails.rows) == 1


def test_permanent_failure_gives_up(uow, mailer, paid):
    _, job = paid
    mailer.fail_next.append(MailPermanentFailure("550 no such user"))
    with pytest.raises(GiveUp):
        SendEmailEffect(uow, mailer, FakeLinks())(job)
    assert uow.emails.status(message_id_for(job)) == "failed" and mailer.sent == []


def test_message_ids_differ_per_job_and_company(paid):
    _, job = paid
    other = jobs_for(InvoicePaid(job.company_id, "inv-2", "pi_2"), at(2026, 11, 2))[0]
    assert message_id_for(job) != message_id_for(other)
    assert message_id_for(job).endswith("@ogust")
