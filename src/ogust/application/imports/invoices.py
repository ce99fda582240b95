"""Invoices issued by the former software: one line of the file per invoice line, the lines of one
invoice sharing its number, date and client. Kept as issued — their number and date, the price, VAT
rate and label of each line — with the day and the intervenant of each service, which the
attestation fiscale lists; the tarif (known to ogust) says the unit and whether the service opens
the tax credit. An invoice already imported (same number, client, date and amount) is unchanged."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial

from ogust.application.handlers.invoicing import MAX_INVOICE_LINES
from ogust.application.imports.reading import Column, Row
from ogust.application.imports.report import FileReport
from ogust.application.imports.staging import Staging
from ogust.application.imports.values import Cells, amount, day, quantity, vat_rate
from ogust.domain.client import Client
from ogust.domain.errors import InvalidValue
from ogust.domain.invoice import NUMBER_MAX, Invoice, InvoiceSource
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money
from ogust.domain.units import Quantity
from ogust.domain.validation import check_text, normalise_email

# ogust's own series (FA-2026-000001, AV-…, AF-…): a former number of that shape would collide with
# an invoice ogust issues later in the same year
_OGUST_SERIES = re.compile(r"(FA|AV|AF)-\d{4}-\d+", re.IGNORECASE)

INVOICE_COLUMNS = (
    Column("numero", True, f"le numéro de la facture dans l'ancien logiciel, {NUMBER_MAX} caractères au plus, "
           "pas de la forme d'ogust (FA-AAAA-NNNNNN) ; répété sur chaque ligne de la facture", "F2026-0042",
           ("numero_facture", "facture")),
    Column("date", True, "date d'émission, JJ/MM/AAAA (ou AAAA-MM-JJ)", "31/03/2026", ("date_facture",)),
    Column("client_email", True, "l'email du client (importé ou créé avant)", "jean.dupont@example.fr",
           ("client", "email")),
    Column("tarif", True, "le code d'un tarif d'ogust (ogust tarif create) : son unité (heure ou forfait) et son "
           "éligibilité au crédit d'impôt", "MEN", ("code_tarif",)),
    Column("libelle", False, "libellé de la ligne (défaut : celui du tarif)", "Ménage", ("designation",)),
    Column("quantite", True, "heures pour un tarif à l'heure (2,5 ou 2:30), nombre pour un forfait", "2,5",
           ("qte", "heures")),
    Column("prix_unitaire_ht", True, "euros, virgule décimale, au centime près", "25,00", ("pu_ht", "prix_ht")),
    Column("tva", True, "taux en % : 5,5, 10 ou 20", "10", ("taux_tva",)),
    Column("date_intervention", False, "JJ/MM/AAAA ; obligatoire pour un tarif éligible au crédit d'impôt "
           "(art. D.7233-1 du code du travail)", "12/03/2026", ("date_d_intervention", "date_prestation")),
    Column("matricule", False, "matricule de l'intervenant (importé ou créé avant) ; obligatoire pour un tarif "
           "éligible", "M001", ("intervenant",)),
    Column("montant_ttc", False, "contrôle : le TTC de la ligne dans l'ancien logiciel ; refusée s'il diffère du "
           "calcul d'ogust (HT × quantité, TVA arrondie au centime)", "68,75", ("total_ttc",)),
)


@dataclass
class _Draft:
    """One invoice of the file, as its lines come."""

    number: str
    line: int  # where it starts
    issued_on: date | None  # None: refused on its first line
    client: Client | None
    lines: list[InvoiceLine]
    refused: bool = False


def _number(text: str) -> str:
    number = check_text(text, "number", "Numéro de facture", NUMBER_MAX)
    if _OGUST_SERIES.fullmatch(number):
        raise InvalidValue(f"Numéro {number!r} de la forme des séries d'ogust (FA-AAAA-NNNNNN) : il entrerait en "
                           "collision avec une facture qu'ogust émettra. Préfixez les numéros de l'ancien logiciel "
                           "(ex. ANC-…).")
    return number


def stage_invoices(rows: list[Row], staging: Staging, report: FileReport) -> None:
    drafts: dict[str, _Draft] = {}
    staging.prefetch_invoices(row["numero"] for row in rows)
    for row in rows:
        _line(row, staging, report, drafts)
    for draft in drafts.values():
        if draft.refused:
            staging.refuse("invoice", draft.number, draft.line)
        elif not _stage(draft, staging, report):
            staging.refuse("invoice", draft.number, draft.line)


def _line(row: Row, staging: Staging, report: FileReport, drafts: dict[str, _Draft]) -> None:
    cells = Cells(row, report)
    number = cells.take("numero", _number)
    issued_on = cells.take("date", lambda text: day(text, "Date de facture"))
    client = cells.take("client_email", lambda text: _client(staging, text))
    tarif = cells.take("tarif", lambda text: _tarif(staging, text))
    label = cells.take("libelle", lambda text: check_text(text, "label", "Libellé"), required=False)
    minutes = cells.take("quantite", lambda text: quantity(text, tarif.unit)) if tarif else None
    unit_price = cells.take("prix_unitaire_ht", lambda text: amount(text, "Prix unitaire HT"))
    rate = cells.take("tva", vat_rate)
    performed_on = cells.take("date_intervention", lambda text: day(text, "Date d'intervention"), required=False)
    intervenant = cells.take("matricule", lambda text: _intervenant(staging, text), required=False)
    stated_ttc = cells.take("montant_ttc", lambda text: amount(text, "Montant TTC"), required=False)
    if tarif is not None and tarif.tax_credit_eligible:
        for column, given in (("date_intervention", performed_on), ("matricule", intervenant)):
            if given is None and not row[column]:
                cells.refuse(column, f"obligatoire pour le tarif {tarif.code}, éligible au crédit d'impôt : une "
                             "prestation se facture avec son jour et son intervenant (art. D.7233-1 du code du "
                             "travail), que l'attestation fiscale reprend.")
    draft = drafts.get(number) if number else None
    if draft is not None:
        if issued_on is not None and draft.issued_on is not None and issued_on != draft.issued_on:
            cells.refuse("date", f"la facture {number} commence ligne {draft.line} datée du "
                         f"{draft.issued_on:%d/%m/%Y} : toutes ses lignes portent sa date.")
        if client is not None and draft.client is not None and client is not draft.client:
            cells.refuse("client_email", f"la facture {number} commence ligne {draft.line} pour "
                         f"{draft.client.email} : toutes ses lignes sont du même client.")
    line = None if cells.refused else InvoiceLine(
        tarif_id=tarif.id, label=label or tarif.label, quantity=Quantity(minutes, tarif.unit),
        unit_price_ht=unit_price, vat_rate=rate, performed_on=performed_on,
        intervenant_matricule=intervenant.matricule if intervenant else None,
        intervenant_name=intervenant.full_name if intervenant else None,
        tax_credit_eligible=tarif.tax_credit_eligible)
    if line is not None and stated_ttc is not None and stated_ttc != line.amount_ttc:
        cells.refuse("montant_ttc", f"{stated_ttc} dans l'ancien logiciel, {line.amount_ttc} calculés par ogust "
                     f"({line.quantity.label_fr()} à {unit_price} HT, TVA {rate.percent_label} arrondie au "
                     "centime) : vérifiez le prix unitaire et la quantité.")
    if number is None:
        return
    if draft is None:
        draft = drafts[number] = _Draft(number, row.line, issued_on, client, [])
    if cells.refused:
        draft.refused = True
    else:
        draft.lines.append(line)


def _client(staging: Staging, text: str) -> Client:
    email = normalise_email(text, "client_email")
    client = staging.client(email)
    if client is None:
        raise InvalidValue(f"Client {email} inconnu{staging.refused_at('client', email)} : importez-le d'abord "
                           "(fichier des clients) ou créez-le (ogust client create).")
    return client


def _tarif(staging: Staging, text: str):
    code = text.strip()
    tarif = staging.tarif(code)
    if tarif is None:
        raise InvalidValue(f"Tarif {code!r} inconnu : créez-le d'abord (ogust tarif create), avec son unité et "
                           "son éligibilité au crédit d'impôt.")
    return tarif


def _intervenant(staging: Staging, text: str):
    matricule = text.strip()
    intervenant = staging.intervenant(matricule)
    if intervenant is None:
        refused = staging.refused_at("intervenant", matricule)
        raise InvalidValue(f"Intervenant de matricule {matricule!r} inconnu{refused} : importez-le d'abord (fichier "
                           "des intervenants) ou créez-le (ogust intervenant create).")
    return intervenant


def _stage(draft: _Draft, staging: Staging, report: FileReport) -> bool:
    """False when the invoice is refused."""
    cells = Cells(Row(draft.line, {}), report)
    if len(draft.lines) > MAX_INVOICE_LINES:
        cells.refuse("numero", f"{len(draft.lines)} lignes pour la facture {draft.number} : au plus "
                     f"{MAX_INVOICE_LINES}.")
        return False
    existing = staging.invoice(draft.number)
    if existing is not None:
        if existing.source is not InvoiceSource.IMPORTED:
            cells.refuse("numero", f"numéro déjà pris par une facture émise par ogust ({existing.number}).")
        elif _same(existing, draft):
            report.unchanged += 1
            return True
        else:
            cells.refuse("numero", f"facture {draft.number} déjà importée, avec un autre contenu (client, date ou "
                         f"montant : {existing.total_ttc} TTC, émise le {existing.issued_on:%d/%m/%Y}) : une "
                         "facture émise ne change plus ; corrigez-la dans ogust par un avoir.")
        return False
    invoice = cells.check("numero", partial(Invoice.imported, draft.client, draft.number, draft.issued_on, draft.lines,
                                            staging.now, staging.today),
                          {"issued_on": "date", "lines": "quantite"})
    if invoice is None:
        return False
    staging.invoices[draft.number] = invoice
    report.created += 1
    return True


def _same(existing: Invoice, draft: _Draft) -> bool:
    total = sum((line.amount_ttc for line in draft.lines), Money.zero())
    return (existing.client_id, existing.issued_on, existing.total_ttc, len(existing.lines)) == (
        draft.client.id, draft.issued_on, total, len(draft.lines))
