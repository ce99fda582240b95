"""Business rules on the values that come in — emails, French phone numbers, postal codes, SIRET and
SIREN, amounts, quantities, years, text lengths — checked in the domain, so that the CLI, the API and
the shop's orders all get them. Each check raises ``InvalidValue`` naming the field, in French."""
from __future__ import annotations

import re
from datetime import timedelta

from ogust.domain.errors import InvalidValue
from ogust.domain.money import Money

MAX_AMOUNT_CENTS = 100_000_000  # 1 000 000 € : no tarif, order, invoice or avoir of a SAP company goes beyond
MAX_QUANTITY = 100_000  # minutes (about 1 666 h) or pieces on one invoice line
MAX_INTERVENTION = timedelta(hours=24)
MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_MAX = 200
# What the shop takes (its contract): clients and intervenants go there, so they are held to it here,
# rather than accepted here and refused there, in the shop's English, by a job that then goes dead
PERSON_NAME_MAX = 100  # a first or a last name
PRESENTATION_MAX = 2000  # an intervenant's presentation
SKILL_MAX = 80  # one skill of an intervenant
SERVICE_ID_MAX = 64  # a shop service's id
EMAIL_MAX = 254  # RFC 5321
PHONE_MAX = 30

# one "@", no spaces, a domain of non-empty dot-separated labels (jean.dupont@example.fr)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]+")
# overseas departments dialled from abroad: Réunion/Mayotte, Guadeloupe, Guyane, Martinique
_OVERSEAS_CODES = ("262", "269", "590", "594", "596")
_POSTAL_CODE = re.compile(r"\d{5}")
# NUL and the other control characters but tab and line breaks, DEL, and lone surrogates (no UTF-8 text
# holds one): what no name, address or reason needs, and what PostgreSQL or an encoder refuses to store
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def has_forbidden_characters(text: str, also: str = "") -> bool:
    """``text`` holds a control character (but tab and line breaks), a lone surrogate or one of ``also``."""
    return _FORBIDDEN.search(text) is not None or any(ch in text for ch in also)


def check_characters(value: str, field: str, label: str | None = None) -> str:
    """``value`` unchanged; refused when it holds a control character or a lone surrogate."""
    if has_forbidden_characters(value):
        raise InvalidValue(f"{label or field} : caractères de contrôle refusés.", field=field)
    return value


def check_text(value: str, field: str, label: str, max_length: int = NAME_MAX, required: bool = True) -> str:
    """``value`` stripped; refused when empty (``required``), too long or holding control characters."""
    if not isinstance(value, str):
        raise InvalidValue(f"{label} : texte attendu.", field=field)
    text = value.strip()
    if required and not text:
        raise InvalidValue(f"{label} : champ obligatoire.", field=field)
    if len(text) > max_length:
        raise InvalidValue(f"{label} : trop long (au plus {max_length} caractères).", field=field)
    if has_forbidden_characters(text, also="\r"):
        raise InvalidValue(f"{label} : caractères de contrôle refusés.", field=field)
    return text


def normalise_email(value: str, field: str = "email", required: bool = True) -> str:
    """The address in lower case; "" allowed when not ``required``."""
    email = (value or "").strip().lower()
    if not email and not required:
        return ""
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise InvalidValue(f"Adresse email invalide : {email[:80]!r}", field=field)
    if email.endswith(".invalid"):  # reserved, never delivered (RFC 2606): what a GDPR erasure leaves
        raise InvalidValue(f"Adresse email invalide : {email[:80]!r} (le domaine .invalid ne reçoit rien).",
                           field=field)
    return email


def normalise_phone(value: str, field: str = "phone") -> str:
    """A French number as typed, spaces tidied ("06 12 34 56 78", "+33 6 12 34 56 78", "04.78.00.00.00");
    "" when none. Refused unless it is 0 + 9 digits, +33 (or 0033) + 9 digits, or an overseas +262…"""
    text = " ".join((value or "").split())
    if not text:
        return ""
    refused = InvalidValue(
        f"Numéro de téléphone invalide : {text[:40]!r} (ex. 06 12 34 56 78 ou +33 6 12 34 56 78)", field=field)
    if len(text) > PHONE_MAX or not _PHONE_CHARS.fullmatch(text):
        raise refused
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if text.startswith("+"):
        national = next((digits[len(code):] for code in ("33", *_OVERSEAS_CODES) if digits.startswith(code)), None)
    elif digits.startswith("0033"):
        national = digits[4:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = None
    if national is None or len(national) != 9 or national[0] == "0":
        raise refused
    return text


def check_postal_code(value: str, field: str = "postal_code") -> str:
    """A French postal code: 5 digits of a real department — 01 to 95 (Corsica is 20xxx), the overseas
    departments 971 to 976, and 980 (Monaco) to 988 (overseas collectivities)."""
    code = (value or "").strip()
    refused = InvalidValue(f"Code postal invalide : {code[:20]!r} (5 chiffres d'un département français)",
                           field=field)
    if not _POSTAL_CODE.fullmatch(code):
        raise refused
    department = int(code[:2])
    if 1 <= department <= 95:
        return code
    if code[:3] in {"971", "972", "973", "974", "975", "976"} or code[:2] == "98":
        return code
    raise refused


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


_LA_POSTE = "356000000"  # La Poste's establishments: digit sum divisible by 5 instead of Luhn,
_LA_POSTE_HEAD_OFFICE = "35600000000048"  # except its head office, which follows Luhn


def _siren_problem(digits: str) -> str | None:
    if len(digits) != 9:
        return "longueur"
    if not digits.isdigit():
        return "format"
    return None if _luhn_valid(digits) else "somme de contrôle"


def _siret_problem(digits: str) -> str | None:
    if len(digits) != 14:
        return "longueur"
    if not digits.isdigit():
        return "format"
    if _siren_problem(digits[:9]):
        return "somme de contrôle"
    if digits[:9] == _LA_POSTE and digits != _LA_POSTE_HEAD_OFFICE:
        return None if sum(int(c) for c in digits) % 5 == 0 else "somme de contrôle"
    return None if _luhn_valid(digits) else "somme de contrôle"


def normalise_siret(value: str, field: str = "siret") -> str:
    """14 digits whose checksum (Luhn, La Poste's exception included) holds; spaces removed.
    The same rules as python-stdnum's ``fr.siret`` (a test checks they agree), in the standard library."""
    digits = (value or "").replace(" ", "").replace(".", "")
    problem = _siret_problem(digits)
    if problem:
        raise InvalidValue(f"SIRET invalide : {value!r} (14 chiffres, clé de contrôle : {problem})", field=field)
    return digits


def normalise_siren(value: str, field: str = "siren") -> str:
    digits = (value or "").replace(" ", "").replace(".", "")
    problem = _siren_problem(digits)
    if problem:
        raise InvalidValue(f"SIREN invalide : {value!r} (9 chiffres, clé de contrôle : {problem})", field=field)
    return digits


def check_amount(amount: Money, field: str, label: str = "Le montant") -> Money:
    """A positive amount, in integer cents, at most 1 000 000 €."""
    if not isinstance(amount, Money):
        raise InvalidValue(f"{label} : montant attendu.", field=field)
    if amount.cents <= 0:
        raise InvalidValue(f"{label} doit être positif.", field=field)
    if amount.cents > MAX_AMOUNT_CENTS:
        raise InvalidValue(f"{label} dépasse le plafond de {Money(MAX_AMOUNT_CENTS)}.", field=field)
    return amount


def check_quantity(quantity: int, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidValue(f"Quantité invalide : {quantity!r} (entier de 1 à {MAX_QUANTITY}, minutes ou nombre).",
                           field=field)
    return quantity


def check_year(year: int, field: str = "year") -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidValue(f"Année invalide : {year!r} (de {MIN_YEAR} à {MAX_YEAR}).", field=field)
    return year
