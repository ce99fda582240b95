"""Money in integer cents, VAT rates, rounding half up — checked against Decimal."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ogust.domain.money import Money, VatRate, total

cents = st.integers(min_value=-10**9, max_value=10**9)
rates = st.sampled_from(list(VatRate))


def reference_half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ------------------------------------------------------------------ Money
@pytest.mark.parametrize("value", [12.5, "1250", Decimal("12.50"), True, None])
def test_money_is_an_integer_number_of_cents_only(value):
    with pytest.raises(TypeError):
        Money(value)


def test_add_and_sub_keep_cents_and_currency():
    assert Money(1050) + Money(250) == Money(1300)
    assert Money(1050) - Money(2000) == Money(-950)
    assert total([Money(1), Money(2), Money(3)]) == Money(6)
    assert total([]) == Money.zero()


def test_currencies_never_mix():
    with pytest.raises(ValueError):
        Money(100) + Money(100, "USD")
    with pytest.raises(ValueError):
        Money(100) - Money(100, "USD")


@pytest.mark.parametrize("amount,num,den,expected", [
    (1, 1, 2, 1),        # 0,5 cent -> 1
    (3, 1, 2, 2),        # 1,5 -> 2
    (-1, 1, 2, -1),      # -0,5 -> -1 (half away from zero, like ROUND_HALF_UP)
    (-3, 1, 2, -2),
    (1, 1, 3, 0),        # 0,33 -> 0
    (2, 1, 3, 1),        # 0,67 -> 1
    (-2, 1, 3, -1),
    (2750, 20, 60, 917),  # 20 min of 27,50 € = 9,1666… -> 9,17
    (1000, 550, 10_000, 55),
    (5, 1, -2, -3),       # negative denominator: -2,5 -> -3
])
def test_times_rounds_half_up_including_negatives(amount, num, den, expected):
    assert Money(amount).times(num, den) == Money(expected)


@settings(max_examples=80, deadline=None)
@given(cents, st.integers(-10**6, 10**6), st.integers(1, 10**6))
def test_times_equals_decimal_round_half_up(amount, numerator, denominator):
    result = Money(amount).times(numerator, denominator)
    assert isinstance(result.cents, int)
    assert result.cents == reference_half_up(amount * numerator, denominator)


@pytest.mark.parametrize("amount,text", [
    (0, "0,00\u00a0€"),
    (5, "0,05\u00a0€"),
    (6250, "62,50\u00a0€"),
    (123450, "1\u202f234,50\u00a0€"),
    (123456789, "1\u202f234\u202f567,89\u00a0€"),
    (-123450, "-1\u202f234,50\u00a0€"),
    (-5, "-0,05\u00a0€"),
])
def test_french_formatting_with_thousands(amount, text):
    assert Money(amount).format_fr() == text
    assert str(Money(amount)) == text


def test_formatting_other_currency_shows_its_code():
    assert Money(100, "CHF").format_fr() == "1,00\u00a0CHF"


# ------------------------------------------------------------------ VAT
@pytest.mark.parametrize("ht,rate,vat", [
    (10000, VatRate.REDUCED_5_5, 550),
    (10000, VatRate.INTERMEDIATE_10, 1000),
    (10000, VatRate.STANDARD_20, 2000),
    (1, VatRate.REDUCED_5_5, 0),         # 0,055 cent -> 0
    (10, VatRate.REDUCED_5_5, 1),        # 0,55 -> 1
    (9, VatRate.INTERMEDIATE_10, 1),     # 0,9 -> 1
    (5, VatRate.INTERMEDIATE_10, 1),     # 0,5 -> 1 (half up)
    (4, VatRate.INTERMEDIATE_10, 0),     # 0,4 -> 0
    (2750, VatRate.REDUCED_5_5, 151),    # 151,25 -> 151
    (2730, VatRate.REDUCED_5_5, 150),    # 150,15 -> 150
    (-5, VatRate.INTERMEDIATE_10, -1),   # a credit line rounds symmetrically
])
def test_tax_on_rounds_half_up_to_the_cent(ht, rate, vat):
    assert rate.tax_on(Money(ht)) == Money(vat)
    assert rate.gross(Money(ht)) == Money(ht + vat)


@settings(max_examples=80, deadline=None)
@given(cents, rates)
def test_vat_is_never_a_float_and_matches_decimal(amount, rate):
    tax = rate.tax_on(Money(amount))
    assert type(tax.cents) is int
    assert tax.cents == reference_half_up(amount * rate.value, 10_000)


@pytest.mark.parametrize("text,rate", [
    ("5.5", VatRate.REDUCED_5_5), ("5,5", VatRate.REDUCED_5_5), (" 5,5 % ", VatRate.REDUCED_5_5),
    ("5.5%", VatRate.REDUCED_5_5), ("10", VatRate.INTERMEDIATE_10), (10, VatRate.INTERMEDIATE_10),
    ("10,0", VatRate.INTERMEDIATE_10), ("20", VatRate.STANDARD_20), (20, VatRate.STANDARD_20),
    ("20.0", VatRate.STANDARD_20),
])
def test_from_percent_parses_french_and_english_notation(text, rate):
    assert VatRate.from_percent(text) is rate


@pytest.mark.parametrize("text", ["7", "19.6", "0", "", "abc", "-10", "2,1", 55, "5 5"])
def test_from_percent_refuses_other_rates(text):
    with pytest.raises(ValueError):
        VatRate.from_percent(text)


def test_rates_in_basis_points_and_labels():
    assert [r.value for r in VatRate] == [550, 1000, 2000]
    assert VatRate.from_basis_points(550) is VatRate.REDUCED_5_5
    assert (VatRate.REDUCED_5_5.percent_label, VatRate.INTERMEDIATE_10.percent_label) == ("5,5 %", "10 %")
    assert (VatRate.REDUCED_5_5.percent, VatRate.STANDARD_20.percent) == ("5.5", "20")
    with pytest.raises(ValueError):
        VatRate.from_basis_points(196)
