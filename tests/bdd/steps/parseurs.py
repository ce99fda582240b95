"""Typed parsers: the words of the scenarios turned into values (amounts in cents, VAT rates, units,
durations, time slots), and the small vocabulary shared by the steps."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from parse import with_pattern
from pytest_bdd import parsers

from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit

PARIS = ZoneInfo("Europe/Paris")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def espaces(text: str) -> str:
    """One plain space wherever French typography puts a (narrow) no-break one."""
    return _SPACES.sub(" ", text).strip()


@with_pattern(r"-?\d{1,3}(?:[ \u00a0\u202f]?\d{3})*,\d{2}[ \u00a0]?€")
def montant(text: str) -> int:
    """« 1 234,50 € » → 123450 (cents)."""
    digits = re.sub(r"[^\d,-]", "", text)
    euros, cents = digits.split(",")
    sign = -1 if euros.startswith("-") else 1
    return sign * (abs(int(euros)) * 100 + int(cents))


@with_pattern(r"\d+(?:,\d+)? ?%")
def taux(text: str) -> VatRate:
    """« 5,5 % » → VatRate.REDUCED_5_5."""
    return VatRate.from_percent(text)


@with_pattern(r"heure|forfait")
def unite(text: str) -> Unit:
    return {"heure": Unit.HOUR, "forfait": Unit.FLAT}[text]


@with_pattern(r"\d+ h(?: \d{2})?")
def duree(text: str) -> int:
    """« 1 h 30 » → 90 (minutes)."""
    hours, _, minutes = text.partition(" h")
    return int(hours) * 60 + int(minutes.strip() or 0)


_HEURE = r"\d{1,2} h(?: \d{2})?"
_JOUR = r"(?:hier|aujourd'hui|demain|dans \d+ jours)"


@with_pattern(_JOUR)
def jour(text: str, today: date | None = None) -> date:
    """« dans 3 jours » → the date, in Paris, 3 days from today."""
    today = today or datetime.now(PARIS).date()
    if text == "hier":
        return today - timedelta(days=1)
    if text == "aujourd'hui":
        return today
    if text == "demain":
        return today + timedelta(days=1)
    return today + timedelta(days=int(text.split()[1]))


def _heure(text: str) -> time:
    hours, _, minutes = text.partition(" h")
    return time(int(hours), int(minutes.strip() or 0))


@with_pattern(rf"{_JOUR}, de {_HEURE} à {_HEURE}")
def creneau(text: str) -> tuple[datetime, datetime]:
    """« dans 3 jours, de 9 h à 11 h 30 » → (start, end), aware, in Paris."""
    day_text, _, hours = text.partition(", de ")
    start_text, _, end_text = hours.partition(" à ")
    day = jour(day_text)
    return (datetime.combine(day, _heure(start_text), PARIS), datetime.combine(day, _heure(end_text), PARIS))


@with_pattern(r"\d{4} \d{4} \d{4} \d{4}")
def carte(text: str) -> str:
    """« 4242 4242 4242 4242 » → "4242424242424242"."""
    return text.replace(" ", "")


@with_pattern(r"[^«»]+")
def liste(text: str) -> list[str]:
    """« Ménage, Aide à la toilette » → ["Ménage", "Aide à la toilette"] (empty text: none)."""
    return [item.strip() for item in text.split(",") if item.strip()]


TYPES = {"Jour": jour, "Montant": montant, "Taux": taux, "Unite": unite, "Duree": duree, "Creneau": creneau,
         "Carte": carte, "Liste": liste}


def lignes(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A data table whose first row names the columns, as one dict per following row."""
    head, *rows = datatable
    return [dict(zip(head, row, strict=True)) for row in rows]


def p(format_: str) -> parsers.parse:
    """A step parser knowing the types above: ``p("le tarif à {prix:Montant} HT")``."""
    return parsers.parse(format_, extra_types=TYPES)


def euros(cents: int) -> str:
    """123450 → « 1 234,50 € » with plain spaces, as the scenarios write amounts."""
    return espaces(Money(cents).format_fr())
