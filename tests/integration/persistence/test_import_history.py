"""Importer l'historique on the database (SQLite, and PostgreSQL when configured): the README's
example files come in, in one transaction; the client's attestation fiscale of the year counts
their payments and hours; a file with one bad line writes nothing at all; a second run changes nothing."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ogust.adapters.persistence import tables as t
from ogust.adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from ogust.application import commands as c
from ogust.application.handlers.attestations import GenerateAttestationHandler
from ogust.application.handlers.imports import ImportHistoryHandler
from ogust.domain.company import Company
from ogust.domain.invoice import InvoiceSource, InvoiceStatus
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit

from .conftest import new_company

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).parents[3] / "docs" / "import-examples"
FILES = (("clients", "clients.csv"), ("intervenants", "intervenants.csv"), ("invoices", "factures.csv"),
         ("payments", "reglements.csv"))

UowMaker = Callable[[], SqlAlchemyUnitOfWork]


@pytest.fixture
def company(make_uow: UowMaker) -> Company:
    """A company with the demo's three tarifs, and nothing else."""
    company = new_company()
    with make_uow() as uow:
        uow.companies.add(company)
        for code, cents, vat in (("MEN", 2500, VatRate.INTERMEDIATE_10), ("GARDE", 2000, VatRate.INTERMEDIATE_10),
                                 ("TOILETTE", 3000, VatRate.REDUCED_5_5)):
            uow.tarifs.add(Tarif(company.id, code, code.title(), Unit.HOUR, Money(cents), vat))
        uow.commit()
    return company


def _files(**replaced: bytes) -> tuple[c.ImportFile, ...]:
    return tuple(c.ImportFile(kind, replaced.get(kind, (EXAMPLES / name).read_bytes()), name) for kind, name in FILES)


def _counts(make_uow: UowMaker, company: Company) -> dict[str, int]:
    with make_uow() as uow:
        session = uow.session
        return {table.name: session.scalar(select(func.count()).select_from(table).where(
            table.c.company_id == company.id)) for table in (t.clients, t.intervenants, t.invoices, t.payments,
                                                             t.outbox_jobs, t.number_sequences)}


def test_the_history_comes_in_and_the_attestation_counts_it(make_uow: UowMaker, company: Company) -> None:
    report = ImportHistoryHandler(make_uow)(c.ImportHistory(company.id, _files()))
    assert report.imported, report.refusals
    assert _counts(make_uow, company) == {"clients": 3, "intervenants": 3, "invoices": 5, "payments": 5,
                                          "outbox_jobs": 0, "number_sequences": 0}
    with make_uow() as uow:
        claire = uow.clients.by_email(company.id, "claire.dubois@example.fr")
        second = uow.invoices.by_number(company.id, "ANC-2026-0002")
        assert (second.source, second.status, second.issued_on.isoformat(), second.paid_ttc) == (
            InvoiceSource.IMPORTED, InvoiceStatus.PAID, "2026-02-28", Money(8665))
        assert second.paid_at.date().isoformat() == "2026-03-12"  # the payment that settled it
        assert [(line.intervenant_matricule, line.intervenant_name, line.performed_on.isoformat())
                for line in second.lines] == [("M001", "Marie Curie", "2026-02-05"),
                                              ("M003", "Lucie Bernard", "2026-02-19")]
    attestation = GenerateAttestationHandler(make_uow)(c.GenerateAttestation(company.id, claire.id, 2026))
    assert (attestation.amount_paid, attestation.cesu_paid, attestation.total_minutes) == (
        Money(25290), Money(4000), 630)  # 252,90 € paid, 40,00 € of CESU préfinancés apart, 10 h 30
    assert sorted((line.intervenant_name, line.month, line.minutes) for line in attestation.lines) == [
        ("Lucie Bernard", 2, 60), ("Marie Curie", 1, 270), ("Marie Curie", 2, 120), ("Marie Curie", 6, 180)]


def test_a_file_with_one_bad_line_writes_nothing(make_uow: UowMaker, company: Company) -> None:
    payments = (EXAMPLES / "reglements.csv").read_bytes().replace(b"08/04/2026;99,00", b"08/04/2026;99,01")
    report = ImportHistoryHandler(make_uow)(c.ImportHistory(company.id, _files(payments=payments)))
    assert not report.imported
    assert [(file.kind.value, r.line, r.column) for file, r in report.refusals] == [("payments", 5, "montant")]
    assert _counts(make_uow, company) == {"clients": 0, "intervenants": 0, "invoices": 0, "payments": 0,
                                          "outbox_jobs": 0, "number_sequences": 0}


def test_a_second_run_changes_nothing(make_uow: UowMaker, company: Company) -> None:
    ImportHistoryHandler(make_uow)(c.ImportHistory(company.id, _files()))
    before = _counts(make_uow, company)
    again = ImportHistoryHandler(make_uow)(c.ImportHistory(company.id, _files()))
    assert again.imported and [(f.created, f.unchanged) for f in again.files] == [(0, 3), (0, 3), (0, 5), (0, 5)]
    assert _counts(make_uow, company) == before


def test_a_dry_run_writes_nothing(make_uow: UowMaker, company: Company) -> None:
    report = ImportHistoryHandler(make_uow)(c.ImportHistory(company.id, _files(), dry_run=True))
    assert report.accepted and not report.imported and [f.created for f in report.files] == [3, 3, 5, 5]
    assert _counts(make_uow, company)["invoices"] == 0


def test_two_imports_at_once_write_once(make_uow: UowMaker, company: Company, session_factory, clock,
                                       database_url: str) -> None:
    """The second import to commit is refused by the database (the company's version, or a client's e-mail,
    unique per company since migration 0015) rather than writing every client twice; it is run again at
    once and finds them all « déjà présent »."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one unit of work at a time (BEGIN IMMEDIATE): two imports never interleave")
    files = _files()[:1]  # clients alone: intervenants, invoices have a unique key in the database
    meanwhile, commits = [], []

    class OtherImportCommitsFirst(SqlAlchemyUnitOfWork):
        def commit(self) -> None:
            commits.append(1)
            if not meanwhile:
                meanwhile.append(ImportHistoryHandler(make_uow)(c.ImportHistory(company.id, files)))
            super().commit()

    first = ImportHistoryHandler(lambda: OtherImportCommitsFirst(session_factory, clock))(
        c.ImportHistory(company.id, files))
    assert len(commits) == 2, "the first try refused, the second committed"
    assert meanwhile[0].imported and [(f.created, f.unchanged) for f in meanwhile[0].files] == [(3, 0)]
    assert [(f.created, f.unchanged) for f in first.files] == [(0, 3)]
    assert _counts(make_uow, company)["clients"] == 3
