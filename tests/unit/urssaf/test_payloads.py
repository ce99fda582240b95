"""HttpUrssafApi's translation between the application's URSSAF types and the API's JSON."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ogust.adapters.urssaf import payloads
from ogust.adapters.urssaf.messages import explain
from ogust.application.ports import UrssafBirthPlace, UrssafRejected, UrssafRequestStatus
from ogust.domain.money import Money
from tests.support.urssaf_contract import schema_errors
from tests.support.urssaf_samples import hours_line, payment_request, registration


def test_a_registration_matches_the_documented_shape():
    body = payloads.registration(registration())
    assert schema_errors({"$ref": "#/components/schemas/InputParticulierDTO"}, body) == []
    assert body["civilite"] == "2" and body["dateNaissance"] == "1950-03-29T00:00:00Z"
    assert body["lieuNaissance"]["communeNaissance"] == {"codeCommune": "123", "libelleCommune": "Lyon"}


def test_born_abroad_only_the_country_is_sent():
    body = payloads.registration(replace(registration(), birth_place=UrssafBirthPlace("99329")))
    assert body["lieuNaissance"] == {"codePaysNaissance": "99329"}


def test_a_payment_request_in_euros_from_cents():
    line = replace(hours_line("2", "6.012", 200), start=date(2026, 11, 3), end=date(2026, 11, 3), comment="Ménage")
    body = payloads.payment_request(replace(payment_request("client-1", lines=(line,)), down_payment=Money(500)))
    assert schema_errors({"$ref": "#/components/schemas/InputDemandePaiement"}, body) == []
    [sent] = body["inputPrestations"]
    assert sent["mntPrestationTTC"] == Decimal("12.02") and sent["mntUnitaireTTC"] == Decimal("6.012")
    assert sent["unite"] == "HEURE" and sent["complement1"] == "Ménage"
    assert sent["dateDebutEmploi"] == "2026-11-03T00:00:00Z"
    assert body["mntAcompte"] == Decimal("5") and body["mntFactureTTC"] == Decimal("12.02")


def test_a_state_read_from_urssaf():
    state = payloads.state({"idDemandePaiement": "d-1", "statut": {"code": "70", "libelle": "Payée"},
                            "demandePaiement": {"numFactureTiers": "F-1"},
                            "infoVirement": {"mntVirement": Decimal("112.50"), "dateVirement": "2026-12-05T00:00:00Z"}})
    assert (state.status, state.transfer_amount, state.transfer_date) == \
        (UrssafRequestStatus.PAID, Money(11250), date(2026, 12, 5))


@pytest.mark.parametrize("info", [
    {"idDemandePaiement": "d-1", "statut": {"code": "99"}},
    {"idDemandePaiement": "d-1"},
    {"idDemandePaiement": "d-1", "statut": {"code": "70"}, "infoVirement": {"mntVirement": Decimal("1.005")}},
    {"idDemandePaiement": "d-1", "statut": {"code": "70"}, "infoVirement": {"mntVirement": "112.50"}},
])
def test_an_unreadable_state_is_an_error_not_a_guess(info):
    with pytest.raises((KeyError, ValueError, TypeError)):
        payloads.state(info)


def test_refusals_explained_in_french_with_urssaf_words_kept():
    assert explain("ERR_FACTURE_DOUBLON", "La référence existe") == \
        "URSSAF a déjà reçu une demande pour ce numéro de facture. (ERR_FACTURE_DOUBLON : La référence existe)"
    assert explain("ERR_NOUVEAU", "Texte d'URSSAF") == "ERR_NOUVEAU : Texte d'URSSAF"
    refused = UrssafRejected("…", "ERR_TOTAL_PRESTATIONS", ("ERR_TOTAL_PRESTATIONS", "ERR_FACTURE_DOUBLON"))
    assert refused.already_received  # whichever position the duplicate comes in
