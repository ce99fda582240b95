"""Importer l'historique: a company moving to ogust brings, from its former software, its clients,
its intervenants and the year's invoices and payments, so that its attestations fiscales cover the
whole year. Every line of every file is checked with the domain's rules; all is written in one
transaction, or nothing — and the report names each line refused, its column and why."""
from __future__ import annotations

from ogust.application.commands import ImportHistory
from ogust.application.handlers import UowFactory, checked_again
from ogust.application.imports.invoices import INVOICE_COLUMNS, stage_invoices
from ogust.application.imports.payments import PAYMENT_COLUMNS, stage_payments
from ogust.application.imports.people import (
    CLIENT_COLUMNS,
    INTERVENANT_COLUMNS,
    stage_clients,
    stage_intervenants,
)
from ogust.application.imports.reading import read
from ogust.application.imports.report import FileReport, ImportKind, ImportReport
from ogust.application.imports.staging import Staging
from ogust.domain.errors import ClientAlreadyExists, ConcurrencyConflict, InvalidValue

COLUMNS = {ImportKind.CLIENTS: CLIENT_COLUMNS, ImportKind.INTERVENANTS: INTERVENANT_COLUMNS,
           ImportKind.INVOICES: INVOICE_COLUMNS, ImportKind.PAYMENTS: PAYMENT_COLUMNS}
_STAGE = {ImportKind.CLIENTS: stage_clients, ImportKind.INTERVENANTS: stage_intervenants,
          ImportKind.INVOICES: stage_invoices, ImportKind.PAYMENTS: stage_payments}
_ORDER = list(ImportKind)


def import_kind(value: str) -> ImportKind:
    try:
        return ImportKind(value)
    except ValueError:
        raise InvalidValue(f"Type de fichier {value!r} inconnu : {', '.join(k.value for k in ImportKind)}.",
                           field="kind") from None


class ImportHistoryHandler:
    """Files are read in the order of their kinds (clients, intervenants, invoices, payments), each
    referring to the ones before. Nothing half-imported: any refusal, and nothing is written; a dry
    run checks all and writes nothing. Importing the same files again changes nothing (each record is
    found by its key: a client's email, an intervenant's matricule, an invoice's number, a payment's
    invoice, day, amount and reference). Nothing imported raises an event: no email, no debit, nothing
    published to the shop — the former software did what it did."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: ImportHistory) -> ImportReport:
        # another import of the company committed first (its version, or a client's e-mail the database
        # holds unique): run again, this one finds what the other wrote and counts it « déjà présent »
        return checked_again(lambda: self._import(cmd), ConcurrencyConflict, ClientAlreadyExists)

    def _import(self, cmd: ImportHistory) -> ImportReport:
        files = sorted(((import_kind(f.kind), f) for f in cmd.files), key=lambda pair: _ORDER.index(pair[0]))
        if not files:
            raise InvalidValue("Aucun fichier à importer.", field="files")
        if len({kind for kind, _ in files}) != len(files):
            raise InvalidValue("Un seul fichier de chaque type par import.", field="files")
        with self.uow() as uow:
            staging = Staging(uow, cmd.company_id)
            reports = []
            for kind, file in files:
                report = FileReport(kind, file.name)
                _STAGE[kind](read(file.content, COLUMNS[kind], report), staging, report)
                report.refusals.sort(key=lambda refusal: refusal.line)  # payments are checked in date order
                reports.append(report)
            result = ImportReport(reports, cmd.dry_run)
            if result.accepted and not cmd.dry_run:
                staging.write()
                uow.commit()
                result.imported = True
            return result
