"""A shop service maps to a tarif only when price TTC, VAT and unit are identical."""
from __future__ import annotations

import pytest

from ogust.domain.errors import TarifMismatch
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService, ShopServiceMapping, differences
from ogust.domain.units import Unit
from tests.unit.domain.builders import COMPANY, tarif

MENAGE = ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR)


def test_identical_service_maps():
    t = tarif(2500, VatRate.INTERMEDIATE_10, Unit.HOUR)
    assert t.price_ttc == Money(2750)
    mapping = ShopServiceMapping.map(COMPANY, MENAGE, t)
    assert (mapping.shop_service_id, mapping.shop_label, mapping.tarif_id) == ("svc_menage", "Ménage", t.id)
    assert differences(MENAGE, t) == []


@pytest.mark.parametrize("spec,named,not_named", [
    (dict(price_ht=2400), "prix TTC", ("TVA", "unité")),
    (dict(price_ht=2292, vat=VatRate.STANDARD_20), "TVA", ("unité",)),  # 27,50 TTC at 20 % too
    (dict(unit=Unit.FLAT), "unité", ("prix", "TVA")),
])
def test_each_difference_is_named(spec, named, not_named):
    with pytest.raises(TarifMismatch) as refused:
        ShopServiceMapping.map(COMPANY, MENAGE, tarif(**spec))
    assert len(refused.value.differences) == 1
    assert named in refused.value.message
    assert all(word not in refused.value.differences[0] for word in not_named)
    assert refused.value.details["tarif_code"] == "MEN"
    assert refused.value.details["shop_service_id"] == "svc_menage"


def test_price_difference_shows_both_prices_in_french():
    with pytest.raises(TarifMismatch) as refused:
        ShopServiceMapping.map(COMPANY, MENAGE, tarif(2400))
    assert "27,50\u00a0€" in refused.value.message and "26,40\u00a0€" in refused.value.message


def test_vat_difference_shows_the_rates():
    service = ShopService("svc_aide", "Aide", Money(2750), VatRate.REDUCED_5_5, Unit.HOUR)
    with pytest.raises(TarifMismatch) as refused:
        ShopServiceMapping.map(COMPANY, service, tarif(2500))
    assert "5,5 %" in refused.value.message and "10 %" in refused.value.message
    assert len(refused.value.differences) == 1  # same price TTC (27,50 €), only the rate differs


def test_all_differences_together():
    with pytest.raises(TarifMismatch) as refused:
        ShopServiceMapping.map(COMPANY, MENAGE, tarif(3000, VatRate.STANDARD_20, Unit.FLAT))
    assert len(refused.value.differences) == 3


def test_remap_to_an_identical_tarif_and_refusal_keeps_the_old_one():
    first, second = tarif(2500), tarif(2500, code="MEN2", label="Ménage bis")
    mapping = ShopServiceMapping.map(COMPANY, MENAGE, first)
    mapping.remap(MENAGE, second)
    assert mapping.tarif_id == second.id
    with pytest.raises(TarifMismatch):
        mapping.remap(MENAGE, tarif(2600, code="MEN3"))
    assert mapping.tarif_id == second.id
