"""The checks URSSAF makes on one payment request (*demande de paiement*) that need no stored
state: its shape, its sums to the cent, its period, its lines. The checks against stored state
(the client, the link, the invoice number already used) live in ``service.py``.

Amounts arrive as JSON numbers parsed into ``Decimal`` (never float), so that « two decimals »
and « HT + TVA = TTC » are checked exactly."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from ogust_urssaf.errors import Erreur

REQUIRED = ("idTiersFacturation", "idClient", "dateNaissanceClient", "numFactureTiers", "dateFacture",
            "dateDebutEmploi", "dateFinEmploi", "mntFactureTTC", "mntFactureHT", "inputPrestations")
LINE_REQUIRED = ("codeNature", "quantite", "unite", "mntUnitaireTTC", "mntPrestationTTC", "mntPrestationHT",
                 "mntPrestationTVA")
TEXTS = ("idTiersFacturation", "idClient", "numFactureTiers")
INSTANTS = ("dateNaissanceClient", "dateFacture", "dateDebutEmploi", "dateFinEmploi")
LINE_AMOUNTS = ("mntPrestationTTC", "mntPrestationHT", "mntPrestationTVA")
UNITS = ("HEURE", "FORFAIT")
MAX_LINES = 10
CENT = Decimal("0.01")
LARGEST = Decimal(10) ** 12  # beyond any invoice, and within Decimal's exact precision
# complement2: « SAP » + the SIREN (the NOVA number) or « SIR » + the SIRET of the intervenant, as
# sent by the open-source clients (enDI: "SIR{siret}"; others: "SAP852330992").
INTERVENANT = re.compile(r"(SAP\d{9}|SIR\d{14})")
NATURE = re.compile(r"[0-9A-Za-z]{1,10}")


def parse_instant(value: object) -> datetime | None:
    """ISO 8601 with its zone (``2026-11-03T00:00:00Z``); None when it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def day_of(value: object) -> date | None:
    """The calendar day a request means: the date written before the ``T``."""
    moment = parse_instant(value)
    return moment.date() if moment else None


def amount(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    return number if number.is_finite() and abs(number) < LARGEST else None


def decimals(number: Decimal) -> int:
    return max(0, -int(number.normalize().as_tuple().exponent))


def shape_errors(item: object) -> list[Erreur]:
    """Missing fields and wrong types, as ERREUR_VALIDATION entries naming the field."""
    if not isinstance(item, dict):
        return [Erreur("ERREUR_VALIDATION", "Une demande de paiement est un objet JSON.")]
    errors = [Erreur("ERREUR_VALIDATION", f"{name} : champ obligatoire absent.") for name in REQUIRED
              if item.get(name) is None]
    errors += [Erreur("ERREUR_VALIDATION", f"{name} : texte attendu (1 à 50 caractères).") for name in TEXTS
               if item.get(name) is not None and not _text(item[name], 50)]
    errors += [Erreur("ERREUR_VALIDATION", f"{name} : date ISO 8601 avec fuseau attendue (AAAA-MM-JJT00:00:00Z).")
               for name in (*INSTANTS, "dateVersementAcompte") if item.get(name) is not None
               and parse_instant(item[name]) is None]
    errors += [Erreur("ERREUR_VALIDATION", f"{name} : nombre attendu.") for name in
               ("mntFactureTTC", "mntFactureHT", "mntAcompte") if item.get(name) is not None
               and amount(item[name]) is None]
    lines = item.get("inputPrestations")
    if lines is not None and (not isinstance(lines, list) or not lines):
        errors.append(Erreur("ERREUR_VALIDATION", "inputPrestations : liste non vide attendue."))
    elif isinstance(lines, list):
        for index, line in enumerate(lines):
            errors += _line_shape_errors(index, line)
    return errors


def _line_shape_errors(index: int, line: object) -> list[Erreur]:
    where = f"inputPrestations[{index}]"
    if not isinstance(line, dict):
        return [Erreur("ERREUR_VALIDATION", f"{where} : objet attendu.")]
    errors = [Erreur("ERREUR_VALIDATION", f"{where}.{name} : champ obligatoire absent.") for name in LINE_REQUIRED
              if line.get(name) is None]
    errors += [Erreur("ERREUR_VALIDATION", f"{where}.{name} : nombre attendu.")
               for name in ("quantite", "mntUnitaireTTC", *LINE_AMOUNTS)
               if line.get(name) is not None and amount(line[name]) is None]
    if line.get("unite") is not None and line["unite"] not in UNITS:
        errors.append(Erreur("ERREUR_VALIDATION", f"{where}.unite : HEURE ou FORFAIT."))
    if line.get("codeNature") is not None and not _text(line["codeNature"], 10):
        errors.append(Erreur("ERREUR_VALIDATION", f"{where}.codeNature : texte attendu."))
    for name in ("codeActivite", "complement1", "complement2"):
        if line.get(name) is not None and not isinstance(line[name], str):
            errors.append(Erreur("ERREUR_VALIDATION", f"{where}.{name} : texte attendu."))
    for name in ("dateDebutEmploi", "dateFinEmploi"):
        if line.get(name) is not None and parse_instant(line[name]) is None:
            errors.append(Erreur("ERREUR_VALIDATION", f"{where}.{name} : date ISO 8601 avec fuseau attendue."))
    return errors


def content_errors(item: dict, today: date, natures: frozenset[str] | None) -> list[Erreur]:
    """The documented business checks of a well-shaped request (``shape_errors`` found nothing)."""
    lines: list[dict] = item["inputPrestations"]
    errors: list[Erreur] = []
    if len(lines) > MAX_LINES:
        errors.append(Erreur("ERR_NBRE_PREST_MAX", f"{len(lines)} prestations pour {MAX_LINES} au plus."))
    errors += amount_errors(item)
    errors += period_errors(item, today)
    errors += line_errors(lines, natures)
    return _unique(errors)


def amount_errors(item: dict) -> list[Erreur]:
    lines: list[dict] = item["inputPrestations"]
    ttc, ht = amount(item["mntFactureTTC"]), amount(item["mntFactureHT"])
    acompte = amount(item.get("mntAcompte")) if item.get("mntAcompte") is not None else Decimal(0)
    assert ttc is not None and ht is not None and acompte is not None
    errors: list[Erreur] = []
    for name, value in (("mntFactureTTC", ttc), ("mntFactureHT", ht), ("mntAcompte", acompte)):
        errors += _amount_format(name, value, 2)
    for index, line in enumerate(lines):
        where = f"inputPrestations[{index}]"
        quantity, unit_price = amount(line["quantite"]), amount(line["mntUnitaireTTC"])
        line_ttc, line_ht, line_tva = (amount(line[name]) for name in LINE_AMOUNTS)
        assert quantity is not None and unit_price is not None
        assert line_ttc is not None and line_ht is not None and line_tva is not None
        errors += _amount_format(f"{where}.quantite", quantity, 2)
        errors += _amount_format(f"{where}.mntUnitaireTTC", unit_price, 3)
        for name, value in zip(LINE_AMOUNTS, (line_ttc, line_ht, line_tva), strict=True):
            errors += _amount_format(f"{where}.{name}", value, 2)
        if (quantity * unit_price).quantize(CENT, ROUND_HALF_UP) != line_ttc:
            errors.append(Erreur("ERR_MNT_PREST_TTC",
                                 f"{where} : {quantity} × {unit_price} ≠ {line_ttc} (arrondi au centime)."))
        if line_ht + line_tva != line_ttc:
            errors.append(Erreur("ERR_MNT_PREST_HT_TVA", f"{where} : {line_ht} + {line_tva} ≠ {line_ttc}."))
    lines_ttc = sum((amount(line["mntPrestationTTC"]) or Decimal(0) for line in lines), Decimal(0))
    if lines_ttc != ttc:
        errors.append(Erreur("ERR_TOTAL_PRESTATIONS", f"Somme des prestations {lines_ttc} ≠ facture {ttc}."))
    if acompte * 2 > ttc:
        errors.append(Erreur("ERR_MONTANT_ACOMPTE", f"Acompte {acompte} pour une facture de {ttc}."))
    return errors


def _amount_format(name: str, value: Decimal, places: int) -> list[Erreur]:
    if value < 0:
        return [Erreur("ERR_VALEUR_NEGATIVE", f"{name} : {value}.")]
    if decimals(value) > places:
        return [Erreur("ERR_FORMAT_VALEUR", f"{name} : {places} décimales au plus ({value}).")]
    return []


def period_errors(item: dict, today: date) -> list[Erreur]:
    """One calendar month, start before end, nothing after today (the server's day, Paris time)."""
    periods = [("", day_of(item["dateDebutEmploi"]), day_of(item["dateFinEmploi"]))]
    for index, line in enumerate(item["inputPrestations"]):
        if line.get("dateDebutEmploi") is not None or line.get("dateFinEmploi") is not None:
            start = day_of(line.get("dateDebutEmploi")) or periods[0][1]
            end = day_of(line.get("dateFinEmploi")) or periods[0][2]
            periods.append((f"inputPrestations[{index}] : ", start, end))
    errors: list[Erreur] = []
    for where, start, end in periods:
        assert start is not None and end is not None
        if end < start:
            errors.append(Erreur("ERR_DATE_FIN_AVANT_DATE_DEB", f"{where}{end} avant {start}."))
        elif (start.year, start.month) != (end.year, end.month):
            errors.append(Erreur("ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE", f"{where}du {start} au {end}."))
        if end > today or start > today:
            errors.append(Erreur("ERR_DATE_FUTUR", f"{where}période jusqu'au {end}, nous sommes le {today}."))
    invoiced = day_of(item["dateFacture"])
    if invoiced is not None and invoiced > today:
        errors.append(Erreur("ERR_DATE_FUTUR", f"Facture datée du {invoiced}, nous sommes le {today}."))
    return errors


def line_errors(lines: list[dict], natures: frozenset[str] | None) -> list[Erreur]:
    errors: list[Erreur] = []
    for index, line in enumerate(lines):
        where = f"inputPrestations[{index}]"
        nature = line["codeNature"]
        if not NATURE.fullmatch(nature) or (natures is not None and nature not in natures):
            errors.append(Erreur("ERR_CODE_NATURE", f"{where}.codeNature : {nature!r}."))
        intervenant = line.get("complement2")
        if not intervenant:
            errors.append(Erreur("ERR_NUMINTERVENANT_MANQUANT", f"{where}.complement2 absent."))
        elif not INTERVENANT.fullmatch(intervenant):
            errors.append(Erreur("ERR_FORMAT_NUMINTERVENANT", f"{where}.complement2 : SAP + SIREN ou SIR + SIRET."))
    return errors


def _text(value: object, longest: int) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= longest


def _unique(errors: Iterable[Erreur]) -> list[Erreur]:
    return list(dict.fromkeys(errors))
