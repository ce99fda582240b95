"""The values of a French CSV file: amounts with a decimal comma (« 1 234,56 »), dates JJ/MM/AAAA (or
AAAA-MM-JJ), hours (« 2,5 », « 2:30 », « 2h30 »), VAT rates (« 5,5 », « 10 % »), « oui » / « non »,
payment methods in French. Each parser raises ``InvalidValue`` in French; ``Cells`` turns those
into the refusals of a line, column by column."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from ogust.application.imports.reading import Row
from ogust.application.imports.report import FileReport
from ogust.domain.errors import DomainError, InvalidValue
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.units import Unit
from ogust.domain.validation import check_amount, check_quantity, check_year

T = TypeVar("T")

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_THOUSANDS_DOTS = re.compile(r"\d{1,3}(\.\d{3})+,\d*")  # 1.234,56
_HOURS = re.compile(r"(\d+)\s*[h:]\s*(\d{1,2})?\s*(?:min)?", re.IGNORECASE)  # 2:30, 2h30, 2 h, 2h
_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def plain(text: str) -> str:
    """Lower case, accents off: « Chèque » → cheque."""
    return unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore").decode()


def decimal_fr(text: str, what: str) -> Decimal:
    """« 1 234,56 », « 1234.56 », « 1.234,56 », « 25 € » → Decimal."""
    cleaned = _SPACES.sub("", text).replace("€", "")
    if _THOUSANDS_DOTS.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidValue(f"{what} illisible : {text!r} (un nombre, virgule décimale, ex. 27,50).") from None
    if not value.is_finite():
        raise InvalidValue(f"{what} illisible : {text!r} (un nombre, ex. 27,50).")
    return value


def amount(text: str, what: str = "Montant") -> Money:
    """Euros to the cent, positive, at most 1 000 000 € (the domain's ceiling)."""
    value = decimal_fr(text, what) * 100
    if value != value.to_integral_value():
        raise InvalidValue(f"{what} au centime près attendu : {text!r} (deux décimales au plus).")
    if abs(value) > 10**12:
        raise InvalidValue(f"{what} démesuré : {text!r}.")
    return check_amount(Money(int(value)), "", what)


def day(text: str, what: str = "Date") -> date:
    """JJ/MM/AAAA (J/M/AAAA too) or AAAA-MM-JJ, within 2000–2100."""
    found = _DATE_FR.fullmatch(text.strip())
    if found:
        day_, month, year = (int(part) for part in found.groups())
    elif found := _DATE_ISO.fullmatch(text.strip()):
        year, month, day_ = (int(part) for part in found.groups())
    else:
        raise InvalidValue(f"{what} illisible : {text!r} (JJ/MM/AAAA, ex. 15/03/2026).")
    check_year(year, "")
    try:
        return date(year, month, day_)
    except ValueError:
        raise InvalidValue(f"{what} inexistante : {text!r}.") from None


def quantity(text: str, unit: Unit) -> int:
    """Minutes for an hourly tarif (« 2,5 » or « 2:30 » hours), a count for a flat one."""
    if unit is Unit.HOUR:
        found = _HOURS.fullmatch(text.strip())
        if found:
            minutes_part = int(found.group(2) or 0)
            if minutes_part >= 60:
                raise InvalidValue(f"Durée illisible : {text!r} (minutes de 0 à 59).")
            minutes = int(found.group(1)) * 60 + minutes_part
        else:
            hours = decimal_fr(text, "Nombre d'heures") * 60
            if hours != hours.to_integral_value():
                raise InvalidValue(f"Nombre d'heures {text!r} : pas un nombre entier de minutes "
                                   "(ex. 2,5 ou 2:30 pour 2 h 30).")
            minutes = int(hours)
        return check_quantity(minutes, "")
    count = decimal_fr(text, "Quantité")
    if count != count.to_integral_value():
        raise InvalidValue(f"Quantité {text!r} : un forfait se compte en entiers.")
    return check_quantity(int(count), "")


_RATES = {Decimal("5.5"): VatRate.REDUCED_5_5, Decimal("10"): VatRate.INTERMEDIATE_10,
          Decimal("20"): VatRate.STANDARD_20}


def vat_rate(text: str) -> VatRate:
    value = decimal_fr(text.strip().rstrip("%"), "Taux de TVA")
    rate = _RATES.get(value)
    if rate is None:
        raise InvalidValue(f"Taux de TVA {text!r} inconnu : 5,5, 10 ou 20 (%) pour les services à la personne.")
    return rate


_YES = {"oui", "o", "1", "vrai", "true", "x"}
_NO = {"non", "n", "0", "faux", "false"}


def yes_no(text: str) -> bool:
    word = plain(text)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise InvalidValue(f"{text!r} : « oui » ou « non » attendu.")


METHODS = {"cheque": PaymentMethod.CHEQUE, "virement": PaymentMethod.TRANSFER, "cesu": PaymentMethod.CESU,
           "especes": PaymentMethod.CASH, "apa-pch": PaymentMethod.APA_PCH, "apa": PaymentMethod.APA_PCH,
           "pch": PaymentMethod.APA_PCH}
_CARD = {"carte", "cb", "carte bancaire"}


def payment_method(text: str) -> PaymentMethod:
    word = plain(text)
    if word in _CARD:
        raise InvalidValue(f"{text!r} : un paiement par carte de l'ancien logiciel ne se reprend pas — ogust ne "
                           "connaît une carte que débitée par son prestataire (Stripe), et un avoir la rembourserait "
                           "par lui. Saisissez ce règlement dans ogust (ogust invoice pay) selon son moyen réel "
                           "d'encaissement, ou laissez la facture due.")
    method = METHODS.get(word)
    if method is None:
        raise InvalidValue(f"Mode de règlement {text!r} inconnu : cheque, virement, cesu, especes ou apa-pch.")
    return method


class Cells:
    """One line's values, each parsed or refused; ``refused`` once any was."""

    def __init__(self, row: Row, report: FileReport) -> None:
        self.row = row
        self.report = report
        self.refused = False

    def take(self, column: str, parse: Callable[[str], T], required: bool = True) -> T | None:
        """The column's value parsed; None when it is empty and not ``required``, or refused."""
        text = self.row[column]
        if not text:
            if required:
                self.refuse(column, "valeur obligatoire manquante.")
            return None
        try:
            return parse(text)
        except DomainError as error:
            self.refuse(column, error.message)
            return None

    def check(self, column: str | None, rule: Callable[[], T], fields: dict[str, str] | None = None) -> T | None:
        """Run a domain rule for the line; its refusal is said against ``column`` — or against the
        column ``fields`` names for the domain's field at fault."""
        try:
            return rule()
        except DomainError as error:
            self.refuse((fields or {}).get(str(error.details.get("field")), column), error.message)
            return None

    def refuse(self, column: str | None, reason: str) -> None:
        self.refused = True
        self.report.refuse(self.row.line, column, reason)
