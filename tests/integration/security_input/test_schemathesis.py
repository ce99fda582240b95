"""schemathesis against ogust's own OpenAPI schema: for every operation, a bounded number of generated
requests (valid and invalid); none may answer 5xx and every answer (successes included) must match the
schema, with all of schemathesis' checks but one: ``positive_data_acceptance`` (a request valid for the
schema must not get a 422) cannot hold for rules that JSON Schema cannot say — a SIRET's checksum, an
email address that can receive mail, a period that ends after it starts, an invoice with nothing left to
invoice. What the schema can say, it says (no blank text, no null where a value is required).

Half the generated requests name records that exist (a story: a linked shop, an order, invoices paid,
refused and in draft, an attestation, a credit note, documents): deep enough that almost every
operation answers 2xx at least once, and the test says which ones did not.

The signed webhooks are in: half their generated bodies are signed as the shop (with the company's secret,
for its account) or Stripe would sign them, so that fuzzing reaches past the signature; the other half
go unsigned, and must be refused with a 4xx."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from ogust.adapters.documents.links import LinkTarget
from ogust.adapters.shop.signing import sign
from ogust.application import commands as c
from ogust.application.outbox import Effect
from ogust.application.ports import ChargeOutcome
from ogust.domain.address import Address
from ogust.domain.intervenant import ShopProfile
from ogust.domain.money import Money, VatRate
from ogust.domain.payment import Payment, PaymentMethod
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit
from tests.integration.security_input.conftest import (
    SERVED_ON,
    WEBHOOK_SECRET,
    OfflineApi,
    headers_for,
    offline_api_on,
)
from tests.support.planning import ShiftedClock, declare_done

pytestmark = pytest.mark.integration

ORDER_WEBHOOK, STRIPE_WEBHOOK = "POST /api/shop/orders", "POST /api/stripe/webhook"
SHOP_ACCOUNT = f"acc_fuzz_{uuid.uuid4().hex[:10]}"  # its own on the session's database
NO_SUCCESS_HERE = {"POST /api/companies"}  # the installation's first company only: one exists already
MAX_EXAMPLES = int(os.environ.get("OGUST_SCHEMATHESIS_EXAMPLES", "15"))  # more for a longer hunt


def tell_a_story(api) -> dict[str, dict]:
    """Records for the operations to find, and per operation (``METHOD /path``) the path parameters,
    query parameters and body fields that name them (``"*"``: every operation's path parameters)."""
    container, company = api.container, api.company_id
    api.shop.accounts.add(SHOP_ACCOUNT)
    shop_secret = container.link_shop()(c.LinkShopAccount(company, SHOP_ACCOUNT))
    container.map_service()(c.MapShopService(company, "svc_menage", "MEN"))
    api.shop.services.append(ShopService("svc_jardin", "Jardinage", Money(3600), VatRate.STANDARD_20, Unit.HOUR))
    container.create_tarif()(c.CreateTarif(company, "JAR", "Jardinage", Unit.HOUR, Money(3000), VatRate.STANDARD_20))
    api.gateway.script("pm_refused", ChargeOutcome.DECLINED, "Carte refusée.", "card_declined")

    sophie = container.create_intervenant()(c.CreateIntervenant(company, "Sophie", "Germain", "M002", "",
                                                                "", ShopProfile(services=("svc_menage",))))
    start = datetime.now().astimezone().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=2)
    slots = [(start + timedelta(days=day), start + timedelta(days=day, hours=2)) for day in range(4)]
    lea = c.OrderCustomer("shop-cli-lea", "lea.martin@example.fr", "Léa", "Martin",
                          Address("8 rue Mercière", "69002", "Lyon"))
    order, contract = (container.place_order()(c.PlaceOrder(
        company, order_id, lea, tuple(c.OrderItem("svc_menage", sophie.id, begin, end, Money(2750))
                                      for begin, end in booked), "cus_lea", "pm_refused"))
        for order_id, booked in (("cmd-1", slots[:3]), ("cmd-2", slots[3:])))
    from_devis, to_mark_done, to_cancel = order.intervention_ids
    [in_contract] = contract.intervention_ids
    declare_done(container, company, from_devis)
    declare_done(container, company, in_contract)

    def served(minutes: int) -> tuple[c.ManualInvoiceLine, ...]:  # by Marie, on the day tests invoice by hand
        return (c.ManualInvoiceLine("MEN", minutes, SERVED_ON, api.intervenant_id),)

    with container.uow() as uow:  # Jean's card: his invoice is paid, then part of it credited
        uow.clients.get(company, api.client_id).save_payment_method("cus_jean", "pm_jean")
        uow.commit()
    paid = container.manual_invoice()(c.ManualInvoice(company, api.client_id, served(120)))
    container.validate_invoice()(c.ValidateInvoice(company, paid.id))
    refused = container.manual_invoice()(c.ManualInvoice(company, order.client_id, served(60)))
    container.validate_invoice()(c.ValidateInvoice(company, refused.id))
    marc = container.create_client()(c.CreateClient(company, "Marc", "Chèque", "marc@example.fr",
                                                   Address("2 rue Basse", "69001", "Lyon")))  # no card: pays by cheque
    by_cheque = container.manual_invoice()(c.ManualInvoice(company, marc.id, served(60)))
    by_cheque = container.validate_invoice()(c.ValidateInvoice(company, by_cheque.id))
    api.gateway.script("pm_nina", ChargeOutcome.AUTHENTICATION_REQUIRED)
    nina = container.create_client()(c.CreateClient(company, "Nina", "Simone", "nina@example.fr",
                                                   Address("4 rue Basse", "69001", "Lyon")))
    with container.uow() as uow:  # Nina's bank asks her to confirm the debit (3-D Secure)
        uow.clients.get(company, nina.id).save_payment_method("cus_nina", "pm_nina")
        uow.commit()
    awaiting = container.manual_invoice()(c.ManualInvoice(company, nina.id, served(60)))
    awaiting = container.validate_invoice()(c.ValidateInvoice(company, awaiting.id))
    container.processor().run_until_idle()
    with container.uow() as uow:
        paid, refused = uow.invoices.get(company, paid.id), uow.invoices.get(company, refused.id)
        assert paid.status.value == "paid" and refused.status.value == "payment_failed"
    year = paid.paid_at.year
    attestation = container.generate_attestation()(c.GenerateAttestation(company, api.client_id, year))
    api.gateway.fail_refund_unknown(times=1000)  # Stripe does not answer: the refund waits, to be retried
    note = container.issue_credit_note()(c.IssueCreditNote(company, paid.id, "Geste commercial", Money(300)))
    with container.uow() as uow:
        [job] = [j for j in uow.outbox.list(company) if j.effect == Effect.REFUND_CREDIT_NOTE.value]
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    cheque_paid = container.manual_invoice()(c.ManualInvoice(company, marc.id, served(60)))
    container.validate_invoice()(c.ValidateInvoice(company, cheque_paid.id))
    container.record_payment()(c.RecordPayment(company, cheque_paid.id, PaymentMethod.CHEQUE, today))
    to_refund = container.issue_credit_note()(c.IssueCreditNote(company, cheque_paid.id, "Heure non faite",
                                                                Money(500)))  # after the cheque: given back
    with container.uow() as uow:  # what Marc paid last December: an attestation of a year that is over
        uow.payments.add(Payment(company_id=company, invoice_id=cheque_paid.id, client_id=marc.id,
                                 amount=Money(1000), method=PaymentMethod.CHEQUE,
                                 received_at=datetime(year - 1, 12, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))))
        uow.commit()
    last_year = container.generate_attestation()(c.GenerateAttestation(company, marc.id, year - 1))
    to_discard = container.manual_invoice()(c.ManualInvoice(company, marc.id, served(30)))  # a draft
    erasable = container.create_client()(c.CreateClient(company, "Paul", "Effacé", "paul@example.fr",
                                                        Address("1 rue Basse", "69001", "Lyon")))
    links = container.links()
    document = links.token(LinkTarget(company, "invoice", paid.id))
    pay = links.token(LinkTarget(company, "pay", refused.id))
    period = {"period_start": (slots[3][0] - timedelta(days=1)).date().isoformat(),
              "period_end": (slots[3][0] + timedelta(days=1)).date().isoformat()}

    # the API is exercised once the intervention it declares done has taken place
    clock = ShiftedClock()
    clock.advance(seconds=(slots[1][1] - datetime.now().astimezone()).total_seconds())
    container.clock.override(providers.Object(clock))
    return {
        "secrets": {"shop": shop_secret},
        "*": {"path": {"client_id": api.client_id, "intervenant_id": api.intervenant_id,
                       "devis_id": order.devis_id, "intervention_id": from_devis, "invoice_id": api.invoice_id,
                       "invoice_ref": paid.number, "attestation_id": attestation.id, "job_id": job.id}},
        "POST /api/shop/link": {"body": {"shop_account_id": SHOP_ACCOUNT, "webhook_secret": shop_secret}},  # kept
        ORDER_WEBHOOK: {"body": {"order_id": "cmd-fuzz", "account_id": SHOP_ACCOUNT, "customer": {
            "shop_client_id": "shop-cli-zoe", "email": "zoe@example.fr", "first_name": "Zoé", "last_name": "Roux",
            "address": {"street": "9 rue Haute", "postal_code": "69003", "city": "Lyon"}}, "items": [
            {"service_id": "svc_menage", "intervenant_id": sophie.id, "start": (start + timedelta(days=30)).isoformat(),
             "end": (start + timedelta(days=30, hours=2)).isoformat(), "unit_price_ttc_cents": 2750}]}},
        STRIPE_WEBHOOK: {"body": {"id": "evt_fuzz", "object": "event", "type": "payment_intent.succeeded",
                                  "data": {"object": {"object": "payment_intent", "id": "pi_unknown"}}}},
        "POST /api/shop/mappings": {"body": {"shop_service_id": "svc_jardin", "tarif_code": "JAR"}},
        "DELETE /api/clients/{ref}": {"path": {"ref": erasable.id}},
        "POST /api/shop/export": {"body": {"ids": []}},
        "POST /api/interventions": {"body": {  # a free slot a month ahead (the day after the order webhook's
            # slot): one booking gets it, the next 409
            "client_id": api.client_id, "intervenant_id": sophie.id,
            "tarif_id": container.queries().tarif_ref(company, "MEN").id,
            "start": (start + timedelta(days=31)).isoformat(),
            "end": (start + timedelta(days=31, hours=2)).isoformat()}},
        "POST /api/interventions/{intervention_id}/done": {"path": {"intervention_id": to_mark_done}},
        "POST /api/interventions/{intervention_id}/cancel": {"path": {"intervention_id": to_cancel}},
        "POST /api/invoices/from-devis": {"body": {"devis_id": order.devis_id}},
        "POST /api/invoices/manual": {"body": {"client_id": api.client_id,
                                               "lines": [{"tarif_code": "MEN", "quantity": 90,
                                                          "intervenant_id": api.intervenant_id,
                                                          "performed_on": SERVED_ON.isoformat()}]}},
        "POST /api/invoices/contract": {"body": {"client_id": order.client_id, **period}},
        "GET /api/invoices/{ref}": {"path": {"ref": paid.number}},
        "POST /api/invoices/{ref}/retry-payment": {"path": {"ref": refused.id}},
        "POST /api/invoices/{ref}/cancel-debit": {"path": {"ref": awaiting.number}},
        "POST /api/invoices/{ref}/payments": {
            "path": {"ref": by_cheque.number},
            "body": {"method": "cheque", "received_on": datetime.now(ZoneInfo("Europe/Paris")).date().isoformat(),
                     "reference": "1234567", "amount_cents": None}},
        "POST /api/attestations": {"body": {"client_id": api.client_id, "year": year}},
        "POST /api/attestations/batch": {"body": {"year": year}},
        "POST /api/attestations/{ref}/validate": {"path": {"ref": last_year.id}},
        "DELETE /api/invoices/{ref}": {"path": {"ref": to_discard.id}},
        "GET /api/attestations": {"query": {"year": year}},
        "GET /api/attestations/{ref}": {"path": {"ref": attestation.id}},
        "POST /api/invoices/{ref}/credit-notes": {"path": {"ref": paid.number},
                                                   "body": {"amount_cents": 100, "full": False}},
        "GET /api/credit-notes": {"query": {"invoice_id": paid.id}},
        "GET /api/credit-notes/{ref}": {"path": {"ref": note.number}},
        "POST /api/credit-notes/{ref}/refund": {"path": {"ref": to_refund.number},
                                                "body": {"method": "cheque", "refunded_on": today.isoformat()}},
        "GET /api/invoices/{ref}/pdf": {"path": {"ref": paid.number}},
        "GET /api/invoices/{ref}/xml": {"path": {"ref": paid.number}},
        "GET /api/credit-notes/{ref}/pdf": {"path": {"ref": note.number}},
        "GET /api/credit-notes/{ref}/xml": {"path": {"ref": note.number}},
        "GET /api/devis/{ref}/pdf": {"path": {"ref": order.devis_id}},
        "GET /api/attestations/{ref}/pdf": {"path": {"ref": attestation.id}},
        # the other {ref} routes: the story's records, by the reference an operator types
        "GET /api/intervenants/{ref}": {"path": {"ref": "M002"}},
        "PATCH /api/intervenants/{ref}": {"path": {"ref": api.intervenant_id}},
        "POST /api/intervenants/{ref}/sync": {"path": {"ref": api.intervenant_id}},
        "GET /api/intervenants/{ref}/planning": {"path": {"ref": api.intervenant_id}},
        "GET /api/clients/{ref}": {"path": {"ref": api.client_id}},
        "PATCH /api/clients/{ref}": {"path": {"ref": api.client_id}},
        "POST /api/clients/{ref}/transmit": {"path": {"ref": api.client_id}},
        "GET /api/clients/{ref}/export": {"path": {"ref": api.client_id}},
        "GET /api/devis/{ref}": {"path": {"ref": order.devis_id}},
        "POST /api/invoices/{ref}/validate": {"path": {"ref": api.invoice_id}},
        "GET /api/audit": {"query": {"entity": api.client_id}},
        "GET /api/accounting/sales": {"query": {"month": f"{today:%Y-%m}"}},
        "GET /api/accounting/payments": {"query": {"month": f"{today:%Y-%m}"}},
        "POST /api/month-end": {"body": {"month": f"{today:%Y-%m}", "concurrency": 1, "rate": 5}},
        # a CSV file of a former software (issue 18): a client ogust does not know yet, imported once, then unchanged
        "POST /api/imports/{kind}": {"path": {"kind": "clients"},
                                     "body": "email;prenom;nom;adresse;code_postal;ville\n"
                                             "odette.lambert@example.fr;Odette;Lambert;18 rue Vendôme;69006;Lyon\n"},
        "GET /documents/{token}": {"path": {"token": document}},
        "GET /pay/{token}": {"path": {"token": pay}},
    }


def with_real_records(case, known: dict[str, dict], name: str):
    """The generated case, naming records that exist."""
    real = known.get(name, {})
    if case.path_parameters:
        case.path_parameters = {key: real.get("path", {}).get(key, known["*"]["path"].get(key, value))
                                for key, value in case.path_parameters.items()}
    if "query" in real:
        case.query = {**(case.query or {}), **real["query"]}
    if "body" in real and isinstance(case.body, dict):
        case.body = {**case.body, **real["body"]}
    elif isinstance(real.get("body"), str):  # a whole file (text/csv), sent as it is
        case.body = real["body"]
    return case


def signed(case, name: str, shop_secret: str) -> tuple[dict[str, str], dict]:
    """The headers that sign the generated body as the shop (for its account) or Stripe would, and the
    transport arguments that send these exact bytes (the schema still sees the body as generated)."""
    raw = case.body if isinstance(case.body, bytes) else json.dumps(case.body).encode()
    stamp = int(time.time())
    if name == ORDER_WEBHOOK:
        headers = {"X-Ogust-Account": SHOP_ACCOUNT, "X-Ogust-Timestamp": str(stamp),
                   "X-Ogust-Signature": sign(shop_secret, stamp, raw)}
    else:
        digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
        headers = {"Stripe-Signature": f"t={stamp},v1={digest}"}
    return headers, {"json": None, "data": raw}


def exercise(operation, name: str, known: dict[str, dict], headers: dict[str, str]) -> Counter:
    """The operation's generated requests, checked; the statuses they got (raises on a failed check)."""
    seen: Counter = Counter()

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), real=st.booleans())
    def check(case, real: bool) -> None:
        sent, transport = headers, {}
        if real:  # half the time, records that exist: deeper than a 404 — and a webhook signed
            case = with_real_records(case, known, name)
            if name in (ORDER_WEBHOOK, STRIPE_WEBHOOK) and case.body is not None:
                signature, transport = signed(case, name, known["secrets"]["shop"])
                sent = {**headers, **signature}
        response = case.call(headers=sent, **transport)
        seen[response.status_code] += 1
        case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance])

    check()
    return seen


@pytest.fixture
def fuzzed_api(database_url: str, tmp_path: Path) -> Iterator[OfflineApi]:
    """On SQLite, and on PostgreSQL when OGUST_TEST_DATABASE_URL is set (CI)."""
    yield from offline_api_on(database_url, tmp_path / "var")


def test_no_server_error_and_every_response_matches_the_schema(fuzzed_api) -> None:
    api_headers = headers_for(fuzzed_api.container, fuzzed_api.company_id)
    known = tell_a_story(fuzzed_api)
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_api.app)
    started, failures, statuses = time.monotonic(), [], {}
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        try:
            statuses[name] = exercise(operation, name, known, api_headers)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every operation reports, then fails once
            statuses[name] = Counter()
            failures.append(f"{name}: {str(error)[:1500]}")
    assert len(statuses) >= 30
    assert not failures, "\n\n".join(failures)
    never_succeeded = {name for name, seen in statuses.items() if not any(200 <= s < 300 for s in seen)}
    assert never_succeeded <= NO_SUCCESS_HERE, {name: dict(statuses[name]) for name in never_succeeded}
    if MAX_EXAMPLES <= 15:
        assert time.monotonic() - started < 90
