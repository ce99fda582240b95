"""The client's « Mon compte » page, as a real browser shows it: what ogust published through its shop
adapter — an invoice partly credited and partly paid, its avoir refunded, a debit the company
cancelled, an attestation — in French, with what is left to pay. A screenshot is kept in
var/test-artefacts/."""
from __future__ import annotations

import pytest

from ogust.application.ports import ShopDocument
from ogust.domain.address import Address
from ogust.domain.client import Client
from tests.support.browser import ARTEFACTS, NO_CHROMIUM, Chromium, find_chromium, table_and_ids

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
LINK = "https://ogust.example.com/documents/"


def document(kind: str, id: str, number: str, issued_on: str, amount: int, status: str, title: str,
             left_to_pay: int | None = None) -> ShopDocument:
    return ShopDocument(kind=kind, id=id, number=number, client_id="cli_ogust", issued_on=issued_on,
                        amount_ttc_cents=amount, status=status, download_url=f"{LINK}{id}?token=t", title=title,
                        left_to_pay_cents=left_to_pay)


PUBLISHED = [
    # 82,50 € less an avoir of 22,50 € and 20,00 € in CESU: 40,00 € left
    document("invoice", "inv_1", "FA-2026-000042", "2026-03-31", 8250, "validated", "Facture FA-2026-000042", 4000),
    document("credit_note", "cn_1", "AV-2026-000007", "2026-04-02", -2250, "refunded",
             "Avoir AV-2026-000007 (facture FA-2026-000041)"),
    document("invoice", "inv_2", "FA-2026-000043", "2026-04-30", 5500, "debit_cancelled", "Facture FA-2026-000043",
             5500),
    document("invoice", "inv_3", "FA-2026-000044", "2026-05-31", 2750, "paid", "Facture FA-2026-000044", 0),
    document("attestation", "att_1", "AF-2025-000003", "2026-01-15", 124300, "validated", "Attestation fiscale 2025"),
]


def test_the_account_page_in_a_browser_is_in_french_and_says_what_is_left_to_pay(shop, api, account):
    client = Client(company_id="co_1", first_name="Claire", last_name="Dubois", email="claire.dubois@example.fr",
                    address=Address("5 place Bellecour", "69002", "Lyon"))
    shop_client_id = api.upsert_client(account.id, client.shop_fields())
    for published in PUBLISHED:
        api.publish_document(account.id, shop_client_id, published)
    url = f"{shop.base_url}/accounts/{account.id}/clients/{shop_client_id}"
    browser = Chromium(CHROMIUM)

    rows, by_id = table_and_ids(browser.dom(url))
    screenshot = browser.screenshot(url, ARTEFACTS / "mon-compte.png")
    print(f"\ncapture d'écran de la page « Mon compte » : {screenshot}")

    assert rows[0] == ["Document", "Titre", "Numéro", "Date", "Montant TTC", "Reste à payer", "Statut", ""]
    assert [row[:7] for row in rows[1:]] == [  # newest first
        ["Facture", "Facture FA-2026-000044", "FA-2026-000044", "31/05/2026", "27,50 €", "0,00 €", "Payée"],
        ["Facture", "Facture FA-2026-000043", "FA-2026-000043", "30/04/2026", "55,00 €", "55,00 €", "Débit annulé"],
        ["Avoir", "Avoir AV-2026-000007 (facture FA-2026-000041)", "AV-2026-000007", "02/04/2026", "-22,50 €", "",
         "Remboursé"],
        ["Facture", "Facture FA-2026-000042", "FA-2026-000042", "31/03/2026", "82,50 €", "40,00 €", "À payer"],
        ["Attestation fiscale", "Attestation fiscale 2025", "AF-2025-000003", "15/01/2026", "1 243,00 €", "",
         "Validée"],
    ]
    assert all(row[7] == "Télécharger" for row in rows[1:])
    assert by_id["reste-a-payer"] == "Reste à payer : 95,00 €"
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 1280
    assert len(png) > 5_000  # a rendered page, not an empty canvas
