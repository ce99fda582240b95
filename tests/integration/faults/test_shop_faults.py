"""The shop is down, or refuses: the debit and the email never wait for it; a passing outage is
retried with a backoff until the invoice is published, a refusal is dead with its reason shown."""
from __future__ import annotations

import pytest

from ogust.application import commands as c
from ogust.application.outbox import Effect, JobStatus
from ogust.domain.invoice import InvoiceStatus

pytestmark = pytest.mark.integration

DOCUMENT_PUT = r"/api/accounts/[^/]+/clients/[^/]+/documents/[^/]+"


def _publications_tried(office, invoice, count: int):
    """Both publications (at validation, then once paid) tried, and nothing else left to do."""
    def check():
        jobs = office.jobs()
        publish = [j for j in jobs if j.effect == Effect.PUBLISH_INVOICE.value]
        others = [j for j in jobs if j.effect != Effect.PUBLISH_INVOICE.value]
        return (len(publish) == count and all(j.attempts >= 1 and j.status is not JobStatus.PROCESSING for j in publish)
                and all(j.status is JobStatus.DONE for j in others) and publish)
    return check


def _documents(office) -> dict[str, list[dict]]:
    return office.shop.admin.account(office.shop_account)["documents"]


def test_with_the_shop_down_the_debit_happens_and_the_invoice_is_published_once_it_is_back(office) -> None:
    client = office.new_client()
    office.shop_proxy.down = True
    invoice = office.validated_invoice(client)

    publish = office.work(_publications_tried(office, invoice, 2), what="the publications to be tried")
    office.assert_debited_once(invoice)
    assert len(office.emails_to(client)) == 1
    for job in publish:
        assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
        assert "Boutique indisponible" in job.last_error and job.available_at > office.clock.now()
    assert _documents(office) == {}
    assert office.drain() == 0  # backing off, not hammering the shop
    stored = office.container.queries().client(office.company_id, client.id)
    assert stored.shop_client_id is None and "injoignable" in (stored.sync_failure or "")

    office.shop_proxy.down = False
    office.advance_past_backoff()
    office.work(office.all_done, what="every job to be done")

    stored = office.container.queries().client(office.company_id, client.id)
    [document] = _documents(office)[stored.shop_client_id]
    assert (document["id"], document["number"], document["status"]) == (invoice.id, invoice.number, "paid")
    assert document["amount_ttc_cents"] == office.invoice(invoice).total_ttc.cents
    assert [j.attempts for j in office.jobs(Effect.PUBLISH_INVOICE)] == [2, 2]
    # once back, each publication reached the shop once (the client was transmitted once too)
    assert office.shop_proxy.count("PUT", DOCUMENT_PUT, answered=200) == 2
    assert office.shop_proxy.count("PUT", r"/api/accounts/[^/]+/clients/[^/]+", answered=200) == 1
    office.assert_debited_once(invoice)
    assert len(office.emails_to(client)) == 1


def test_a_refusal_from_the_shop_is_dead_with_its_reason_and_not_retried(office) -> None:
    client = office.new_client()
    report = office.container.shop_sync().transmit_client(c.TransmitClient(office.company_id, client.id))
    assert report.outcome == "sent"
    # then the shop revokes ogust's API key: every call is now answered 401
    office.shop.admin.create_account(office.shop_account, api_key="a-key-ogust-does-not-have")
    invoice = office.validated_invoice(client)

    office.work(_publications_tried(office, invoice, 2), what="the publications to be tried")
    office.assert_debited_once(invoice)
    assert len(office.emails_to(client)) == 1

    dead = office.container.queries().outbox(office.company_id, JobStatus.DEAD)
    assert sorted(j.effect for j in dead) == [Effect.PUBLISH_INVOICE.value] * 2
    for job in dead:
        assert job.attempts == 1
        assert "refusé par la boutique" in job.last_error and "HTTP 401" in job.last_error
        assert "Clé API" in job.last_error  # the shop's own words, for the operator
    assert office.shop_proxy.count("PUT", DOCUMENT_PUT, answered=401) == 2

    office.clock.advance(days=2)
    assert office.drain() == 0
    assert [j.attempts for j in office.jobs(Effect.PUBLISH_INVOICE)] == [1, 1]
    assert office.shop_proxy.count("PUT", DOCUMENT_PUT) == 2
    assert office.status(invoice) is InvoiceStatus.PAID


def test_a_lost_answer_from_the_shop_does_not_make_a_second_client_or_document(office) -> None:
    client = office.new_client()
    # the shop stores the client and the invoice, but its answers are lost on the way back
    office.shop_proxy.next("PUT", r"/api/accounts/[^/]+/clients/[^/]+", "drop_answer")
    office.shop_proxy.next("PUT", DOCUMENT_PUT, "drop_answer")
    invoice = office.validated_invoice(client)
    office.work(office.all_done, what="every job to be done")

    account = office.shop.admin.account(office.shop_account)
    [record] = account["clients"]
    assert record["ogust_id"] == client.id
    stored = office.container.queries().client(office.company_id, client.id)
    assert stored.shop_client_id == record["shop_client_id"]
    [document] = account["documents"][stored.shop_client_id]
    assert (document["id"], document["status"]) == (invoice.id, "paid")
    # the lost answers were asked again (PUTs by id: the same record, not a new one)
    assert office.shop_proxy.count("PUT", r"/api/accounts/[^/]+/clients/[^/]+") == 2
    office.assert_debited_once(invoice)
    assert len(office.emails_to(client)) == 1
