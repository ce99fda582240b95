"""Issued documents render the client as they were issued to, not as the record stands now (after
a move or a GDPR erasure); a draft renders the client record."""
from __future__ import annotations

import pytest
from lxml import etree

from ogust.adapters.documents.pdf_renderer import PdfDocumentRenderer
from ogust.domain.address import Address
from tests.support.pdf_text import RAM, facturx_xml, flat, text_of
from tests.unit.documents import samples

renderer = PdfDocumentRenderer()
AS_ISSUED = ["Élodie Bérénger", "5 place Bellecour", "69002 Lyon", "elodie.berenger@example.fr"]


@pytest.fixture
def s() -> samples.Samples:
    return samples.build()


def rendered(s: samples.Samples) -> dict[str, bytes]:
    return {
        "invoice": renderer.invoice(s.invoice, s.company, s.client, s.invoice_context()),
        "credit_note": renderer.credit_note(s.credit_note, s.company, s.client, s.credit_note_context()),
        "attestation": renderer.attestation(s.attestation, s.company, s.client),
        "devis": renderer.devis(s.devis, s.company, s.client, s.devis_context()),
    }


@pytest.mark.parametrize("change", ["move", "erase"])
def test_issued_documents_show_the_client_as_issued(s, change):
    before = {kind: flat(text_of(pdf)) for kind, pdf in rendered(s).items()}
    if change == "move":
        s.client.update(last_name="Martin", email="elodie.martin@example.fr",
                        address=Address("40 cours Gambetta", "69007", "Lyon"))
    else:
        s.client.erase()
    after = rendered(s)
    for kind, pdf in after.items():
        text = flat(text_of(pdf))
        for mention in AS_ISSUED:
            assert mention in text, (kind, mention)
        assert "Gambetta" not in text and "effacé" not in text, kind
        assert text == before[kind], kind
    for kind in ("invoice", "credit_note"):  # the Factur-X buyer too
        _, xml = facturx_xml(after[kind])
        [buyer] = etree.fromstring(xml).iter(f"{{{RAM}}}BuyerTradeParty")
        assert [node.text for node in buyer.iter(f"{{{RAM}}}Name", f"{{{RAM}}}LineOne", f"{{{RAM}}}URIID")] == [
            "Élodie Bérénger", "5 place Bellecour", "elodie.berenger@example.fr"], kind


def test_a_draft_shows_the_client_record_as_it_stands(s):
    draft = samples.build().invoice
    draft.status, draft.number, draft.issued_on, draft.due_on = type(draft.status).DRAFT, None, None, None
    draft.client_identity = None
    s.client.update(address=Address("40 cours Gambetta", "69007", "Lyon"))
    text = flat(text_of(renderer.invoice(draft, s.company, s.client)))
    assert "40 cours Gambetta" in text and "5 place Bellecour" not in text


def test_a_document_issued_before_the_snapshot_was_kept_renders_from_the_client(s):
    s.invoice.client_identity = None  # a row from before revision 0007
    s.client.update(address=Address("40 cours Gambetta", "69007", "Lyon"))
    text = flat(text_of(renderer.invoice(s.invoice, s.company, s.client, s.invoice_context())))
    assert "40 cours Gambetta" in text
