"""The Factur-X XML is checked against the EN 16931 XSD when it is built (the schema compiled once
per process), before anything is embedded; the Factur-X file is one PDF."""
from __future__ import annotations

import pytest
from lxml import etree

from ogust.adapters.documents import facturx_xml
from ogust.adapters.documents.pdf_renderer import PdfDocumentRenderer
from tests.support.pdf_text import facturx_xml as facturx_xml_of
from tests.unit.documents import samples


def test_an_xml_that_the_xsd_refuses_is_not_embedded():
    with pytest.raises(ValueError, match="EN 16931 XSD"):
        facturx_xml.check(etree.Element(f"{{{facturx_xml.NS['rsm']}}}CrossIndustryInvoice"))


def test_the_xml_built_for_an_invoice_passes_and_the_schema_is_compiled_once():
    s = samples.build()
    invoice = s.invoice
    xml = facturx_xml.build(
        number=invoice.number, type_code=facturx_xml.INVOICE_TYPE, issued_on=invoice.issued_on, company=s.company,
        client=invoice.shown_client(s.client), lines=facturx_xml.invoice_lines(invoice),
        vat_breakdown=invoice.vat_breakdown(), total_ht=invoice.total_ht, total_vat=invoice.total_vat,
        total_ttc=invoice.total_ttc, settlement=facturx_xml.Settlement(invoice.total_ttc, True, None, "À réception."))
    assert xml.startswith(b"<?xml")
    assert facturx_xml._schema() is facturx_xml._schema()


def test_a_factur_x_file_is_one_pdf_not_the_plain_pdfs_beginning_followed_by_it():
    # factur-x's generate_from_binary wrote the new PDF after the first half of the plain one
    # (akretion/factur-x#24): a file twice as big, starting with bytes nothing refers to.
    s = samples.build()
    renderer = PdfDocumentRenderer()
    for pdf in (renderer.invoice(s.invoice, s.company, s.client, s.invoice_context()),
                renderer.credit_note(s.credit_note, s.company, s.client, s.credit_note_context())):
        assert pdf.startswith(b"%PDF-1.6") and pdf.count(b"%PDF-") == 1 and pdf.count(b"%%EOF") == 1
        assert facturx_xml_of(pdf)[0] == "factur-x.xml"
