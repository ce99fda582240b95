"""The reference server's checks on one demande de paiement, without a server: sums to the cent,
one calendar month, no future date, ten lines at most, the intervenant, the shape."""
from datetime import date
from decimal import Decimal

import pytest

from ogust_urssaf.demande_checks import content_errors, shape_errors
from tests.support.urssaf_samples import demande

TODAY = date(2026, 12, 3)


def codes(item: dict, natures: frozenset[str] | None = None) -> list[str]:
    errors = shape_errors(item)
    return [e.code for e in errors] if errors else [e.code for e in content_errors(item, TODAY, natures)]


def test_the_sample_request_passes_every_check():
    assert codes(demande()) == []


def test_lines_must_add_up_to_the_invoice_total_to_the_cent():
    assert codes(demande(mntFactureTTC=Decimal("112.51"))) == ["ERR_TOTAL_PRESTATIONS"]
    assert codes(demande(mntFactureTTC=Decimal("112.49"))) == ["ERR_TOTAL_PRESTATIONS"]


def test_unit_price_times_quantity_is_the_line_total_rounded_to_the_cent():
    item = demande()
    item["inputPrestations"][0]["mntUnitaireTTC"] = Decimal("25.01")  # 3 × 25.01 = 75.03 ≠ 75.00
    assert codes(item) == ["ERR_MNT_PREST_TTC"]
    rounded = demande(mntFactureTTC=Decimal("12.02"), mntFactureHT=Decimal("10.02"))
    rounded["inputPrestations"] = [{**rounded["inputPrestations"][0], "quantite": Decimal("2"),
                                    "mntUnitaireTTC": Decimal("6.012"), "mntPrestationTTC": Decimal("12.02"),
                                    "mntPrestationHT": Decimal("10.02"), "mntPrestationTVA": Decimal("2.00")}]
    assert codes(rounded) == []  # 2 × 6.012 = 12.024, 12.02 to the cent (enDI's own example)


def test_ht_plus_vat_is_ttc_on_each_line():
    item = demande()
    item["inputPrestations"][1]["mntPrestationTVA"] = Decimal("1.96")
    assert codes(item) == ["ERR_MNT_PREST_HT_TVA"]


def test_two_decimals_on_amounts_three_on_the_unit_price():
    item = demande(mntFactureHT=Decimal("106.640"))  # trailing zero: still two decimals
    assert codes(item) == []
    item = demande()
    item["inputPrestations"][0]["mntPrestationHT"] = Decimal("71.085")
    item["inputPrestations"][0]["mntPrestationTVA"] = Decimal("3.915")
    assert "ERR_FORMAT_VALEUR" in codes(item)
    item = demande()
    item["inputPrestations"][0]["mntUnitaireTTC"] = Decimal("25.0001")
    assert "ERR_FORMAT_VALEUR" in codes(item)


def test_no_negative_amount():
    item = demande()
    item["inputPrestations"][1] = {**item["inputPrestations"][1], "mntPrestationTTC": Decimal("-37.50"),
                                   "mntPrestationHT": Decimal("-35.55"), "mntPrestationTVA": Decimal("-1.95"),
                                   "quantite": Decimal("-1.5")}
    assert "ERR_VALEUR_NEGATIVE" in codes(item)


def test_one_calendar_month():
    assert codes(demande(dateDebutEmploi="2026-10-31T00:00:00Z")) == ["ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE"]
    assert codes(demande(dateDebutEmploi="2026-11-01T00:00:00Z", dateFinEmploi="2026-11-30T00:00:00Z")) == []
    # same month number, another year
    assert codes(demande(dateDebutEmploi="2025-11-02T00:00:00Z")) == ["ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE"]


def test_a_line_period_is_held_to_the_same_rules():
    item = demande()
    item["inputPrestations"][0]["dateDebutEmploi"] = "2026-10-30T00:00:00Z"
    assert codes(item) == ["ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE"]


def test_end_before_start():
    assert codes(demande(dateDebutEmploi="2026-11-20T00:00:00Z", dateFinEmploi="2026-11-10T00:00:00Z")) \
        == ["ERR_DATE_FIN_AVANT_DATE_DEB"]


def test_not_in_the_future():
    assert codes(demande(dateDebutEmploi="2026-12-01T00:00:00Z", dateFinEmploi="2026-12-03T00:00:00Z",
                         dateFacture="2026-12-03T00:00:00Z")) == []  # today is not the future
    assert codes(demande(dateDebutEmploi="2026-12-01T00:00:00Z", dateFinEmploi="2026-12-04T00:00:00Z",
                         dateFacture="2026-12-03T00:00:00Z")) == ["ERR_DATE_FUTUR"]
    assert codes(demande(dateFacture="2026-12-04T00:00:00Z")) == ["ERR_DATE_FUTUR"]


@pytest.mark.parametrize("count, expected", [(10, []), (11, ["ERR_NBRE_PREST_MAX"])])
def test_ten_lines_at_most(count, expected):
    line = {"codeNature": "10", "quantite": Decimal("1"), "unite": "FORFAIT", "mntUnitaireTTC": Decimal("10"),
            "mntPrestationTTC": Decimal("10.00"), "mntPrestationHT": Decimal("10.00"),
            "mntPrestationTVA": Decimal("0"), "complement2": "SIR12345678900011"}
    item = demande(mntFactureTTC=Decimal(10 * count), mntFactureHT=Decimal(10 * count),
                   inputPrestations=[dict(line) for _ in range(count)])
    assert codes(item) == expected


def test_down_payment_at_most_half_the_invoice():
    assert codes(demande(mntAcompte=Decimal("56.25"))) == []
    assert codes(demande(mntAcompte=Decimal("56.26"))) == ["ERR_MONTANT_ACOMPTE"]


def test_the_intervenant_is_required_and_well_formed():
    item = demande()
    del item["inputPrestations"][0]["complement2"]
    assert codes(item) == ["ERR_NUMINTERVENANT_MANQUANT"]
    item = demande()
    item["inputPrestations"][0]["complement2"] = "SAP12345"
    assert codes(item) == ["ERR_FORMAT_NUMINTERVENANT"]


def test_nature_codes_from_the_tiers_list_when_it_has_one():
    assert codes(demande(), natures=frozenset({"10", "20"})) == []
    assert codes(demande(), natures=frozenset({"20"})) == ["ERR_CODE_NATURE", "ERR_CODE_NATURE"]  # one per line


@pytest.mark.parametrize("change", [
    {"mntFactureTTC": "112.50"},  # a string, not a number
    {"mntFactureTTC": 112.5},  # a float never reaches the checks: JSON numbers are parsed as Decimal
    {"mntFactureTTC": True},
    {"mntFactureTTC": Decimal("1e400")},
    {"dateFacture": "2026-11-30"},  # no time, no zone
    {"dateFacture": "2026-11-30T00:00:00"},  # no zone
    {"numFactureTiers": ""},
    {"numFactureTiers": "x" * 51},
    {"inputPrestations": []},
    {"inputPrestations": "none"},
    {"inputPrestations": [{"codeNature": "10"}]},
    {"idClient": None},
])
def test_malformed_fields_are_validation_errors(change):
    assert set(codes(demande(**change))) == {"ERREUR_VALIDATION"}


def test_a_wrong_unit_is_a_validation_error():
    item = demande()
    item["inputPrestations"][0]["unite"] = "JOUR"
    assert codes(item) == ["ERREUR_VALIDATION"]
