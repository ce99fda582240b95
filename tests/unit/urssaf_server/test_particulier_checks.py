"""The reference server's checks on a client's registration."""
import copy
from datetime import date

import pytest

from ogust_urssaf.particulier_checks import iban_checksum_ok, registration_errors
from tests.support.urssaf_samples import REGISTRATION_JSON

TODAY = date(2026, 12, 3)


def codes(**changes: object) -> list[str]:
    body = {**copy.deepcopy(REGISTRATION_JSON), **changes}
    return [error.code for error in registration_errors(body, TODAY)]


def test_the_sample_registration_passes():
    assert codes() == []


def test_iban_checksum():
    assert iban_checksum_ok("FR7630006000011234567890189")
    assert not iban_checksum_ok("FR7630006000011234567890188")
    bank = {"bic": "BNPAFRPP", "iban": "FR7630006000011234567890188", "titulaire": "Jeanne Martin"}
    assert codes(coordonneeBancaire=bank) == ["ERR_COORDONNEES_BANCAIRES"]


@pytest.mark.parametrize("phone, expected", [("0712345678", []), ("+33612345678", []),
                                             ("0112345678", ["ERR_CONTACT"]), ("061234567", ["ERR_CONTACT"])])
def test_a_french_mobile_phone(phone, expected):
    assert codes(numeroTelephonePortable=phone) == expected


def test_birth_in_france_needs_departement_and_commune_abroad_neither():
    assert codes(lieuNaissance={"codePaysNaissance": "99100"}) == ["ERREUR_LIEU_NAISSANCE_DEPT",
                                                                  "ERR_LIEU_NAISSANCE_COMN"]
    assert codes(lieuNaissance={"codePaysNaissance": "99329"}) == []
    assert codes(lieuNaissance={"codePaysNaissance": "99329", "departementNaissance": "075"}) \
        == ["ERREUR_LIEU_NAISSANCE_PAYS"]


def test_birth_date_not_in_the_future():
    assert codes(dateNaissance="2026-12-04T00:00:00Z") == ["ERR_DATE_NAISSANCE_FUTUR"]


def test_street_type_and_name_go_together():
    address = {**REGISTRATION_JSON["adressePostale"], "codeTypeVoie": ""}
    assert codes(adressePostale=address) == ["ERR_CONTACT_ADRESSE_TYPEVOIE"]


def test_missing_fields_and_wrong_civility():
    assert set(codes(adresseMail=None, prenoms="")) == {"ERREUR_VALIDATION"}
    assert codes(civilite="3") == ["ERREUR_VALIDATION"]
