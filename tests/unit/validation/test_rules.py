"""The business rules on incoming values, in the domain: the CLI, the API and the shop's orders get them."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ogust.domain import validation as rules
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.company import Company
from ogust.domain.errors import InvalidValue
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.intervention import Intervention
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit

HOME = Address("3 rue Haute", "75002", "Paris")


def refused(field: str, make) -> InvalidValue:
    with pytest.raises(InvalidValue) as error:
        make()
    assert error.value.details.get("field") == field, error.value.details
    return error.value


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "+33612345678",
                                   "04.78.00.00.00", "+33 (0)4 78 00 00 00", "0033 6 12 34 56 78",
                                   "+262 692 12 34 56", "01-23-45-67-89", ""])
def test_french_phone_numbers_are_accepted_as_typed(phone):
    assert rules.normalise_phone(phone) == " ".join(phone.split())


@pytest.mark.parametrize("phone", ["0611", "06 12 34 56 7", "06 12 34 56 789", "6 12 34 56 78", "00 12 34 56 78",
                                   "+44 20 7946 0958", "+33 06 12 34 56 78x", "06 12 34 56 78 ; drop", "06 " * 12])
def test_other_phone_numbers_are_refused(phone):
    refused("phone", lambda: rules.normalise_phone(phone))


@pytest.mark.parametrize("code", ["75002", "01000", "20000", "20190", "95880", "97100", "97400", "97600", "98000",
                                  "98800"])
def test_postal_codes_of_real_departments(code):
    assert rules.check_postal_code(code) == code


@pytest.mark.parametrize("code", ["00100", "96000", "97000", "97700", "99000", "7500", "750021", "2A000", " ", ""])
def test_postal_codes_of_no_department_are_refused(code):
    refused("postal_code", lambda: rules.check_postal_code(code))


def test_siret_and_siren_by_their_checksum():
    assert rules.normalise_siret("732 829 320 00074") == "73282932000074"
    assert rules.normalise_siren("732 829 320") == "732829320"
    for bad in ("73282932000075", "7328293200007", "ABCDEFGHIJKLMN", ""):
        assert "SIRET invalide" in refused("siret", lambda bad=bad: rules.normalise_siret(bad)).message
    refused("siren", lambda: rules.normalise_siren("732829321"))


def test_company_checks_its_siret_with_python_stdnum():
    make = lambda siret: Company("Aide & Vous", HOME, siret, "SAP123456789", date(2020, 1, 15))  # noqa: E731
    assert make("73282932000074").siret == "73282932000074"
    refused("siret", lambda: make("12345678900012"))  # 14 digits, wrong key
    refused("address.postal_code", lambda: Company("A", Address("1 rue", "96000", "X"), "73282932000074", "SAP",
                                                   date(2020, 1, 15)))


def test_client_rules_email_phone_address_lengths():
    make = lambda **kw: Client(**({"company_id": "co", "first_name": "Jean", "last_name": "Dupont",  # noqa: E731
                                   "email": "jean@example.fr", "address": HOME} | kw))
    assert make(phone="+33 6 12 34 56 78").phone == "+33 6 12 34 56 78"
    refused("phone", lambda: make(phone="12"))
    refused("email", lambda: make(email="jean@"))
    refused("email", lambda: make(email="a" * 250 + "@example.fr"))
    refused("first_name", lambda: make(first_name="J" * 201))
    refused("address.postal_code", lambda: make(address=Address("1 rue", "00000", "Nulle part")))
    refused("address.street", lambda: make(address=Address(" ", "75002", "Paris")))
    client = make()
    refused("phone", lambda: client.update(phone="0611"))
    assert client.phone == ""  # a refused change leaves the client as it was


def test_intervenant_zones_are_postal_codes():
    make = lambda zones: Intervenant("co", "Marie", "Curie", "M001", profile=ShopProfile(zones=zones))  # noqa: E731
    assert make(("69003", "20000")).profile.zones == ("69003", "20000")
    refused("profile.zones", lambda: make(("69003", "99999")))
    refused("email", lambda: Intervenant("co", "Marie", "Curie", "M001", email="pas-un-email"))


def test_amounts_are_positive_integer_cents_within_bounds():
    tarif = lambda cents: Tarif("co", "MEN", "Ménage", Unit.HOUR, Money(cents), VatRate.INTERMEDIATE_10)  # noqa: E731
    assert tarif(rules.MAX_AMOUNT_CENTS).price_ht.cents == 100_000_000
    refused("price_ht", lambda: tarif(0))
    refused("price_ht", lambda: tarif(rules.MAX_AMOUNT_CENTS + 1))
    with pytest.raises(TypeError):
        Money(12.5)


def test_an_intervention_lasts_at_most_24_hours_within_2000_2100():
    start = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    make = lambda s, e: Intervention("co", "cl", "in", "ta", s, e, HOME)  # noqa: E731
    assert make(start, start + timedelta(hours=24)).minutes == 24 * 60
    refused("end", lambda: make(start, start + timedelta(hours=24, minutes=1)))
    refused("end", lambda: make(start, start))
    far = datetime(2101, 1, 1, 9, tzinfo=UTC)
    refused("start", lambda: make(far, far + timedelta(hours=1)))


def test_quantities_and_years():
    assert rules.check_quantity(rules.MAX_QUANTITY) == 100_000
    for bad in (0, -1, rules.MAX_QUANTITY + 1, True, 1.5):
        refused("quantity", lambda bad=bad: rules.check_quantity(bad))
    for bad in (1999, 2101):
        refused("year", lambda bad=bad: rules.check_year(bad))


def test_control_characters_are_refused_in_text():
    refused("name", lambda: rules.check_text("Aide\x00Vous", "name", "Raison sociale"))
