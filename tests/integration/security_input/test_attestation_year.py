"""Valider une attestation fiscale (POST /api/attestations/{id}/validate, ogust attestation validate):
only once its year is over, in the company's time zone — validated in November, it would leave out
December's payments, and the client would declare too little. Until then the draft is a preview,
recomputed; the refusal is a French problem+json (exit 4) and changes nothing."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.application import commands as c
from ogust.domain.payment import PaymentMethod
from ogust.entrypoints.cli import billing_commands
from ogust.entrypoints.cli.base import Cli
from tests.fakes import FixedClock
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


def paid_this_year(api) -> tuple[str, int]:
    """Jean's invoice, validated and paid by cheque today; the draft attestation of this year."""
    container, today = api.container, datetime.now(PARIS).date()
    container.validate_invoice()(c.ValidateInvoice(api.company_id, api.invoice_id))
    container.record_payment()(c.RecordPayment(api.company_id, api.invoice_id, PaymentMethod.CHEQUE, today))
    attestation = container.generate_attestation()(c.GenerateAttestation(api.company_id, api.client_id, today.year))
    return attestation.id, today.year


def test_refused_while_the_year_lasts_then_validated_in_january(offline_api, http):
    attestation_id, year = paid_this_year(offline_api)
    cli = Cli(_container=offline_api.container)

    refused = http.post(f"/api/attestations/{attestation_id}/validate")
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "year_not_over"
    assert refused.json()["detail"] == (
        f"L'année {year} n'est pas terminée : l'attestation fiscale se valide à partir du 1er janvier {year + 1}, "
        f"avec tout ce que le client aura payé en {year}.")
    early = CliRunner().invoke(billing_commands.attestation, ["validate", attestation_id], obj=cli)
    assert early.exit_code == 4 and f"L'année {year} n'est pas terminée" in early.output, early.output
    draft = offline_api.container.queries().attestation(offline_api.company_id, attestation_id)
    assert (draft.status.value, draft.number) == ("draft", None)

    with clock_of(offline_api.container, FixedClock(datetime(year + 1, 1, 1, 0, 5, tzinfo=PARIS))):
        done = CliRunner().invoke(billing_commands.attestation, ["validate", attestation_id], obj=cli)
    assert done.exit_code == 0, done.output
    assert f"Attestation AF-{year}-000001 validée." in done.output
    shown = http.get(f"/api/attestations/{attestation_id}").json()
    assert (shown["status"], shown["number"]) == ("validated", f"AF-{year}-000001")


def test_the_cli_shows_each_line_in_the_year_of_its_interventions():
    """Paid in January 2027, a December 2026 visit is « 12/2026 » on the 2027 attestation, not « 12/2027 »."""
    from ogust.domain.attestation import Attestation, AttestationLine
    from ogust.domain.money import Money

    attestation = Attestation("company", "client", 2027, Money(5500), [
        AttestationLine("M001", "Marie Curie", 12, 120, 1, year=2026),
        AttestationLine("M001", "Marie Curie", 1, 60, 1, year=2027)])
    shown = billing_commands._attestation_lines(attestation)
    assert "  12/2026 Marie Curie (M001) : 1 intervention(s), 2 h 00" in shown
    assert "  01/2027 Marie Curie (M001) : 1 intervention(s), 1 h 00" in shown
