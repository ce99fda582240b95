"""Documents leave ogust as PDF files: through signed links served by the API, and through the CLI."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from ogust.adapters.documents.links import LinkTarget, SignedDocumentLinks
from ogust.application import commands as c
from ogust.domain.money import Money
from ogust.entrypoints.api.app import create_app
from ogust.entrypoints.cli import main
from ogust.entrypoints.errors import exit_code
from tests.integration.documents.conftest import Billing, paid_invoice
from tests.support.pdf_text import facturx_xml, flat, text_of, xml_amount

pytestmark = pytest.mark.integration


@pytest.fixture
def api(container) -> TestClient:
    with TestClient(create_app(container, run_worker=False)) as client:
        yield client


def path_of(url: str) -> str:
    return url[url.index("/documents/"):]


def test_the_download_link_serves_the_pdf_privately_as_an_attachment(billing: Billing, api):
    invoice = paid_invoice(billing)
    note = billing.container.issue_credit_note()(c.IssueCreditNote(billing.company_id, invoice.id, "Retard",
                                                                   Money(1000)))
    billing.container.processor().run_until_idle()
    links = billing.container.links()

    response = api.get(path_of(links.download_url(billing.company_id, "invoice", invoice.id)))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-disposition"] == f'attachment; filename="facture-{invoice.number}.pdf"'
    text = flat(text_of(response.content))
    assert invoice.number in text and "Total TTC 68,75 €" in text and "Claire Dubois" in text
    assert f"{note.number} du" in text  # the avoir issued on it
    assert xml_amount(facturx_xml(response.content)[1], "GrandTotalAmount") == invoice.total_ttc

    avoir = api.get(path_of(links.download_url(billing.company_id, "credit_note", note.id)))
    assert avoir.status_code == 200 and avoir.headers["content-disposition"].endswith(f'avoir-{note.number}.pdf"')
    assert "Total TTC de l'avoir 10,00 €" in flat(text_of(avoir.content))


def test_tampered_expired_or_foreign_links_are_not_found(billing: Billing, api, platform_settings):
    invoice = paid_invoice(billing)
    links = billing.container.links()
    good = path_of(links.download_url(billing.company_id, "invoice", invoice.id))
    body, signature = good.removeprefix("/documents/").split(".")
    tampered = f"/documents/{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    expired = SignedDocumentLinks("http://x", platform_settings.secret_key, ttl_seconds=-60)
    other = billing.container.create_company()(c.CreateCompany(
        "Autre Services", billing.container.queries().company(billing.company_id).address, "73282932000074",
        "SAP999", date(2022, 1, 1)))

    for path in (tampered,
                 f"/documents/{expired.token(LinkTarget(billing.company_id, 'invoice', invoice.id))}",
                 path_of(links.download_url(other.id, "invoice", invoice.id)),
                 path_of(links.download_url(billing.company_id, "invoice", "no-such-invoice"))):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_cli_writes_invoice_and_avoir_pdfs_and_issues_a_credit_note(billing: Billing, platform_settings,
                                                                        tmp_path, monkeypatch):
    invoice = paid_invoice(billing)
    s = platform_settings
    env = {"OGUST_VAR_DIR": str(tmp_path / "var"), "OGUST_DATABASE_URL": s.database_url,
           "OGUST_SECRET_KEY": s.secret_key, "OGUST_COMPANY_ID": billing.company_id,
           "OGUST_STRIPE_API_KEY": s.stripe_api_key, "OGUST_STRIPE_API_BASE": s.stripe_api_base,
           "OGUST_SHOP_URL": s.shop_url, "OGUST_SHOP_API_KEY": billing.container.settings().shop_api_key,
           "OGUST_MAIL_DIR": str(tmp_path / "mail")}
    runner = CliRunner()

    def ogust(*args: str) -> str:
        result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    target = tmp_path / "facture.pdf"
    assert "Écrit" in ogust("invoice", "pdf", invoice.number, "-o", str(target))
    assert invoice.number in flat(text_of(target.read_bytes()))

    out = ogust("invoice", "credit-note", invoice.number, "--amount", "12,50", "--reason", "Geste commercial",
                "--json")
    issued = json.loads(out[out.index("{"):])  # after the worker's progress line
    assert issued["total_ttc"]["cents"] == 1250 and issued["refund"]["status"] == "succeeded"

    listed = json.loads(ogust("credit-note", "list", "--invoice", invoice.number, "--json"))
    assert [n["number"] for n in listed] == [issued["number"]]
    avoir = tmp_path / "avoir.pdf"
    ogust("credit-note", "document", issued["number"], "-o", str(avoir))
    text = flat(text_of(avoir.read_bytes()))
    assert issued["number"] in text and "Motif : Geste commercial" in text and "12,50 €" in text

    refused = runner.invoke(main, ["invoice", "credit-note", invoice.number, "--amount", "60", "--reason", "x"],
                            env=env)
    assert refused.exit_code == exit_code(409), refused.output  # a conflict with the invoice's state
    assert "credit_exceeds_invoice" in refused.output
