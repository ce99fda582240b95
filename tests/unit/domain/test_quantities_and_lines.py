"""Quantities (minutes for hourly tarifs, pieces for flat ones), priced lines and totals."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogust.domain.devis import Devis
from ogust.domain.errors import InvalidValue
from ogust.domain.lines import DevisLine, InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Quantity, Unit
from tests.unit.domain.builders import invoice


@pytest.mark.parametrize("price,minutes,expected", [
    (2500, 150, 6250),   # 25,00 € × 2 h 30 = 62,50 €
    (2750, 20, 917),     # 20 min of 27,50 € = 9,17 €
    (2750, 60, 2750),
    (2500, 1, 42),       # 0,4166… -> 0,42
    (3000, 45, 2250),
    (1, 30, 1),          # 0,5 cent -> 1
    (33651, 710, 398204),  # exactly 3 982,035 € -> 3 982,04 (an exact fraction, not a rounded 11,83 h)
])
def test_hourly_price_is_prorated_on_minutes(price, minutes, expected):
    assert Quantity.hours_minutes(minutes).price(Money(price)) == Money(expected)


def test_flat_price_is_per_piece():
    assert Quantity.pieces(1).price(Money(4990)) == Money(4990)
    assert Quantity.pieces(3).price(Money(4990)) == Money(14970)


@pytest.mark.parametrize("value", [0, -30, 1.5, "60"])
def test_quantity_is_a_positive_integer(value):
    with pytest.raises(ValueError):
        Quantity(value, Unit.HOUR)


@pytest.mark.parametrize("quantity,label", [
    (Quantity.hours_minutes(150), "2 h 30"), (Quantity.hours_minutes(120), "2 h"),
    (Quantity.hours_minutes(5), "0 h 05"), (Quantity.pieces(1), "1 forfait"), (Quantity.pieces(2), "2 forfaits"),
])
def test_quantity_labels_in_french(quantity, label):
    assert quantity.label_fr() == label


def test_line_amounts_vat_on_the_line_rounded_half_up():
    line = InvoiceLine("t", "Aide", Quantity.hours_minutes(150), Money(2750), VatRate.REDUCED_5_5)
    assert line.amount_ht == Money(6875)
    assert line.amount_vat == Money(378)  # 378,125 -> 378
    assert line.amount_ttc == Money(7253)


def test_totals_are_sums_of_lines_and_vat_breakdown_per_rate():
    lines = [
        InvoiceLine("t1", "Ménage", Quantity.hours_minutes(150), Money(2500), VatRate.INTERMEDIATE_10),
        InvoiceLine("t2", "Aide toilette", Quantity.hours_minutes(20), Money(2750), VatRate.REDUCED_5_5),
        InvoiceLine("t3", "Frais", Quantity.pieces(1), Money(1000), VatRate.STANDARD_20),
        InvoiceLine("t1", "Ménage", Quantity.hours_minutes(45), Money(2500), VatRate.INTERMEDIATE_10),
    ]
    inv = invoice(*lines)
    # HT 6250 + 917 + 1000 + 1875 ; VAT 625 + 50 (50,435) + 200 + 188 (187,5)
    assert inv.total_ht == Money(10042)
    assert inv.total_vat == Money(625 + 50 + 200 + 188)
    assert inv.total_ttc == Money(10042 + 1063)
    assert inv.vat_breakdown() == {
        VatRate.INTERMEDIATE_10: Money(813), VatRate.REDUCED_5_5: Money(50), VatRate.STANDARD_20: Money(200),
    }


def test_total_vat_is_not_vat_of_the_total():
    """Three lines of 0,05 € HT at 10 %: each line's VAT rounds up to 0,01 (sum 0,03), not 0,02 on 0,15."""
    lines = [InvoiceLine("t", "x", Quantity.pieces(1), Money(5), VatRate.INTERMEDIATE_10) for _ in range(3)]
    inv = invoice(*lines)
    assert inv.total_vat == Money(3)
    assert inv.total_ttc == Money(18)


def test_devis_has_the_same_totals_and_needs_a_line():
    devis = Devis(company_id="co", client_id="cli", lines=[
        DevisLine("t", "Ménage", Quantity.hours_minutes(120), Money(2500), VatRate.INTERMEDIATE_10)])
    assert (devis.total_ht, devis.total_vat, devis.total_ttc) == (Money(5000), Money(500), Money(5500))
    with pytest.raises(InvalidValue):
        Devis(company_id="co", client_id="cli", lines=[])


line_specs = st.lists(
    st.tuples(
        st.sampled_from([Unit.HOUR, Unit.FLAT]), st.integers(1, 24 * 60), st.integers(1, 100_000),
        st.sampled_from(list(VatRate)),
    ),
    min_size=1, max_size=12,
)


def _lines(specs):
    return [InvoiceLine("t", "x", Quantity(q, unit), Money(price), rate) for unit, q, price, rate in specs]


@settings(max_examples=80, deadline=None)
@given(line_specs)
def test_totals_are_always_the_sums_of_the_lines(specs):
    inv = invoice(*_lines(specs))
    assert inv.total_ttc == Money(sum(l.amount_ttc.cents for l in inv.lines))
    assert inv.total_ht == Money(sum(l.amount_ht.cents for l in inv.lines))
    assert inv.total_ttc == inv.total_ht + inv.total_vat
    assert sum((m.cents for m in inv.vat_breakdown().values()), 0) == inv.total_vat.cents
    assert all(type(m.cents) is int for m in inv.vat_breakdown().values())


@settings(max_examples=80, deadline=None)
@given(line_specs)
def test_each_line_matches_a_decimal_computation(specs):
    for l in _lines(specs):
        per = 60 if l.quantity.unit is Unit.HOUR else 1
        ht = (Decimal(l.unit_price_ht.cents * l.quantity.value) / per).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        vat = (ht * Decimal(l.vat_rate.value) / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert (l.amount_ht.cents, l.amount_vat.cents) == (int(ht), int(vat))
