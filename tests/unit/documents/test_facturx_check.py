"""The Factur-X XML is checked against the EN 16931 XSD when it is built (the schema compiled once
per process), before anything is embedded."""
from __future__ import annotations

import pytest
from lxml import etree

from ogust.adapters.documents import facturx_xml
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
