"""Each PDF carries what French law asks, with the right figures; invoices and avoirs carry a
Factur-X EN 16931 XML that passes the XSD and agrees with the PDF."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from facturx import xml_check_xsd

from ogust.adapters.documents.facturx_xml import french_vat_number, hourly_quantity
from ogust.adapters.documents.pdf_renderer import DEVIS_NOTICE, PdfDocumentRenderer
from ogust.application.ports import DocumentContext
from ogust.domain.credit_note import CreditNote, full_credit_lines
from ogust.domain.invoice import Invoice
from ogust.domain.money import Money
from ogust.domain.payment import Payment, PaymentMethod
from tests.support.pdf_text import (
    euros,
    facturx_xml,
    first_page_png,
    flat,
    text_of,
    xml_amount,
    xml_texts,
)
from tests.unit.documents import samples

renderer = PdfDocumentRenderer()


@pytest.fixture
def s() -> samples.Samples:
    return samples.build()


@pytest.fixture
def invoice_pdf(s) -> bytes:
    return renderer.invoice(s.invoice, s.company, s.client, s.invoice_context())


def provider_mentions(s: samples.Samples) -> list[str]:
    c = s.company
    return [c.name, "12 rue des Lilas", "69003 Lyon", f"SIRET : {c.siret}",
            f"Déclaration SAP n° {c.sap_declaration_number} du 01/03/2021"]


def client_mentions(s: samples.Samples) -> list[str]:
    return ["Élodie Bérénger", "5 place Bellecour", "69002 Lyon"]


def test_the_renderer_writes_pdf_files(s, invoice_pdf):
    assert renderer.media_type == "application/pdf" and renderer.extension == "pdf"
    for document in (invoice_pdf, renderer.devis(s.devis, s.company, s.client, s.devis_context()),
                     renderer.attestation(s.attestation, s.company, s.client),
                     renderer.credit_note(s.credit_note, s.company, s.client, s.credit_note_context())):
        assert document.startswith(b"%PDF-") and document.rstrip().endswith(b"%%EOF")


# ---------------------------------------------------------------------- invoice
def test_the_invoice_carries_every_mandatory_mention_with_its_figures(s, invoice_pdf):
    text = flat(text_of(invoice_pdf))

    for mention in [*provider_mentions(s), *client_mentions(s)]:
        assert mention in text, mention
    assert "FACTURE" in text and "FA-2026-000042" in text  # the gapless number
    assert "Date d'émission 30/04/2026" in text
    assert "Lieu d'intervention".upper() in text and "8 rue Mercière" in text  # place of intervention
    # each intervention: its date and hours, time spent, the intervenant's identifier, unit price, VAT rate
    assert "06/04/2026 09:00–11:30 Ménage Mode prestataire Marie Curie Identifiant : M001 2 h 30 25,00 € / h 10 % " \
           "62,50 € 68,75 €" in text
    assert "08/04/2026 14:00–14:45 Aide à la toilette Mode prestataire Paul Martin Identifiant : M002 0 h 45 " \
           "30,00 € / h 5,5 % 22,50 € 23,74 €" in text
    assert "1 forfait 40,00 € / forfait 20 % 40,00 € 48,00 €" in text
    # totals HT, TVA, TTC — the domain's figures
    assert s.invoice.total_ht == Money(12500) and s.invoice.total_vat == Money(1549)
    assert s.invoice.total_ttc == Money(14049)
    assert "Total HT 125,00 €" in text and "Total TVA 15,49 €" in text and "Total TTC 140,49 €" in text
    assert "5,5 % 22,50 € 1,24 €" in text and "10 % 62,50 € 6,25 €" in text and "20 % 40,00 € 8,00 €" in text
    # payment status and date, terms, the tax credit
    assert "Statut : payée le 30/04/2026 par carte bancaire (réf. pi_3Nx42)." in text
    assert "Conditions de paiement : à réception" in text
    assert "article 199 sexdecies du code général des impôts" in text
    assert "AV-2026-000007 du 04/05/2026 (10,00 € TTC)" in text


def test_french_characters_come_out_as_written(s, invoice_pdf):
    text = text_of(invoice_pdf)
    for word in ("Élodie Bérénger", "Mercière", "€", "« dépannage »", "Échéance", "TVA intracommunautaire"):
        assert word in flat(text), word


def test_an_unpaid_invoice_says_it_is_to_be_paid_and_when(s):
    s.invoice.status, s.invoice.paid_at, s.invoice.credited_ttc = type(s.invoice.status).VALIDATED, None, Money(0)
    text = flat(text_of(renderer.invoice(s.invoice, s.company, s.client, DocumentContext(s.company, s.client))))
    assert "Statut : à payer — échéance le 30/04/2026." in text
    assert "Lieu d'intervention".upper() in text and "(domicile du client)" in text  # no intervention known


def test_a_credited_invoice_says_what_is_left_to_pay_or_that_nothing_is(s):
    invoice = s.invoice
    invoice.status, invoice.paid_at, invoice.credited_ttc = type(invoice.status).VALIDATED, None, Money(0)
    invoice.record_credit(Money(1000))
    text = flat(text_of(renderer.invoice(invoice, s.company, s.client, DocumentContext(s.company, s.client))))
    assert (f"Statut : à payer : {euros(invoice.total_ttc - Money(1000))} ({euros(invoice.total_ttc)} TTC moins "
            "les avoirs, 10,00 €) — échéance le 30/04/2026.") in text
    invoice.record_credit(invoice.creditable_ttc)
    assert invoice.settle_by_credit([])
    text = flat(text_of(renderer.invoice(invoice, s.company, s.client, DocumentContext(s.company, s.client))))
    assert f"Statut : soldée par avoir — rien à payer (avoirs : {euros(invoice.total_ttc)} TTC)." in text
    assert "à payer —" not in text


@pytest.mark.parametrize("card", [True, False])
def test_an_unpaid_invoice_says_how_it_is_paid_card_or_not(s, card):
    """The card saved at ordering is debited; without one, the client pays otherwise — never told of a debit."""
    s.invoice.status, s.invoice.paid_at = type(s.invoice.status).VALIDATED, None
    s.client.stripe_customer_id = s.client.stripe_payment_method_id = None
    if card:
        s.client.save_payment_method("cus_Sample1", "pm_Sample1")
    text = flat(text_of(renderer.invoice(s.invoice, s.company, s.client, DocumentContext(s.company, s.client))))
    debit = "Le montant est débité sur la carte enregistrée lors de la commande."
    otherwise = "Règlement par virement, chèque, CESU ou espèces, en rappelant le numéro de la facture."
    assert (debit in text, otherwise in text) == (card, not card), text


def test_a_draft_is_marked_and_carries_no_factur_x(s):
    draft = samples.build().invoice
    draft.status, draft.number, draft.issued_on, draft.due_on = type(draft.status).DRAFT, None, None, None
    pdf = renderer.invoice(draft, s.company, s.client)
    assert "FACTURE (BROUILLON)" in text_of(pdf)
    assert not facturx_xml(pdf)[1]


def test_the_factur_x_xml_passes_the_en16931_xsd_and_its_totals_are_the_pdfs(s, invoice_pdf):
    name, xml = facturx_xml(invoice_pdf)
    text = flat(text_of(invoice_pdf))

    assert name == "factur-x.xml"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert xml_texts(xml, "ID")[0] == "urn:cen.eu:en16931:2017"
    for tag, label in (("TaxBasisTotalAmount", "Total HT"), ("TaxTotalAmount", "Total TVA"),
                       ("GrandTotalAmount", "Total TTC")):
        amount = xml_amount(xml, tag)
        assert f"{label} {euros(amount)}" in text, tag
    assert xml_amount(xml, "GrandTotalAmount") == s.invoice.total_ttc
    assert xml_amount(xml, "DuePayableAmount") == Money(0)  # paid by card
    assert [m for m in xml_texts(xml, "LineTotalAmount")] == ["62.50", "22.50", "40.00", "125.00"]
    assert xml_texts(xml, "RateApplicablePercent") == ["10", "5.5", "20", "5.5", "10", "20"]
    assert "FA-2026-000042" in xml_texts(xml, "ID")
    assert french_vat_number(s.company.siret) in xml_texts(xml, "ID")


def test_an_invoice_paid_by_cheque_says_so_and_its_factur_x_claims_no_card(s):
    """The client has a saved card, but paid this invoice by cheque (ogust invoice pay)."""
    assert s.client.stripe_payment_method_id
    s.invoice.paid_at, s.invoice.payment_reference = samples.paris(2026, 5, 2, 12), "1234567"
    cheque = Payment(company_id=s.company.id, invoice_id=s.invoice.id, client_id=s.client.id,
                     amount=s.invoice.total_ttc, received_at=s.invoice.paid_at, method=PaymentMethod.CHEQUE,
                     reference="1234567")
    pdf = renderer.invoice(s.invoice, s.company, s.client, DocumentContext(s.company, s.client, payments=(cheque,)))
    assert "Statut : payée le 02/05/2026 par chèque (réf. 1234567)." in flat(text_of(pdf))
    _, xml = facturx_xml(pdf)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert xml_amount(xml, "DuePayableAmount") == Money(0)
    assert "48" not in xml_texts(xml, "TypeCode")  # 48: payment by card
    card = renderer.invoice(s.invoice, s.company, s.client, s.invoice_context())
    assert "48" in xml_texts(facturx_xml(card)[1], "TypeCode")


def test_hourly_quantities_are_exact():
    assert hourly_quantity(150) == ("2.5", "HUR", None)
    assert hourly_quantity(45) == ("0.75", "HUR", None)
    assert hourly_quantity(20) == ("20", "MIN", "60")  # 1/3 h: in minutes, price per 60 minutes


def test_the_french_vat_number_is_derived_from_the_siren():
    assert french_vat_number("73282932000074") == "FR44732829320"  # the INSEE example SIREN 732 829 320


# ---------------------------------------------------------------------- devis
def test_the_devis_carries_prices_ht_and_ttc_the_mode_and_the_100_euros_notice(s):
    pdf = renderer.devis(s.devis, s.company, s.client, s.devis_context())
    text = flat(text_of(pdf))

    for mention in [*provider_mentions(s), *client_mentions(s)]:
        assert mention in text, mention
    assert "DEVIS" in text and f"DV-{s.devis.id[:8].upper()}" in text
    assert "Ménage prestataire horaire 2 h 30 25,00 € / h 27,50 € / h 10 % 62,50 € 68,75 €" in text
    assert "Aide à la toilette prestataire horaire 0 h 45 30,00 € / h 31,65 € / h 5,5 % 22,50 € 23,74 €" in text
    assert "forfaitaire 1 forfait 40,00 € / forfait 48,00 € / forfait 20 % 40,00 € 48,00 €" in text
    assert "Total HT 125,00 €" in text and "Total TTC 140,49 €" in text
    assert flat(DEVIS_NOTICE) in text
    assert "supérieur ou égal à 100 € TTC par mois" in text
    assert "06/04/2026 09:00–11:30 Marie Curie (M001) 2 h 30" in text  # the planned interventions
    assert "Devis accepté le 01/04/2026 lors de la commande en ligne." in text


@pytest.mark.parametrize("eligible", [True, False])
def test_the_devis_promises_a_tax_advantage_only_for_eligible_services(s, eligible):
    """Ancillary fees alone (no tarif open to the tax credit): no « Avantage fiscal » on the devis."""
    for tarif in s.tarifs.values():
        tarif.tax_credit_eligible = eligible
    text = flat(text_of(renderer.devis(s.devis, s.company, s.client, s.devis_context())))
    assert ("Avantage fiscal (à titre indicatif)" in text) is eligible


def test_a_devis_not_yet_accepted_has_a_place_for_the_signature(s):
    devis = samples.build().devis
    devis.status, devis.accepted_at = type(devis.status).SENT, None
    text = flat(text_of(renderer.devis(devis, s.company, s.client)))
    assert "Bon pour accord" in text and "Validité 1 mois" in text


# ---------------------------------------------------------------------- attestation
def test_the_attestation_lists_flat_rate_services_with_their_intervenant(s):
    """A forfait is an intervention: listed with its month and its intervenant, « au forfait », not « 0 h »."""
    from ogust.domain.attestation import AttestationLine

    s.attestation.lines.append(AttestationLine("M002", "Paul Martin", 6, 0, 1, year=2026))
    text = flat(text_of(renderer.attestation(s.attestation, s.company, s.client)))
    assert "juin 2026 Paul Martin M002 1 au forfait" in text


def test_the_attestation_carries_the_amount_paid_and_the_hours_per_intervenant_and_month(s):
    text = flat(text_of(renderer.attestation(s.attestation, s.company, s.client)))

    for mention in [*provider_mentions(s), *client_mentions(s)]:
        assert mention in text, mention
    assert "ATTESTATION FISCALE" in text and "AF-2026-000003" in text and "Année 2026" in text
    assert "Montant payé en 2026 ouvrant droit au crédit d'impôt 1 234,56 €" in text
    assert "avril 2026 Marie Curie M001 1 2 h 30" in text
    assert "avril 2026 Paul Martin M002 1 0 h 45" in text
    assert "mai 2026 Marie Curie M001 4 10 h" in text
    assert "Total 6 13 h 15" in text
    assert "CESU préfinancés" in text and "avance immédiate" in text
    assert "par carte, virement ou chèque" in text and "non compris dans ce montant" not in text  # no CESU paid
    assert "Fait à Lyon, le 15/01/2027" in text


def test_the_attestation_states_apart_what_was_paid_in_cesu_prefinances(s):
    s.attestation.cesu_paid = Money(27500)
    text = flat(text_of(renderer.attestation(s.attestation, s.company, s.client)))

    assert "Montant payé en 2026 ouvrant droit au crédit d'impôt 1 234,56 €" in text
    assert "Réglé en CESU préfinancés en 2026, non compris dans ce montant : 275,00 €." in text
    assert "Seule la part de ces CESU que vous avez financée vous-même ouvre droit au crédit d'impôt" in text


# ---------------------------------------------------------------------- credit note
def test_the_credit_note_names_its_invoice_its_reason_its_vat_and_its_refund(s):
    pdf = renderer.credit_note(s.credit_note, s.company, s.client, s.credit_note_context())
    text = flat(text_of(pdf))

    for mention in [*provider_mentions(s), *client_mentions(s)]:
        assert mention in text, mention
    assert "AVOIR" in text and "AV-2026-000007" in text and "Facture d'origine FA-2026-000042" in text
    assert "Motif : Intervention du 08/04 écourtée" in text
    assert s.credit_note.total_ttc == Money(1000)
    assert f"Total TTC de l'avoir {euros(s.credit_note.total_ttc)}" in text
    assert f"Total HT {euros(s.credit_note.total_ht)}" in text
    assert "Remboursé : 10,00 € sur la carte bancaire ayant servi au paiement, le 04/05/2026 (réf. re_1Abc)." in text

    _name, xml = facturx_xml(pdf)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert xml_texts(xml, "TypeCode")[0] == "381"  # a credit note
    assert xml_texts(xml, "IssuerAssignedID") == ["FA-2026-000042"]
    assert xml_amount(xml, "GrandTotalAmount") == s.credit_note.total_ttc


def test_a_full_credit_note_repeats_the_invoice_lines(s):
    invoice = samples.build().invoice
    invoice.credited_ttc = Money.zero()  # the samples' invoice has a partial avoir already
    note = CreditNote.issue(invoice, "AV-2026-000001", date(2026, 5, 2), "Annulation", full_credit_lines(invoice),
                            [], [], samples.paris(2026, 5, 2))
    text = flat(text_of(renderer.credit_note(note, s.company, s.client, DocumentContext(s.company, s.client))))
    assert "Ménage (06/04/2026 — 2 h 30 — Marie Curie (M001)) 10 % 62,50 € 6,25 € 68,75 €" in text
    assert "Total TTC de l'avoir 140,49 €" in text
    assert ("Aucun paiement par carte à rembourser : le montant de l'avoir, 140,49 €, vient en déduction de ce qui "
            f"reste dû sur la facture n° {invoice.number} ; "
            "si vous l'avez déjà réglée, nous vous le remboursons.") in text


# ---------------------------------------------------------------------- pictures
def test_the_first_page_of_each_document_renders_as_a_picture(s, invoice_pdf, tmp_path):
    """With poppler's pdftoppm (skipped without it). OGUST_DOCUMENT_PNG_DIR keeps the pictures to look at."""
    folder = Path(os.environ.get("OGUST_DOCUMENT_PNG_DIR") or tmp_path)
    documents = {
        "facture": invoice_pdf,
        "devis": renderer.devis(s.devis, s.company, s.client, s.devis_context()),
        "attestation": renderer.attestation(s.attestation, s.company, s.client),
        "avoir": renderer.credit_note(s.credit_note, s.company, s.client, s.credit_note_context()),
    }
    pictures = {name: first_page_png(pdf, folder, name) for name, pdf in documents.items()}
    if any(p is None for p in pictures.values()):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for name, picture in pictures.items():
        assert picture.read_bytes().startswith(b"\x89PNG") and picture.stat().st_size > 20_000, name


def test_an_imported_invoice_says_it_was_issued_by_the_former_software_and_carries_no_factur_x(s):
    assert "reprise dans ogust" not in flat(text_of(renderer.invoice(s.invoice, s.company, s.client,
                                                                     s.invoice_context())))
    imported = Invoice.imported(s.client, "ANC-2026-0042", date(2026, 3, 31), s.invoice.lines,
                                s.invoice.created_at, date(2026, 11, 2))
    pdf = renderer.invoice(imported, s.company, s.client, DocumentContext(s.company, s.client))
    text = flat(text_of(pdf))
    assert "ANC-2026-0042" in text and "31/03/2026" in text
    assert not facturx_xml(pdf)[1]  # the former software's e-invoice, if any, was that one: none is made again
    assert "Facture émise par le précédent logiciel de gestion de l'entreprise" in text and "reprise dans ogust" in text
