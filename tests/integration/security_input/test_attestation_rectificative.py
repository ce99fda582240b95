"""An attestation fiscale rectificative, on the database through the CLI: a cheque of 30 December
entered in January, after the year's attestation was validated, was on no attestation. Generated
again, the year gets an attestation that annuls and replaces the first — said on the PDF, in the CLI
and the API; the validated one never changes."""
from __future__ import annotations

import json
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
from tests.support.pdf_text import flat, text_of
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


def test_a_payment_entered_after_validation_gives_an_attestation_rectificative(offline_api, http, tmp_path):
    api, container = offline_api, offline_api.container
    cli = Cli(_container=container)
    with clock_of(container, FixedClock(datetime(2026, 12, 10, 10, 0, tzinfo=PARIS))):
        container.validate_invoice()(c.ValidateInvoice(api.company_id, api.invoice_id))
        container.record_payment()(c.RecordPayment(api.company_id, api.invoice_id, PaymentMethod.CHEQUE,
                                                   date(2026, 12, 10)))
        late = container.manual_invoice()(c.ManualInvoice(api.company_id, api.client_id, (
            c.ManualInvoiceLine("MEN", 60, date(2026, 12, 8), api.intervenant_id),)))
        late = container.validate_invoice()(c.ValidateInvoice(api.company_id, late.id))
    with clock_of(container, FixedClock(datetime(2027, 1, 5, 10, 0, tzinfo=PARIS))):
        first = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, 2026))
        container.validate_attestation()(c.ValidateAttestation(api.company_id, first.id))
    with clock_of(container, FixedClock(datetime(2027, 1, 12, 10, 0, tzinfo=PARIS))):
        entered = CliRunner().invoke(billing_commands.invoice, ["pay", late.number, "--method", "cheque", "--on",
                                                                "2026-12-30"], obj=Cli(_container=container,
                                                                                      queue_only=True))
        assert entered.exit_code == 0, entered.output
        assert ("L'attestation fiscale 2026 de ce client (AF-2026-000001) est déjà validée : ce règlement n'y figure "
                "pas.") in entered.output  # and how to rectify it
        made = CliRunner().invoke(billing_commands.attestation, ["generate", "jean.dupont@example.fr", "--year",
                                                                 "2026", "--json"], obj=cli)
        assert made.exit_code == 0, made.output
        done = CliRunner().invoke(billing_commands.attestation, ["validate", "AF-2026-000001"], obj=cli)
        assert done.exit_code == 4 and "déjà validée" in done.output, done.output
    draft = json.loads(made.output)
    assert (draft["revision"], draft["replaces_number"], draft["amount_paid"]["cents"]) == (2, "AF-2026-000001",
                                                                                           TTC + 2750)
    with clock_of(container, FixedClock(datetime(2027, 1, 12, 10, 5, tzinfo=PARIS))):
        validated = CliRunner().invoke(billing_commands.attestation, ["validate", draft["id"]], obj=cli)
    assert validated.exit_code == 0, validated.output
    shown = CliRunner().invoke(billing_commands.attestation, ["show", "AF-2026-000002"], obj=cli)
    assert "rectificative : annule et remplace la n° AF-2026-000001" in shown.output, shown.output
    assert http.get(f"/api/attestations/{first.id}").json()["amount_paid"]["cents"] == TTC  # never changes
    written = CliRunner().invoke(billing_commands.attestation, ["document", "AF-2026-000002", "-o",
                                                                 str(tmp_path / "a.pdf")], obj=cli)
    assert written.exit_code == 0, written.output
    text = flat(text_of((tmp_path / "a.pdf").read_bytes()))
    assert "ATTESTATION FISCALE RECTIFICATIVE" in text
    assert "Cette attestation annule et remplace l'attestation n° AF-2026-000001 de 2026" in text
    assert Money(TTC + 2750).format_fr().replace("\u00a0", " ").replace("\u202f", " ") in text
