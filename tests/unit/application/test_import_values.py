"""The values of a French CSV file, read as French software writes them — and refused in French."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.application.imports.reading import decode, header_name
from ogust.application.imports.values import amount, day, payment_method, quantity, vat_rate, yes_no
from ogust.domain.errors import InvalidValue
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit


@pytest.mark.parametrize(("text", "cents"), [
    ("27,50", 2750), ("27.50", 2750), ("1 234,56", 123456), ("1\u202f234,56 €", 123456), ("1.234,56", 123456),
    ("25", 2500), ("0,01", 1), ("1 000 000,00", 100_000_000),
])
def test_amounts_with_a_decimal_comma(text: str, cents: int) -> None:
    assert amount(text) == Money(cents)


@pytest.mark.parametrize(("text", "said"), [
    ("27,505", "au centime près"), ("abc", "illisible"), ("0", "positif"), ("-5,00", "positif"),
    ("1 000 000,01", "plafond"), ("NaN", "illisible"), ("1e400", "démesuré"),
])
def test_amounts_refused(text: str, said: str) -> None:
    with pytest.raises(InvalidValue, match=said):
        amount(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("15/03/2026", date(2026, 3, 15)), ("5/3/2026", date(2026, 3, 5)), ("2026-03-15", date(2026, 3, 15)),
])
def test_dates_french_or_iso(text: str, expected: date) -> None:
    assert day(text) == expected


@pytest.mark.parametrize(("text", "said"), [
    ("15/03/26", "JJ/MM/AAAA"), ("31/02/2026", "inexistante"), ("15/03/1999", "Année invalide"),
    ("03/15/2026", "inexistante"), ("le 15 mars", "illisible"),
])
def test_dates_refused(text: str, said: str) -> None:
    with pytest.raises(InvalidValue, match=said):
        day(text)


@pytest.mark.parametrize(("text", "minutes"), [
    ("2", 120), ("2,5", 150), ("2.25", 135), ("2:30", 150), ("2h30", 150), ("2 h 05", 125), ("1h", 60),
    ("0,75", 45),
])
def test_hours_as_minutes(text: str, minutes: int) -> None:
    assert quantity(text, Unit.HOUR) == minutes


@pytest.mark.parametrize(("text", "unit", "said"), [
    ("2,01", Unit.HOUR, "nombre entier de minutes"), ("2:75", Unit.HOUR, "minutes de 0 à 59"),
    ("0", Unit.HOUR, "Quantité invalide"), ("1,5", Unit.FLAT, "entiers"), ("deux", Unit.FLAT, "illisible"),
])
def test_quantities_refused(text: str, unit: Unit, said: str) -> None:
    with pytest.raises(InvalidValue, match=said):
        quantity(text, unit)


def test_a_flat_quantity_is_a_count() -> None:
    assert quantity("3", Unit.FLAT) == quantity("3,0", Unit.FLAT) == 3


@pytest.mark.parametrize(("text", "rate"), [("5,5", VatRate.REDUCED_5_5), ("5.50", VatRate.REDUCED_5_5),
                                            ("10 %", VatRate.INTERMEDIATE_10), ("20", VatRate.STANDARD_20)])
def test_vat_rates(text: str, rate: VatRate) -> None:
    assert vat_rate(text) is rate


@pytest.mark.parametrize("text", ["7", "0", "19,6", "dix"])
def test_other_vat_rates_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        vat_rate(text)


def test_payment_methods_in_french_and_the_card_refused() -> None:
    assert [payment_method(text) for text in ("Chèque", "VIREMENT", "cesu", "espèces", "APA-PCH")] == [
        PaymentMethod.CHEQUE, PaymentMethod.TRANSFER, PaymentMethod.CESU, PaymentMethod.CASH, PaymentMethod.APA_PCH]
    with pytest.raises(InvalidValue, match="paiement par carte de l'ancien logiciel"):
        payment_method("CB")
    with pytest.raises(InvalidValue, match="Mode de règlement 'bitcoin' inconnu"):
        payment_method("bitcoin")


def test_yes_or_no() -> None:
    assert [yes_no(text) for text in ("oui", "Non", "O", "0", "vrai")] == [True, False, True, False, True]
    with pytest.raises(InvalidValue):
        yes_no("peut-être")


def test_headers_are_read_case_and_accents_aside() -> None:
    assert [header_name(text) for text in ("Prénom", " Code postal ", "Date d'intervention", "\ufeffEmail",
                                            "Prix unitaire HT")] == [
        "prenom", "code_postal", "date_d_intervention", "email", "prix_unitaire_ht"]


def test_decoding_utf8_with_or_without_its_mark_else_windows_1252() -> None:
    assert decode("Hélène".encode()) == ("Hélène", "utf-8")
    assert decode(b"\xef\xbb\xbf" + "Hélène".encode()) == ("Hélène", "utf-8")
    assert decode("Hélène œuvre 5 €".encode("cp1252")) == ("Hélène œuvre 5 €", "windows-1252")
    with pytest.raises(ValueError, match="UTF-16"):
        decode("Hélène".encode("utf-16"))
    with pytest.raises(ValueError, match="encodage inconnu"):
        decode(b"caf\xe9 \x81")  # not UTF-8, and 0x81 is no Windows-1252 character
