"""The month's work over REST, as the CLI does it (issue 18: the API does everything the CLI does): the
accountant's journals of `ogust accounting export`, and the month-end run of `ogust invoice run`."""
from __future__ import annotations

import codecs
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.integration

TODAY = datetime.now(ZoneInfo("Europe/Paris")).date()
MONTH = f"{TODAY:%Y-%m}"


def _validated_and_paid(api, tenant) -> str:
    number = api.post(f"/api/invoices/{tenant.invoice_id}/validate", headers=tenant.operator).json()["number"]
    paid = api.post(f"/api/invoices/{number}/payments", json={"method": "cheque", "received_on": TODAY.isoformat(),
                                                              "reference": "7654321"}, headers=tenant.operator)
    assert paid.status_code == 201, paid.text
    return number


def test_the_sales_and_payments_journals_of_the_month_as_csv(api, tenants):
    a, b = tenants
    number = _validated_and_paid(api, a)
    assert api.post(f"/api/invoices/{b.invoice_id}/validate", headers=b.operator).status_code == 200

    sales = api.get("/api/accounting/sales", params={"month": MONTH}, headers=a.reader)
    assert sales.status_code == 200, sales.text
    assert sales.headers["content-type"].startswith("text/csv")
    assert f'filename="ventes-{MONTH}.csv"' in sales.headers["content-disposition"]
    assert sales.content.startswith(codecs.BOM_UTF8)  # a French spreadsheet reads the accents right
    lines = sales.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Date;Pièce;Type;Client;Facture corrigée;Base HT 5,5 %")
    [line] = lines[1:-1]  # this company's one invoice: not the other company's, issued the same day
    assert line.startswith(f"{TODAY:%d/%m/%Y};{number};Facture;")
    assert lines[-1].startswith(";Total;")

    payments = api.get("/api/accounting/payments", params={"month": MONTH}, headers=a.reader)
    assert payments.status_code == 200, payments.text
    assert f'filename="reglements-{MONTH}.csv"' in payments.headers["content-disposition"]
    rows = payments.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Date;Pièce;Client;Moyen;Référence;Montant"
    assert any(number in row and "7654321" in row for row in rows[1:-1]), rows


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "nov", "10/2026"])
def test_a_month_that_is_not_aaaa_mm_is_refused(api, tenants, month):
    a, _ = tenants
    for path in ("/api/accounting/sales", "/api/accounting/payments"):
        refused = api.get(path, params={"month": month}, headers=a.reader)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_the_month_end_run_through_the_api(api, tenants):
    a, _ = tenants
    ran = api.post("/api/month-end", json={"month": MONTH, "concurrency": 2, "rate": 10}, headers=a.operator)
    assert ran.status_code == 200, ran.text
    report = ran.json()
    assert report["month"] == MONTH and report["interrupted"] is False
    assert {"created", "validated", "paid", "failed", "skipped", "validated_ttc_cents", "debited_cents"} <= set(report)

    refused = api.post("/api/month-end", json={"month": "2026-13"}, headers=a.operator)
    assert refused.status_code == 422 and refused.json()["code"] in ("invalid_request", "invalid_value")
    forbidden = api.post("/api/month-end", json={"month": MONTH}, headers=a.reader)
    assert forbidden.status_code == 403
