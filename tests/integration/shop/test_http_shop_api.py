"""HttpShopApi against the reference shop over real HTTP; faults injected in front of it."""
from __future__ import annotations

import json
import socket
import threading

import httpx
import pytest

from ogust.adapters.shop.http_shop_api import HttpShopApi
from ogust.application.ports import ShopDocument, ShopKeyRefused, ShopRejected, ShopUnavailable
from ogust.domain.address import Address
from ogust.domain.client import Client
from ogust.domain.intervenant import Intervenant, ShopProfile
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit


def sophie(**profile: object) -> Intervenant:
    return Intervenant(
        company_id="co_1", first_name="Sophie", last_name="Durand", matricule="M0042",
        email="sophie.durand@example.fr",
        profile=ShopProfile(**{"presentation": "Dix ans d'expérience.", "services": ("svc_menage",),
                               "zones": ("69003",), "skills": ("Repassage",), **profile}),
    )


def claire(city: str = "Lyon") -> Client:
    return Client(company_id="co_1", first_name="Claire", last_name="Martin", email="claire.martin@example.fr",
                  address=Address("12 rue des Lilas", "69003", city))


def invoice(status: str = "validated") -> ShopDocument:
    return ShopDocument(kind="invoice", id="inv_1", number="F2026-000042", client_id="cli_ogust",
                        issued_on="2026-03-31", amount_ttc_cents=8250, status=status,
                        download_url="https://ogust.example.com/documents/inv_1?token=t", title="Facture de mars")


# ---------------------------------------------------------------- the port, on a healthy shop
def test_the_account_exists_and_another_does_not(api, account):
    assert api.account_exists(account.id) is True
    assert api.account_exists("acc_does_not_exist") is False


def test_a_base_url_that_is_not_a_shop_is_not_taken_for_a_missing_account(shop, account):
    with HttpShopApi(f"{shop.base_url}/not-the-shop", account.api_key) as api:
        with pytest.raises(ShopRejected, match="404"):
            api.account_exists(account.id)


def test_an_unknown_api_key_is_rejected_with_the_shops_reason(shop, account):
    with HttpShopApi(shop.base_url, "wrong-key", retries=0) as api, pytest.raises(ShopKeyRefused) as refused:
        api.account_exists(account.id)
    assert "Clé API" in str(refused.value) and "401" in str(refused.value)


def test_a_key_opens_only_its_own_account(shop, api, account):
    other = "acc_other_" + account.id
    shop.admin.create_account(other, "key-of-the-other-account")
    with pytest.raises(ShopKeyRefused, match="403"):
        api.list_services(other)


def test_services_become_shop_service_values(api, account):
    assert api.list_services(account.id) == [
        ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR),
        ShopService("svc_garde_enfants", "Garde d'enfants", Money(2200), VatRate.INTERMEDIATE_10, Unit.HOUR),
        ShopService("svc_aide_toilette", "Aide à la toilette", Money(3165), VatRate.REDUCED_5_5, Unit.HOUR),
    ]


def test_an_intervenant_and_her_skills_show_in_the_shop(shop, api, account):
    intervenant = sophie()
    api.upsert_intervenant(account.id, intervenant.shop_fields())
    intervenant.update(profile=sophie(skills=("Repassage", "Garde d'enfants de moins de 3 ans"),
                                      services=("svc_menage", "svc_garde_enfants")).profile)
    api.upsert_intervenant(account.id, intervenant.shop_fields())

    [stored] = shop.admin.account(account.id)["intervenants"]
    assert stored == intervenant.shop_fields()
    assert stored["skills"] == ["Garde d'enfants de moins de 3 ans", "Repassage"]


def test_upserting_a_client_twice_keeps_the_same_shop_id_and_updates_it(shop, api, account):
    client = claire()
    first = api.upsert_client(account.id, client.shop_fields())
    client.update(address=Address("3 place Bellecour", "69002", "Lyon 2e"))
    second = api.upsert_client(account.id, client.shop_fields())

    assert first == second
    [stored] = shop.admin.account(account.id)["clients"]
    assert (stored["shop_client_id"], stored["ogust_id"], stored["city"]) == (first, client.id, "Lyon 2e")


def test_publishing_a_document_twice_replaces_it_and_the_client_sees_it(shop, api, account):
    shop_client_id = api.upsert_client(account.id, claire().shop_fields())
    api.publish_document(account.id, shop_client_id, invoice("validated"))
    api.publish_document(account.id, shop_client_id, invoice("paid"))

    documents = shop.admin.account(account.id)["documents"][shop_client_id]
    assert [(d["id"], d["number"], d["status"], d["amount_ttc_cents"]) for d in documents] == [
        ("inv_1", "F2026-000042", "paid", 8250)
    ]
    page = shop.admin.client_page(account.id, shop_client_id)
    assert "Mon compte" in page and "F2026-000042" in page and "82,50" in page and "Payée" in page
    assert 'href="https://ogust.example.com/documents/inv_1?token=t"' in page


def test_a_document_for_an_unknown_shop_client_is_rejected(make_api, account):
    api, transport, _ = make_api()
    with pytest.raises(ShopRejected, match="cli_unknown"):
        api.publish_document(account.id, "cli_unknown", invoice())
    assert len(transport.requests) == 1


def test_bulk_upserts_report_each_record(shop, api, account):
    good = sophie()
    other = Intervenant(company_id="co_1", first_name="Marc", last_name="Petit", matricule="M0043")
    bad = {**sophie().shop_fields(), "services": ["svc_jardinage"]}
    outcomes = api.bulk_upsert_intervenants(account.id, [good.shop_fields(), bad, other.shop_fields()])

    assert [(o.id, o.ok) for o in outcomes] == [(good.id, True), (bad["id"], False), (other.id, True)]
    assert "svc_jardinage" in outcomes[1].reason
    assert {i["id"] for i in shop.admin.account(account.id)["intervenants"]} == {good.id, other.id}


def test_bulk_clients_get_the_same_shop_ids_as_single_upserts(api, account):
    client = claire()
    single = api.upsert_client(account.id, client.shop_fields())
    [outcome] = api.bulk_upsert_clients(account.id, [client.shop_fields()])
    assert (outcome.ok, outcome.shop_client_id) == (True, single)


def test_large_batches_are_sent_in_chunks_of_500(make_api, account):
    api, transport, _ = make_api()
    clients = [Client(company_id="co_1", first_name="Client", last_name=f"N{n}", email=f"c{n}@example.fr",
                      address=Address("1 rue", "75001", "Paris")) for n in range(501)]
    outcomes = api.bulk_upsert_clients(account.id, [c.shop_fields() for c in clients])
    assert len(transport.requests) == 2
    assert len(outcomes) == 501 and all(o.ok for o in outcomes)
    assert len({o.shop_client_id for o in outcomes}) == 501


# ---------------------------------------------------------------- GDPR erasure
PERSONAL = ("Claire", "Martin", "claire.martin@example.fr", "12 rue des Lilas", "69003", "Lyon")


def test_an_erased_client_keeps_only_its_ids_and_its_documents_stay(shop, api, account):
    client = claire()
    shop_client_id = api.upsert_client(account.id, client.shop_fields())
    api.publish_document(account.id, shop_client_id, invoice("paid"))

    api.erase_client(account.id, client.id, shop_client_id)

    view = shop.admin.account(account.id)
    assert view["clients"] == []  # no longer listed
    [erased] = view["erased_clients"]
    assert (erased["shop_client_id"], erased["ogust_id"]) == (shop_client_id, client.id) and erased["erased_at"]
    text = json.dumps(erased, ensure_ascii=False)
    for personal in PERSONAL:
        assert personal not in text, personal
    # the invoice stays (10 years), with its link to ogust; the customer's page is gone
    [kept] = view["documents"][shop_client_id]
    assert (kept["number"], kept["status"], kept["download_url"]) == (
        "F2026-000042", "paid", "https://ogust.example.com/documents/inv_1?token=t")
    assert httpx.get(f"{shop.base_url}/accounts/{account.id}/clients/{shop_client_id}").status_code == 404
    # later pushes for the same ogust id (say, a credit note's) go to the anonymised record
    api.publish_document(account.id, shop_client_id, invoice("refunded"))
    assert shop.admin.account(account.id)["clients"] == []


def test_erasing_again_or_a_client_the_shop_never_had_succeeds(make_api, shop, account):
    api, transport, sleeps = make_api()
    client = claire()
    api.upsert_client(account.id, client.shop_fields())
    api.erase_client(account.id, client.id)  # by the ogust id alone (ogust lost the shop's answer)
    first = shop.admin.account(account.id)["erased_clients"]
    api.erase_client(account.id, client.id)
    api.erase_client(account.id, "cli_never_sent", "cli_unknown")

    assert [(r.method, r.url.path.rsplit("/", 1)[1]) for r in transport.requests] == [
        ("PUT", client.id), ("DELETE", client.id), ("DELETE", client.id), ("DELETE", "cli_never_sent")]
    assert transport.requests[-1].url.params["shop_client_id"] == "cli_unknown"
    assert sleeps == []  # answered at once, nothing retried
    assert shop.admin.account(account.id)["erased_clients"] == first  # the first erasure, unchanged


def test_an_online_buyer_never_linked_is_erased_by_the_shops_id(shop, api, account):
    buyer = shop.store.shop_customer(account.id, {
        "email": "claire.martin@example.fr", "first_name": "Claire", "last_name": "Martin", "phone": "0611223344",
        "address": {"street": "12 rue des Lilas", "postal_code": "69003", "city": "Lyon"}})
    shop.store.put_order(account.id, {
        "order_id": "ord_1", "customer": {"shop_client_id": buyer["shop_client_id"], "first_name": "Claire"},
        "payment": {"stripe_customer_id": "cus_1", "stripe_payment_method_id": "pm_1"},
        "items": [{"service_id": "svc_menage", "unit_price_ttc_cents": 2750}]})

    api.erase_client(account.id, "cli_ogust_claire", buyer["shop_client_id"])

    view = shop.admin.account(account.id)
    assert view["clients"] == [] and [c["shop_client_id"] for c in view["erased_clients"]] == [buyer["shop_client_id"]]
    [order] = view["orders"]
    assert order["items"] == [{"service_id": "svc_menage", "unit_price_ttc_cents": 2750}]  # the accounts keep it
    assert "payment" not in order and order["customer"]["shop_client_id"] == buyer["shop_client_id"]
    text = json.dumps(view, ensure_ascii=False)
    for personal in PERSONAL:
        assert personal not in text, personal
    # the same person buying again is a new customer: the erased one is never matched by email
    again = shop.store.shop_customer(account.id, {"email": "claire.martin@example.fr", "first_name": "Claire",
                                                  "last_name": "Martin"})
    assert again["shop_client_id"] != buyer["shop_client_id"]


def test_a_shop_id_of_another_ogust_client_is_refused_and_nothing_is_erased(make_api, shop, account):
    api, transport, _ = make_api()
    shop_client_id = api.upsert_client(account.id, claire().shop_fields())
    with pytest.raises(ShopRejected, match="409") as refused:
        api.erase_client(account.id, "cli_someone_else", shop_client_id)
    assert "autre client ogust" in str(refused.value)
    assert len(transport.requests) == 2  # not retried
    assert [c["first_name"] for c in shop.admin.account(account.id)["clients"]] == ["Claire"]


def test_an_erasure_is_retried_when_the_shop_fails_then_unavailable(make_api, shop, account):
    client = claire()
    api, transport, sleeps = make_api(retries=3, backoff=0.2)
    shop_client_id = api.upsert_client(account.id, client.shop_fields())

    transport.faults.extend([502, httpx.ReadTimeout("slow"), 500, 503])
    with pytest.raises(ShopUnavailable, match="4 tentatives"):
        api.erase_client(account.id, client.id, shop_client_id)
    assert [r.method for r in transport.requests] == ["PUT"] + ["DELETE"] * 4
    assert [c["first_name"] for c in shop.admin.account(account.id)["clients"]] == ["Claire"]  # not yet erased

    transport.faults.extend([503, httpx.ConnectError("refused")])
    api.erase_client(account.id, client.id, shop_client_id)
    assert len(transport.requests) == 8 and sleeps[3:] == [0.2, 0.4]
    assert shop.admin.account(account.id)["clients"] == []


# ---------------------------------------------------------------- faults
def test_a_refusal_is_not_retried_and_keeps_the_shops_detail(make_api, account):
    api, transport, sleeps = make_api(retries=3)
    fields = {**sophie().shop_fields(), "zones": ["Lyon"]}
    with pytest.raises(ShopRejected) as refused:
        api.upsert_intervenant(account.id, fields)
    assert len(transport.requests) == 1 and sleeps == []
    assert "zones.0" in str(refused.value) and "422" in str(refused.value)


def test_server_errors_are_retried_with_exponential_backoff(make_api, account):
    api, transport, sleeps = make_api(faults=[503, 502], retries=3, backoff=0.2)
    assert api.account_exists(account.id) is True
    assert len(transport.requests) == 3
    assert sleeps == [0.2, 0.4]


def test_too_many_requests_is_retried_too(make_api, account):
    api, transport, _ = make_api(faults=[429])
    assert len(api.list_services(account.id)) == 3
    assert len(transport.requests) == 2


def test_timeouts_and_connection_errors_are_retried_then_unavailable(make_api, account):
    faults = [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), 500, httpx.ConnectTimeout("slow")]
    api, transport, sleeps = make_api(faults=faults, retries=3, backoff=0.2)
    with pytest.raises(ShopUnavailable, match="4 tentatives"):
        api.upsert_client(account.id, claire().shop_fields())
    assert len(transport.requests) == 4
    assert sleeps == [0.2, 0.4, 0.8]


def test_a_shop_that_never_answers_times_out_for_real():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: [accepted.append(listener.accept()[0]) for _ in range(2)], daemon=True).start()
    port = listener.getsockname()[1]
    try:
        with HttpShopApi(f"http://127.0.0.1:{port}", "key", timeout=0.2, retries=1, backoff=0.01) as api:
            with pytest.raises(ShopUnavailable, match="ReadTimeout"):
                api.list_services("acc_1")
        assert len(accepted) == 2
    finally:
        for connection in accepted:
            connection.close()
        listener.close()


def test_a_shop_that_is_down_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with HttpShopApi(f"http://127.0.0.1:{port}", "key", retries=2, backoff=0.01) as api:
        with pytest.raises(ShopUnavailable, match="ConnectError"):
            api.account_exists("acc_1")
