"""Clients (known by their email) and intervenants (by their matricule): one line each. A record
ogust knows already is left as it is — an earlier import of the same file, or entered since — and
counted as unchanged; ogust's record wins."""
from __future__ import annotations

from functools import partial

from ogust.application.imports.reading import Column, Row
from ogust.application.imports.report import FileReport
from ogust.application.imports.staging import Staging
from ogust.application.imports.values import Cells, yes_no
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.intervenant import Intervenant
from ogust.domain.validation import PERSON_NAME_MAX, check_postal_code, check_text, normalise_email, normalise_phone


def _first_name(text: str) -> str:
    return check_text(text, "first_name", "Prénom", PERSON_NAME_MAX)


def _last_name(text: str) -> str:
    return check_text(text, "last_name", "Nom", PERSON_NAME_MAX)


CLIENT_COLUMNS = (
    Column("email", True, "adresse email ; la clé du client (une adresse déjà connue n'est pas réimportée)",
           "jean.dupont@example.fr", ("e_mail", "courriel")),
    Column("prenom", True, "texte, 100 caractères au plus", "Jean"),
    Column("nom", True, "texte, 100 caractères au plus", "Dupont"),
    Column("adresse", True, "numéro et voie, là où ont lieu les interventions", "3 rue Haute"),
    Column("code_postal", True, "5 chiffres d'un département français", "69003", ("cp",)),
    Column("ville", True, "texte", "Lyon"),
    Column("telephone", False, "numéro français", "06 12 34 56 78", ("tel", "portable")),
)


def stage_clients(rows: list[Row], staging: Staging, report: FileReport) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        cells = Cells(row, report)
        email = cells.take("email", normalise_email)
        first, last = cells.take("prenom", _first_name), cells.take("nom", _last_name)
        street = cells.take("adresse", lambda text: check_text(text, "address.street", "Adresse", 200))
        postal_code = cells.take("code_postal", check_postal_code)
        city = cells.take("ville", lambda text: check_text(text, "address.city", "Ville", 100))
        phone = cells.take("telephone", normalise_phone, required=False) or ""
        if cells.refused:
            if email:
                staging.refuse("client", email, row.line)
            continue
        if email in first_line:
            cells.refuse("email", f"même adresse qu'à la ligne {first_line[email]} : un client par adresse.")
            continue
        first_line[email] = row.line
        if staging.client(email) is not None:
            report.unchanged += 1
            continue
        client = cells.check(None, partial(Client, staging.company_id, first, last, email,
                                           Address(street, postal_code, city), phone))
        if client is not None:
            staging.clients[email] = client
            report.created += 1


INTERVENANT_COLUMNS = (
    Column("matricule", True, "texte, 30 caractères au plus ; la clé de l'intervenant (un matricule déjà connu "
           "n'est pas réimporté), celui que nomment les lignes de factures", "M003"),
    Column("prenom", True, "texte, 100 caractères au plus", "Lucie"),
    Column("nom", True, "texte, 100 caractères au plus", "Bernard"),
    Column("email", False, "adresse email", "lucie.bernard@example.fr", ("e_mail", "courriel")),
    Column("telephone", False, "numéro français", "06 11 22 33 44", ("tel", "portable")),
    Column("actif", False, "oui ou non (défaut oui) ; non : parti(e), gardé(e) pour l'historique et "
           "les attestations", "oui"),
)


def stage_intervenants(rows: list[Row], staging: Staging, report: FileReport) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        cells = Cells(row, report)
        matricule = cells.take("matricule", lambda text: check_text(text, "matricule", "Matricule", 30))
        first, last = cells.take("prenom", _first_name), cells.take("nom", _last_name)
        email = cells.take("email", normalise_email, required=False) or ""
        phone = cells.take("telephone", normalise_phone, required=False) or ""
        active = cells.take("actif", yes_no, required=False)
        if cells.refused:
            if matricule:
                staging.refuse("intervenant", matricule, row.line)
            continue
        if matricule in first_line:
            cells.refuse("matricule", f"même matricule qu'à la ligne {first_line[matricule]}.")
            continue
        first_line[matricule] = row.line
        if staging.intervenant(matricule) is not None:
            report.unchanged += 1
            continue
        intervenant = cells.check(None, partial(Intervenant, staging.company_id, first, last, matricule, email, phone,
                                                active=active is not False))
        if intervenant is not None:
            staging.intervenants[matricule] = intervenant
            report.created += 1
