"""The checks on a client's registration (``POST /particulier``) that need no stored state.

Shape from the open-source clients' InputParticulierDTO (civilite, names, birth date and place,
mobile phone, email, postal address, bank details); the phone pattern is the one they document."""
from __future__ import annotations

import re
from datetime import date

from ogust_urssaf.demande_checks import day_of, parse_instant
from ogust_urssaf.errors import Erreur

FRANCE = "99100"
MOBILE = re.compile(r"(0|\+33)[6-7]([0-9]{2}){4}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}")
BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?")
IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
INSEE_COUNTRY = re.compile(r"99[0-9]{3}")


def registration_errors(body: object, today: date) -> list[Erreur]:
    if not isinstance(body, dict):
        return [Erreur("ERREUR_VALIDATION", "Le particulier est un objet JSON.")]
    errors = [Erreur("ERREUR_VALIDATION", f"{name} : champ obligatoire absent.") for name in
              ("civilite", "nomNaissance", "prenoms", "dateNaissance", "lieuNaissance", "numeroTelephonePortable",
               "adresseMail", "adressePostale", "coordonneeBancaire") if body.get(name) in (None, "")]
    if errors:
        return errors
    if body["civilite"] not in ("1", "2"):
        errors.append(Erreur("ERREUR_VALIDATION", "civilite : « 1 » (Monsieur) ou « 2 » (Madame)."))
    for name in ("nomNaissance", "prenoms", "nomUsage"):
        if body.get(name) is not None and not _text(body[name], 80):
            errors.append(Erreur("ERREUR_VALIDATION", f"{name} : texte de 80 caractères au plus."))
    born = day_of(body["dateNaissance"])
    if parse_instant(body["dateNaissance"]) is None or born is None:
        errors.append(Erreur("ERREUR_VALIDATION", "dateNaissance : date ISO 8601 avec fuseau attendue."))
    elif born > today:
        errors.append(Erreur("ERR_DATE_NAISSANCE_FUTUR", f"Né le {born} ?"))
    errors += _birth_place(body["lieuNaissance"])
    if not isinstance(body["numeroTelephonePortable"], str) or not MOBILE.fullmatch(body["numeroTelephonePortable"]):
        errors.append(Erreur("ERR_CONTACT", "numeroTelephonePortable : un portable français (06, 07 ou +33)."))
    if not isinstance(body["adresseMail"], str) or not EMAIL.fullmatch(body["adresseMail"]):
        errors.append(Erreur("ERR_CONTACT", "adresseMail invalide."))
    errors += _address(body["adressePostale"])
    errors += _bank(body["coordonneeBancaire"])
    return errors


def _birth_place(place: object) -> list[Erreur]:
    if not isinstance(place, dict) or not isinstance(place.get("codePaysNaissance"), str) \
            or not INSEE_COUNTRY.fullmatch(place["codePaysNaissance"]):
        return [Erreur("ERREUR_VALIDATION", "lieuNaissance.codePaysNaissance : code INSEE du pays (99xxx).")]
    commune = place.get("communeNaissance")
    if place["codePaysNaissance"] != FRANCE:
        if place.get("departementNaissance") or (isinstance(commune, dict) and commune.get("codeCommune")):
            return [Erreur("ERREUR_LIEU_NAISSANCE_PAYS", "Naissance à l'étranger.")]
        return []
    errors = []
    if not isinstance(place.get("departementNaissance"), str) or not place["departementNaissance"]:
        errors.append(Erreur("ERREUR_LIEU_NAISSANCE_DEPT"))
    if not isinstance(commune, dict) or not commune.get("codeCommune") or not commune.get("libelleCommune"):
        errors.append(Erreur("ERR_LIEU_NAISSANCE_COMN"))
    return errors


def _address(address: object) -> list[Erreur]:
    if not isinstance(address, dict):
        return [Erreur("ERR_CONTACT", "adressePostale : objet attendu.")]
    errors = [Erreur("ERR_CONTACT", f"adressePostale.{name} absent.") for name in
              ("codeCommune", "libelleCommune", "codePostal", "codePays") if not _text(address.get(name), 50)]
    if address.get("libelleVoie") and not address.get("codeTypeVoie"):
        errors.append(Erreur("ERR_CONTACT_ADRESSE_TYPEVOIE"))
    if address.get("codeTypeVoie") and not address.get("libelleVoie"):
        errors.append(Erreur("ERR_CONTACT_ADRESSE_LIBELLEVOIE"))
    return errors


def _bank(bank: object) -> list[Erreur]:
    if not isinstance(bank, dict) or not _text(bank.get("titulaire"), 100):
        return [Erreur("ERR_COORDONNEES_BANCAIRES", "coordonneeBancaire : bic, iban et titulaire.")]
    iban = str(bank.get("iban") or "").replace(" ", "").upper()
    bic = str(bank.get("bic") or "").replace(" ", "").upper()
    if not BIC.fullmatch(bic) or not IBAN.fullmatch(iban) or not iban_checksum_ok(iban):
        return [Erreur("ERR_COORDONNEES_BANCAIRES")]
    return []


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as numbers, mod 97 = 1."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def _text(value: object, longest: int) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= longest
