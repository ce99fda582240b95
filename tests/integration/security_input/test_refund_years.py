"""A refund belongs to the year it is received (on the database, through the container's handlers):
paid in 2026 and refunded in January 2027, the 2026 attestation states what was paid in 2026 however
late it is computed, and the 2027 attestation deducts the refund — the same whether computed for one
client or by the year's batch; the API, the CLI and the PDF say what was deducted."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.application import commands as c
from ogust.domain.money import Money
from ogust.domain.payment import PaymentMethod
from ogust.entrypoints.cli import billing_commands
from ogust.entrypoints.cli.base import Cli
from tests.fakes import FixedClock
from tests.integration.security_input.test_record_payment import TTC
from tests.support.pdf_text import euros, flat, text_of
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


def test_a_refund_of_january_lowers_the_year_it_is_received_not_the_year_before(offline_api, http, tmp_path):
    api, container = offline_api, offline_api.container
    with clock_of(container, FixedClock(datetime(2026, 12, 10, 10, 0, tzinfo=PARIS))):
        container.validate_invoice()(c.ValidateInvoice(api.company_id, api.invoice_id))
        container.record_payment()(c.RecordPayment(api.company_id, api.invoice_id, PaymentMethod.CHEQUE,
                                                   date(2026, 12, 10)))
        note = container.issue_credit_note()(c.IssueCreditNote(api.company_id, api.invoice_id, "Heure non faite",
                                                               Money(1500)))
        before = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, 2026))
    with clock_of(container, FixedClock(datetime(2027, 1, 12, 10, 0, tzinfo=PARIS))):
        container.record_refund()(c.RecordRefund(api.company_id, note.id, PaymentMethod.CHEQUE, date(2027, 1, 12)))
        second = container.manual_invoice()(c.ManualInvoice(api.company_id, api.client_id, (
            c.ManualInvoiceLine("MEN", 60, date(2027, 1, 8), api.intervenant_id),)))
        container.validate_invoice()(c.ValidateInvoice(api.company_id, second.id))
        container.record_payment()(c.RecordPayment(api.company_id, second.id, PaymentMethod.TRANSFER,
                                                   date(2027, 1, 12)))
        of_2026 = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, 2026))
        of_2027 = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, 2027))
        [outcome] = container.generate_attestations()(c.GenerateAttestations(api.company_id, 2027))
    assert before.amount_paid == of_2026.amount_paid == Money(TTC)  # the refund came after 2026
    assert (of_2027.amount_paid, of_2027.refunds_deducted) == (Money(2750 - 1500), Money(1500))
    batch = container.queries().attestation(api.company_id, outcome.attestation_id)
    assert (batch.id, batch.amount_paid, batch.refunds_deducted) == (of_2027.id, Money(1250), Money(1500))

    shown = http.get(f"/api/attestations/{of_2027.id}").json()
    assert (shown["amount_paid"]["cents"], shown["refunds_deducted"]["cents"]) == (1250, 1500)
    cli = Cli(_container=container)
    shown = CliRunner().invoke(billing_commands.attestation, ["show", of_2027.id], obj=cli)
    assert "Remboursements de paiements antérieurs, déduits : 15,00\u00a0€" in shown.output, shown.output
    written = CliRunner().invoke(billing_commands.attestation, ["document", of_2027.id, "-o",
                                                                 str(tmp_path / "attestation.pdf")], obj=cli)
    assert written.exit_code == 0, written.output
    assert (f"net des remboursements reçus en 2027 sur des paiements des années précédentes : "
            f"{euros(Money(1500))} déduits") in flat(text_of((tmp_path / "attestation.pdf").read_bytes()))
