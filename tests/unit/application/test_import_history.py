"""Importer l'historique with fakes: the example files of the README come in whole, the attestation
fiscale counts their payments; a bad line refuses everything and says where; a second run changes nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ogust.application import commands as c
from ogust.application.handlers.attestations import GenerateAttestationHandler
from ogust.application.handlers.imports import ImportHistoryHandler
from ogust.domain.errors import InvalidValue, NothingToAttest
from ogust.domain.intervenant import Intervenant
from ogust.domain.invoice import Invoice, InvoiceSource, InvoiceStatus
from ogust.domain.lines import InvoiceLine
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import PaymentMethod
from ogust.domain.tarif import Tarif
from ogust.domain.units import Quantity, Unit

EXAMPLES = Path(__file__).parents[3] / "docs" / "import-examples"
FILES = {"clients": "clients.csv", "intervenants": "intervenants.csv", "invoices": "factures.csv",
         "payments": "reglements.csv"}


def example(kind: str) -> c.ImportFile:
    return c.ImportFile(kind, (EXAMPLES / FILES[kind]).read_bytes(), FILES[kind])


def text_file(kind: str, text: str, encoding: str = "utf-8") -> c.ImportFile:
    return c.ImportFile(kind, text.encode(encoding), f"{kind}.csv")


@pytest.fixture
def tarifs(uow, company):
    for code, cents, vat, eligible, unit in (("MEN", 2500, VatRate.INTERMEDIATE_10, True, Unit.HOUR),
                                             ("GARDE", 2000, VatRate.INTERMEDIATE_10, True, Unit.HOUR),
                                             ("TOILETTE", 3000, VatRate.REDUCED_5_5, True, Unit.HOUR),
                                             ("FRAIS", 1500, VatRate.STANDARD_20, False, Unit.FLAT)):
        uow.tarifs.add(Tarif(company.id, code, code.title(), unit, Money(cents), vat, tax_credit_eligible=eligible))


@pytest.fixture
def run(uow, company, tarifs):
    def run(*files: c.ImportFile, dry_run: bool = False):
        return ImportHistoryHandler(uow)(c.ImportHistory(company.id, files, dry_run))
    return run


def everything():
    return tuple(example(kind) for kind in FILES)


def refusals(report) -> list[tuple[str, int, str | None]]:
    return [(file.kind.value, r.line, r.column) for file, r in report.refusals]


def test_the_example_files_come_in_whole_and_the_attestation_counts_their_payments(run, uow, company) -> None:
    report = run(*everything())
    assert report.accepted and report.imported and uow.commits == 1
    assert [(f.kind.value, f.lines, f.created, f.unchanged) for f in report.files] == [
        ("clients", 3, 3, 0), ("intervenants", 3, 3, 0), ("invoices", 8, 5, 0), ("payments", 5, 5, 0)]
    claire = uow.clients.by_email(company.id, "claire.dubois@example.fr")
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(company.id, claire.id, 2026))
    # 123,75 (cheque) + 46,65 (transfer) + 82,50 (cheque); the 40,00 of CESU préfinancés apart
    assert (attestation.amount_paid, attestation.cesu_paid) == (Money(25290), Money(4000))
    assert sorted((line.intervenant_matricule, line.month, line.minutes, line.interventions)
                  for line in attestation.lines) == [("M001", 1, 270, 2), ("M001", 2, 120, 1), ("M001", 6, 180, 1),
                                                     ("M003", 2, 60, 1)]
    henri = uow.clients.by_email(company.id, "henri.moreau@example.fr")
    with pytest.raises(NothingToAttest):  # his invoice is still due: nothing paid in the year
        GenerateAttestationHandler(uow)(c.GenerateAttestation(company.id, henri.id, 2026))


def test_imported_invoices_keep_their_number_and_date_and_raise_no_event(run, uow, company) -> None:
    run(*everything())
    first = uow.invoices.by_number(company.id, "ANC-2026-0001")
    assert (first.source, first.issued_on.isoformat(), first.status, first.total_ttc) == (
        InvoiceSource.IMPORTED, "2026-01-31", InvoiceStatus.PAID, Money(12375))
    assert first.client_identity.full_name == "Claire Dubois"
    assert [(line.label, line.quantity, line.intervenant_name) for line in first.lines] == [
        ("Ménage", Quantity(120, Unit.HOUR), "Marie Curie"), ("Ménage et repassage", Quantity(150, Unit.HOUR),
                                                              "Marie Curie")]
    unpaid = uow.invoices.by_number(company.id, "ANC-2026-0004")
    assert (unpaid.status, unpaid.left_to_pay) == (InvoiceStatus.VALIDATED, Money(3165))
    assert not uow.outbox.jobs  # no email, no debit, no shop push
    assert not any(i.peek_events() for i in uow.invoices.items.values())
    assert uow.sequences.next_number(company.id, "FA", 2026).endswith("000001")  # the FA- series untouched
    assert not uow.intervenants.by_matricule(company.id, "M003").active


def test_importing_the_same_files_again_changes_nothing(run, uow, company) -> None:
    run(*everything())
    before = (len(uow.clients.items), len(uow.intervenants.items), len(uow.invoices.items), len(uow.payments.items))
    again = run(*everything())
    assert again.accepted and [(f.created, f.unchanged) for f in again.files] == [(0, 3), (0, 3), (0, 5), (0, 5)]
    assert (len(uow.clients.items), len(uow.intervenants.items), len(uow.invoices.items),
            len(uow.payments.items)) == before


def test_one_bad_line_imports_nothing_and_is_named_with_its_column(run, uow) -> None:
    bad = (EXAMPLES / "factures.csv").read_text(encoding="utf-8").replace(
        "ANC-2026-0003;31/03/2026;odette.lambert@example.fr;GARDE;Garde d'enfants;3;20,00;10",
        "ANC-2026-0003;31/03/2026;odette.lambert@example.fr;GARDE;Garde d'enfants;3;20,00;7")
    report = run(example("clients"), example("intervenants"), text_file("invoices", bad), example("payments"))
    assert not report.imported and uow.commits == 0
    # its payment, refused with it, says why
    assert refusals(report) == [("invoices", 6, "tva"), ("payments", 5, "facture")]
    assert "Taux de TVA '7' inconnu" in report.refusals[0][1].reason
    assert "ANC-2026-0003' inconnue (refusé ligne 6 de son fichier)" in report.refusals[1][1].reason
    assert not uow.clients.items and not uow.invoices.items and not uow.payments.items


def test_a_dry_run_checks_everything_and_writes_nothing(run, uow) -> None:
    report = run(*everything(), dry_run=True)
    assert report.accepted and not report.imported and uow.commits == 0
    assert [f.created for f in report.files] == [3, 3, 5, 5]
    assert not uow.clients.items


def test_each_refusal_names_its_line_column_and_reason(run, uow, company) -> None:
    run(example("clients"), example("intervenants"))
    invoices = (
        "numero;date;client_email;tarif;quantite;prix_unitaire_ht;tva;date_intervention;matricule;montant_ttc\n"
        "A-1;15/03/2026;inconnu@example.fr;MEN;2;25,00;10;10/03/2026;M001;\n"         # 2: unknown client
        "A-2;15/03/2026;claire.dubois@example.fr;XXX;2;25,00;10;10/03/2026;M001;\n"    # 3: unknown tarif
        "A-3;15/03/2026;claire.dubois@example.fr;MEN;2;25,00;10;;M001;\n"              # 4: eligible, no day
        "A-4;15/03/2026;claire.dubois@example.fr;MEN;2;25,00;10;10/03/2026;M999;\n"    # 5: unknown intervenant
        "A-5;31/02/2026;claire.dubois@example.fr;MEN;2;25,001;10;10/03/2026;M001;\n"   # 6: no such day, 3 decimals
        "A-6;15/03/2026;claire.dubois@example.fr;MEN;2,01;25,00;10;10/03/2026;M001;\n"  # 7: not whole minutes
        "A-7;15/03/2026;claire.dubois@example.fr;MEN;2;25,00;10;10/03/2026;M001;55,01\n"  # 8: not ogust's TTC
        "A-8;15/03/2026;claire.dubois@example.fr;MEN;2;25,00;10;10/03/2026;M001;\n"
        "A-8;16/03/2026;claire.dubois@example.fr;MEN;1;25,00;10;11/03/2026;M001;\n"    # 10: another date
        "FA-2026-000001;15/03/2026;claire.dubois@example.fr;MEN;2;25,00;10;10/03/2026;M001;\n"  # 11: ogust's series
        "A-9;15/03/2030;claire.dubois@example.fr;MEN;2;25,00;10;10/03/2026;M001;\n"    # 12: in the future
    )
    report = run(text_file("invoices", invoices))
    assert refusals(report) == [
        ("invoices", 2, "client_email"), ("invoices", 3, "tarif"), ("invoices", 4, "date_intervention"),
        ("invoices", 5, "matricule"), ("invoices", 6, "date"), ("invoices", 6, "prix_unitaire_ht"),
        ("invoices", 7, "quantite"), ("invoices", 8, "montant_ttc"), ("invoices", 10, "date"),
        ("invoices", 11, "numero"), ("invoices", 12, "date")]
    reasons = [r.reason for _, r in report.refusals]
    assert "inconnu@example.fr inconnu" in reasons[0] and "art. D.7233-1" in reasons[2]
    assert "55,01 € dans l'ancien logiciel, 55,00 € calculés par ogust" in reasons[7].replace("\xa0", " ")
    assert not uow.invoices.items


def test_a_fee_not_eligible_goes_without_day_nor_intervenant_and_stays_off_the_attestation(run, uow, company) -> None:
    run(example("clients"), example("intervenants"))
    report = run(text_file("invoices", "numero;date;client_email;tarif;quantite;prix_unitaire_ht;tva;"
                                       "date_intervention;matricule\n"
                                       "B-1;15/03/2026;claire.dubois@example.fr;MEN;2;25,00;10;10/03/2026;M001\n"
                                       "B-1;15/03/2026;claire.dubois@example.fr;FRAIS;1;15,00;20;;\n"),
                 text_file("payments", "facture;date;montant;mode\nB-1;20/03/2026;73,00;virement\n"))
    assert report.imported
    claire = uow.clients.by_email(company.id, "claire.dubois@example.fr")
    attestation = GenerateAttestationHandler(uow)(c.GenerateAttestation(company.id, claire.id, 2026))
    assert attestation.amount_paid == Money(5500)  # the 18,00 € fee is not a service à la personne


def test_payments_are_checked_against_their_invoice(run, uow, company) -> None:
    run(*everything())
    payments = ("facture;date;montant;mode;reference\n"
                "ANC-2026-0004;01/05/2026;40,00;cheque;1\n"        # 2: more than the 31,65 € due
                "ANC-2026-0001;01/05/2026;1,00;cheque;2\n"         # 3: already paid
                "ANC-2026-0404;01/05/2026;1,00;cheque;3\n"         # 4: no such invoice
                "ANC-2026-0004;01/05/2026;31,65;CB;4\n"            # 5: a card payment of the former software
                "ANC-2026-0004;01/01/2026;31,65;cheque;5\n"        # 6: months before the invoice
                "ANC-2026-0004;01/05/2027;31,65;cheque;6\n")       # 7: in the future
    report = run(text_file("payments", payments))
    assert refusals(report) == [("payments", 2, "montant"), ("payments", 3, "facture"), ("payments", 4, "facture"),
                                ("payments", 5, "mode"), ("payments", 6, "date"), ("payments", 7, "date")]
    reasons = [r.reason.replace("\xa0", " ") for _, r in report.refusals]
    assert "dépasse ce qui reste à régler sur la facture ANC-2026-0004, soit 31,65 €" in reasons[0]
    assert "déjà payée" in reasons[1] and "paiement par carte" in reasons[3]
    assert "plus d'un mois avant la facture" in reasons[4] and "dans le futur" in reasons[5]
    assert uow.invoices.by_number(company.id, "ANC-2026-0004").status is InvoiceStatus.VALIDATED


def test_an_invoice_issued_by_ogust_takes_no_imported_payment_and_its_number_is_not_reused(run, uow, company) -> None:
    run(example("clients"))
    claire = uow.clients.by_email(company.id, "claire.dubois@example.fr")
    tarif = uow.tarifs.by_code(company.id, "FRAIS")
    ours = Invoice(company.id, claire.id, InvoiceSource.MANUAL,
                   [InvoiceLine(tarif.id, "Frais", Quantity.pieces(1), Money(1500), VatRate.STANDARD_20)])
    uow.invoices.add(ours)
    ours.validate("X-1", date(2026, 3, 1), claire)
    report = run(text_file("payments", "facture;date;montant;mode\nX-1;02/03/2026;18,00;cheque\n"),
                 text_file("invoices", "numero;date;client_email;tarif;quantite;prix_unitaire_ht;tva\n"
                                       "X-1;01/03/2026;claire.dubois@example.fr;FRAIS;1;15,00;20\n"))
    assert refusals(report) == [("invoices", 2, "numero"), ("payments", 2, "facture")]
    assert "émise par ogust" in report.refusals[1][1].reason


def test_two_identical_payments_are_two_and_stay_two_on_a_second_run(run, uow, company) -> None:
    run(*everything()[:3])
    two_cesu = "facture;date;montant;mode\nANC-2026-0004;05/05/2026;15,00;cesu\nANC-2026-0004;05/05/2026;15,00;cesu\n"
    assert [f.created for f in run(text_file("payments", two_cesu)).files] == [2]
    assert [(f.created, f.unchanged) for f in run(text_file("payments", two_cesu)).files] == [(0, 2)]
    invoice = uow.invoices.by_number(company.id, "ANC-2026-0004")
    assert (invoice.paid_ttc, invoice.left_to_pay) == (Money(3000), Money(165))
    assert [p.method for p in uow.payments.for_invoice(company.id, invoice.id)] == [PaymentMethod.CESU] * 2


def test_an_invoice_imported_again_with_another_content_is_refused(run, uow, company) -> None:
    run(*everything()[:3])
    changed = (EXAMPLES / "factures.csv").read_text(encoding="utf-8").replace(";82,50", ";").replace(
        "ANC-2026-0005;30/06/2026;claire.dubois@example.fr;MEN;Ménage;3;", "ANC-2026-0005;30/06/2026;"
        "claire.dubois@example.fr;MEN;Ménage;4;")
    report = run(text_file("invoices", changed))
    assert refusals(report) == [("invoices", 9, "numero")]
    assert "déjà importée, avec un autre contenu" in report.refusals[0][1].reason


def test_a_client_or_intervenant_twice_in_a_file_and_ogust_records_win(run, uow, company) -> None:
    uow.intervenants.add(Intervenant(company.id, "Marie", "Curie-Sklodowska", "M001"))
    report = run(text_file("clients", "email;prenom;nom;adresse;code_postal;ville\n"
                                      "a@example.fr;A;B;1 rue X;69001;Lyon\n"
                                      "A@example.fr;C;D;2 rue Y;69001;Lyon\n"
                                      "b@example.fr;E;F;3 rue Z;99999;Lyon\n"),
                 text_file("intervenants", "matricule;prenom;nom;actif\nM001;Marie;Curie;oui\nM004;Jo;Lo;peut-être\n"))
    assert refusals(report) == [("clients", 3, "email"), ("clients", 4, "code_postal"), ("intervenants", 3, "actif")]
    assert [f.unchanged for f in report.files] == [0, 1]
    assert uow.intervenants.by_matricule(company.id, "M001").last_name == "Curie-Sklodowska"


def test_latin1_files_are_read_and_said_so(run, uow, company) -> None:
    report = run(text_file("clients", "email;prénom;nom;adresse;code postal;ville\n"
                                      "e@example.fr;Hélène;Lefèvre;3 rue de l'Église;69001;Lyon\n", "cp1252"))
    assert report.imported and report.files[0].encoding == "windows-1252"
    assert uow.clients.by_email(company.id, "e@example.fr").full_name == "Hélène Lefèvre"


@pytest.mark.parametrize(("content", "column", "reason"), [
    (b"email,prenom,nom,adresse,code_postal,ville\n", None, "séparées par « ; »"),
    (b"email;prenom;nom;adresse;ville\n", "code_postal", "colonne obligatoire absente"),
    (b"email;prenom;nom;adresse;code_postal;ville;age\n", "age", "colonne inconnue"),
    (b"", None, "fichier vide"),
    ("\ufeffemail;prenom".encode("utf-16"), None, "UTF-16"),
    (b'email;prenom;nom;adresse;code_postal;ville\n"a@b.fr;A;B;1 rue;69001;Lyon\n', None, "guillemet"),
    (b"email;prenom;nom;adresse;code_postal;ville\n" + b"a" * 200_000 + b"\n", None, "valeur trop longue"),
    (b"email;prenom;nom;adresse;code_postal;ville\nx;" + b"a" * 3_000 + b";B;1 rue;69001;Lyon\n", "prenom",
     "valeur trop longue"),
])
def test_a_file_that_is_not_the_expected_csv_is_refused_at_its_first_line(run, content, column, reason) -> None:
    report = run(c.ImportFile("clients", content, "clients.csv"))
    [(_, refusal)] = report.refusals
    assert (refusal.column, reason in refusal.reason) == (column, True), refusal


def test_an_unknown_kind_or_no_file_is_refused(run) -> None:
    with pytest.raises(InvalidValue, match="Type de fichier 'devis' inconnu"):
        run(c.ImportFile("devis", b"", "devis.csv"))
    with pytest.raises(InvalidValue, match="Aucun fichier"):
        run()


def test_the_readme_documents_every_column_of_every_kind() -> None:
    from ogust.application.handlers.imports import COLUMNS

    readme = (EXAMPLES.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Bringing a company's history"):readme.index("## Configuration")]
    for kind, columns in COLUMNS.items():
        table = section[section.index(f"#### {kind.value} ("):]
        for column in columns:
            assert f"| `{column.name}`" in table.split("\n\n", 2)[1], (kind, column.name)
            assert f"| {'oui' if column.required else 'non'} | {column.format} | `{column.example}` |" in table
