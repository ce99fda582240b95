"""Documents over REST for a key of the company: PDF of each invoice, avoir, devis and attestation,
Factur-X XML of invoices and avoirs — the same originals as the client's download link."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

pytestmark = pytest.mark.integration

TODAY = datetime.now(ZoneInfo("Europe/Paris")).date()
CII = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"


def _validated(api, tenant) -> str:
    answer = api.post(f"/api/invoices/{tenant.invoice_id}/validate", headers=tenant.operator)
    assert answer.status_code == 200, answer.text
    return answer.json()["number"]


def test_an_invoice_pdf_and_its_factur_x_xml_by_number(api, container, tenants):
    a, _ = tenants
    number = _validated(api, a)

    pdf = api.get(f"/api/invoices/{number}/pdf", headers=a.operator)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert f'filename="facture-{number}.pdf"' in pdf.headers["content-disposition"]

    xml = api.get(f"/api/invoices/{number}/xml", headers=a.operator)
    assert xml.status_code == 200, xml.text
    assert xml.headers["content-type"].startswith("application/xml")
    assert f'filename="facture-{number}.xml"' in xml.headers["content-disposition"]
    root = etree.fromstring(xml.content)
    assert root.find(f"{CII}ExchangedDocument/").text == number  # rsm:ID, the first child
    # the same original as the PDF carries
    assert container.documents().embedded_xml(pdf.content) == xml.content


def test_the_same_bytes_as_the_clients_download_link(api, container, tenants):
    a, _ = tenants
    _validated(api, a)
    link = container.links().download_url(a.company_id, "invoice", a.invoice_id)
    signed = api.get(link[link.index("/documents/"):])
    mine = api.get(f"/api/invoices/{a.invoice_id}/pdf", headers=a.operator)
    assert signed.status_code == mine.status_code == 200
    assert signed.headers["content-disposition"] == mine.headers["content-disposition"]
    # rendered twice (the PDF's timestamps differ), from the same original: the same structured invoice
    assert container.documents().embedded_xml(signed.content) == container.documents().embedded_xml(mine.content)


def test_a_credit_note_and_an_attestation_as_pdf_and_xml(api, tenants):
    a, _ = tenants
    number = _validated(api, a)
    paid = api.post(f"/api/invoices/{number}/payments", json={"method": "cheque", "received_on": TODAY.isoformat()},
                    headers=a.operator)
    assert paid.status_code == 201, paid.text
    note = api.post(f"/api/invoices/{number}/credit-notes", json={"amount_cents": 500, "reason": "Retard"},
                    headers=a.operator)
    assert note.status_code == 201, note.text
    av = note.json()["number"]
    pdf = api.get(f"/api/credit-notes/{av}/pdf", headers=a.operator)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'filename="avoir-{av}.pdf"' in pdf.headers["content-disposition"]
    xml = api.get(f"/api/credit-notes/{av}/xml", headers=a.operator)
    assert xml.status_code == 200 and etree.fromstring(xml.content).tag == f"{CII}CrossIndustryInvoice"

    attestation = api.post("/api/attestations", json={"client_id": a.client_id, "year": TODAY.year}, headers=a.operator)
    assert attestation.status_code == 201, attestation.text
    pdf = api.get(f"/api/attestations/{attestation.json()['id']}/pdf", headers=a.operator)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert f'filename="attestation-fiscale-{TODAY.year}-' in pdf.headers["content-disposition"]


def test_a_draft_has_no_xml_and_another_companys_document_is_not_found(api, tenants):
    a, b = tenants
    draft = api.get(f"/api/invoices/{a.invoice_id}/xml", headers=a.operator)
    assert draft.status_code == 409 and draft.json()["code"] == "invalid_transition"
    assert api.get(f"/api/invoices/{a.invoice_id}/pdf", headers=a.operator).status_code == 200  # a draft's PDF
    for path in (f"/api/invoices/{a.invoice_id}/pdf", f"/api/invoices/{a.invoice_id}/xml",
                 "/api/credit-notes/AV-2026-000001/pdf", "/api/devis/nope/pdf"):
        answer = api.get(path, headers=b.operator)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", path
    assert api.get(f"/api/invoices/{a.invoice_id}/pdf", headers=a.shop).status_code == 403
    assert api.get(f"/api/invoices/{a.invoice_id}/pdf").status_code == 401
