"""GDPR: a client's data exported (JSON and PDFs in a zip) and the client erased — the record
anonymised, the invoices kept for their legal retention, the card detached at Stripe through the outbox
(the shop's copy too: tests/integration/shop/test_gdpr_erasure.py)."""
from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from ogust.application import commands as c
from ogust.application.outbox import Effect, JobStatus
from ogust.entrypoints.cli import people_commands
from ogust.entrypoints.cli.base import Cli

pytestmark = pytest.mark.integration


def paid_invoice(api) -> str:
    """The client's card saved; the invoice validated and debited (fake Stripe)."""
    with api.container.uow() as uow:
        uow.clients.get(api.company_id, api.client_id).save_payment_method("cus_jean", "pm_jean")
        uow.commit()
    api.container.validate_invoice()(c.ValidateInvoice(api.company_id, api.invoice_id))
    api.container.processor().run_until_idle()
    with api.container.uow() as uow:
        invoice = uow.invoices.get(api.company_id, api.invoice_id)
    assert invoice.status.value == "paid"
    return invoice.number


def test_export_then_erase_over_the_api(offline_api, http):
    number = paid_invoice(offline_api)
    response = http.get(f"/api/clients/{offline_api.client_id}/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("client.json"))
    assert data["client"]["email"] == "jean.dupont@example.fr" and data["client"]["phone"] == "04 78 00 00 00"
    assert [i["number"] for i in data["invoices"]] == [number] and data["payments"]
    pdf = f"documents/facture-{number}.pdf"
    assert pdf in archive.namelist() and archive.read(pdf).startswith(b"%PDF")
    assert set(data["documents"]) <= set(archive.namelist())
    assert "pm_jean" not in archive.read("client.json").decode()

    offline_api.gateway.detach_unknown = 1  # Stripe is down at first: the detach waits, nothing is lost
    erased = http.delete(f"/api/clients/{offline_api.client_id}")
    assert erased.status_code == 200, erased.text
    body = erased.json()
    text = json.dumps(body, ensure_ascii=False)
    for personal in ("Jean", "Dupont", "jean.dupont@example.fr", "04 78", "3 rue Haute", "69003", "Lyon"):
        assert personal not in text, personal
    assert body["has_saved_card"] is False and body["shop_client_id"] is None
    assert offline_api.gateway.detached == [] and offline_api.gateway.deleted_customers == []
    offline_api.container.processor().run_until_idle()
    with offline_api.container.uow() as uow:
        [job] = [j for j in uow.outbox.list(offline_api.company_id) if j.effect == Effect.DETACH_PAYMENT_METHOD.value]
        assert job.status is JobStatus.PENDING and "Stripe" in job.last_error
        [shop_job] = [j for j in uow.outbox.list(offline_api.company_id) if j.effect == Effect.SHOP_ERASE_CLIENT.value]
        assert shop_job.status is JobStatus.DONE  # never transmitted: nothing to erase at the shop
    assert offline_api.shop.erased == []
    offline_api.container.outbox_admin().retry(job.id)  # now rather than after its backoff
    offline_api.container.processor().run_until_idle()
    assert offline_api.gateway.detached == ["pm_jean"]
    assert offline_api.gateway.deleted_customers == ["cus_jean"]  # the name and email Stripe held

    # the invoice stays (10 years, art. L123-22 du Code de commerce), still readable and downloadable
    kept = http.get(f"/api/invoices/{number}")
    assert kept.status_code == 200 and kept.json()["status"] == "paid"
    assert http.delete(f"/api/clients/{offline_api.client_id}").status_code == 409  # once
    # nothing brings her back: no change, no transmission to the shop, no new invoice
    offline_api.container.link_shop()(c.LinkShopAccount(offline_api.company_id, "acc_demo"))
    before = http.get(f"/api/clients/{offline_api.client_id}").json()
    for refused in (http.patch(f"/api/clients/{offline_api.client_id}", json={"first_name": "Cécile"}),
                    http.post(f"/api/clients/{offline_api.client_id}/transmit"),
                    http.post("/api/invoices/manual", json={"client_id": offline_api.client_id, "lines": [
                        {"tarif_code": "MEN", "quantity": 60, "performed_on": "2026-04-06",
                         "intervenant_id": offline_api.intervenant_id}]})):
        assert refused.status_code == 409 and "effacé (RGPD)" in refused.json()["detail"], refused.text
    assert http.get(f"/api/clients/{offline_api.client_id}").json() == before
    assert len(http.get("/api/invoices").json()) == 1
    exported = http.post("/api/shop/export", json={"ids": []}).json()
    [erased_record] = [r for r in exported["records"] if r["id"] == offline_api.client_id]
    assert (erased_record["outcome"], erased_record["reason"]) == (
        "unchanged", "effacé (RGPD) : plus transmis à la boutique"), exported
    assert offline_api.client_id not in offline_api.shop.clients  # never sent again
    for row in http.get("/api/emails").json():
        assert "jean.dupont" not in row["to_email"]
    # the audit log keeps who erased and when, not who she was
    log = http.get("/api/audit", params={"entity": offline_api.client_id}).json()
    assert log and all(entry["redacted_at"] for entry in log)
    assert log[0]["action"] == "updated" and log[0]["changes"]["after"]["email"] == "[effacé (RGPD)]"
    everything = json.dumps(http.get("/api/audit", params={"limit": 1000}).json(), ensure_ascii=False)
    for personal in ("jean.dupont@example.fr", "Dupont", "3 rue Haute"):
        assert personal not in everything, personal


def test_export_and_erase_with_the_cli(offline_api, tmp_path):
    paid_invoice(offline_api)
    cli, runner = Cli(_container=offline_api.container), CliRunner()
    target = tmp_path / "jean.zip"
    result = runner.invoke(people_commands.client, ["export", "jean.dupont@example.fr", "-o", str(target)], obj=cli)
    assert result.exit_code == 0, result.output
    assert "client.json" in zipfile.ZipFile(target).namelist()

    refused = runner.invoke(people_commands.client, ["erase", "jean.dupont@example.fr"], obj=cli)
    assert refused.exit_code == 2 and "--yes" in refused.output
    result = runner.invoke(people_commands.client, ["erase", "jean.dupont@example.fr", "--yes", "--json"], obj=cli)
    assert result.exit_code == 0, result.output
    assert offline_api.gateway.detached == ["pm_jean"]  # the CLI performs the effects right away
    assert offline_api.gateway.deleted_customers == ["cus_jean"]
    with offline_api.container.uow() as uow:
        client = uow.clients.get(offline_api.company_id, offline_api.client_id)
        assert client.is_erased and client.stripe_payment_method_id is None and client.phone == ""
        assert uow.invoices.get(offline_api.company_id, offline_api.invoice_id).number
