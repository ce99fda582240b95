"""The company (SIRET, SAP declaration, shop link) and its gapless numbering series."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.domain.address import Address
from ogust.domain.company import Company, NumberSequence
from ogust.domain.errors import InvalidValue, ShopNotLinked


def company(**overrides) -> Company:
    fields = dict(name="Aide & Vous", address=Address("1 rue de la Paix", "75002", "Paris"),
                  siret="732 829 320 00074", sap_declaration_number="SAP123456789",
                  sap_declaration_date=date(2020, 1, 15))
    return Company(**(fields | overrides))


def test_siret_is_14_digits_spaces_removed():
    assert company().siret == "73282932000074"
    assert company().timezone == "Europe/Paris"


@pytest.mark.parametrize("siret", ["7328293200007", "732829320000745", "7328293200007A", "", "73282932 0007"])
def test_bad_siret_is_refused(siret):
    with pytest.raises(InvalidValue) as refused:
        company(siret=siret)
    assert refused.value.details["field"] == "siret"


def test_sap_declaration_number_is_required():
    with pytest.raises(InvalidValue):
        company(sap_declaration_number="  ")


def test_link_shop_needs_a_secret_of_16_characters():
    co = company()
    with pytest.raises(ShopNotLinked):
        co.require_shop()
    with pytest.raises(InvalidValue):
        co.link_shop("acc_1", "x" * 15)
    with pytest.raises(InvalidValue):
        co.link_shop("  ", "x" * 16)
    assert not co.shop_linked
    co.link_shop(" acc_1 ", "x" * 16)
    assert co.shop_linked and co.require_shop() == "acc_1" and co.shop_webhook_secret == "x" * 16


def test_number_sequence_is_gapless_and_formatted():
    seq = NumberSequence(company_id="co", prefix="FA", year=2026, last_value=122)
    assert seq.next_number() == "FA-2026-000123"
    assert seq.next_number() == "FA-2026-000124"
    fresh = NumberSequence(company_id="co", prefix="AF", year=2027)
    assert [fresh.next_number() for _ in range(3)] == ["AF-2027-000001", "AF-2027-000002", "AF-2027-000003"]
