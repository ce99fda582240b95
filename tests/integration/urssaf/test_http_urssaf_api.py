"""HttpUrssafApi against the reference URSSAF server: each call, what it sends (checked against
docs/urssaf-tiers-prestation.openapi.yaml), the token's caching and renewal, refusals told apart
from unavailability, and secrets kept out of logs, reprs and errors."""
from __future__ import annotations

import logging
import time
from datetime import date, timedelta

import pytest

from ogust.adapters.urssaf.http_urssaf_api import HttpUrssafApi
from ogust.application.ports import (
    UrssafClientStatus,
    UrssafCredentials,
    UrssafRejected,
    UrssafRequestStatus,
    UrssafUnavailable,
)
from ogust.domain.money import Money
from tests.integration.faults.proxy import FaultProxy
from tests.integration.urssaf.conftest import TODAY
from tests.support.urssaf_contract import assert_documented_request
from tests.support.urssaf_samples import hours_line, payment_request, registration

pytestmark = pytest.mark.integration
DEMANDE = r"/atp/v1/tiersPrestations/demandePaiement"
TOKEN = r"/api/oauth/v1/token"


def test_registration_and_the_client_status(urssaf, api, recording):
    credentials = urssaf.admin.create_tiers("company-1")
    id_client = api.register_client(credentials, registration())
    assert api.client_status(credentials, id_client) is UrssafClientStatus.PAIRING
    urssaf.admin.activate("company-1", id_client)
    assert api.client_status(credentials, id_client) is UrssafClientStatus.ACTIVE
    urssaf.admin.account(id_client, "expire-mandate")
    assert api.client_status(credentials, id_client) is UrssafClientStatus.MANDATE_EXPIRED
    urssaf.admin.account(id_client, "block")
    assert api.client_status(credentials, id_client) is UrssafClientStatus.BLOCKED
    sent = [request for request, _ in recording.exchanges if request.url.path.endswith("/particulier")
            and request.method == "POST"]
    assert_documented_request("POST", str(sent[0].url), sent[0].content)


def test_a_second_registration_is_refused_in_french(urssaf, api, company):
    with pytest.raises(UrssafRejected) as refused:
        api.register_client(company.credentials, registration())
    assert refused.value.code == "ERR_LIEN_TIERS_PRESTATION_PARTICULIER_EXISTE"
    assert "déjà inscrit" in str(refused.value)
    assert not refused.value.already_received


def test_a_payment_request_is_received_then_read_back(urssaf, api, company, recording):
    request_id = api.submit_payment_request(company.credentials, payment_request(company.id_client))
    [state] = api.payment_requests(company.credentials, [request_id])
    assert state.request_id == request_id
    assert state.status is UrssafRequestStatus.RECEIVED
    assert state.invoice_number == "F2026-0001"
    assert state.transfer_amount is None and state.rejection_code is None
    [sent] = [request for request, status in recording.exchanges
              if request.url.path.endswith("/demandePaiement") and status == 200]
    assert_documented_request("POST", str(sent.url), sent.content)
    assert b'"mntFactureTTC": 112.5' in sent.content and b'"mntUnitaireTTC": 25' in sent.content


def test_three_decimal_unit_prices_and_cent_amounts_go_out_exactly(urssaf, api, company):
    line = hours_line("2", "6.012", 200)  # 12.02 TTC, 10.02 HT: enDI's example of a rounded unit price
    assert line.amount_ttc == Money(1202)
    request_id = api.submit_payment_request(company.credentials, payment_request(company.id_client, lines=(line,)))
    sent = urssaf.admin.demande(request_id)["demandePaiement"]["inputPrestations"][0]
    assert (sent["mntUnitaireTTC"], sent["mntPrestationTTC"], sent["quantite"]) == (6.012, 12.02, 2)


def test_the_same_invoice_number_twice_is_already_received(urssaf, api, company):
    api.submit_payment_request(company.credentials, payment_request(company.id_client))
    with pytest.raises(UrssafRejected) as refused:
        api.submit_payment_request(company.credentials, payment_request(company.id_client))
    assert refused.value.already_received
    assert refused.value.code == "ERR_FACTURE_DOUBLON"
    assert "déjà reçu" in str(refused.value) and "F2026-0001" in str(refused.value)


@pytest.mark.parametrize("change, code", [
    ({"end": date(2026, 12, 1)}, "ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE"),
    ({"start": date(2026, 12, 1), "end": date(2026, 12, 4), "invoiced": date(2026, 12, 3)}, "ERR_DATE_FUTUR"),
    ({"lines": tuple(hours_line("1", "10", 0) for _ in range(11))}, "ERR_NBRE_PREST_MAX"),
])
def test_refusals_are_permanent_with_urssaf_code(urssaf, api, company, change, code):
    with pytest.raises(UrssafRejected) as refused:
        api.submit_payment_request(company.credentials, payment_request(company.id_client, **change))
    assert refused.value.code == code and not refused.value.already_received


def test_sums_that_do_not_hold_are_refused(urssaf, api, company):
    request = payment_request(company.id_client)
    wrong = type(request)(**{**request.__dict__, "total_ttc": request.total_ttc + Money(1)})
    with pytest.raises(UrssafRejected) as refused:
        api.submit_payment_request(company.credentials, wrong)
    assert refused.value.code == "ERR_TOTAL_PRESTATIONS"
    assert "somme des lignes" in str(refused.value)


def test_a_client_who_has_not_activated_cannot_be_invoiced(urssaf, api):
    credentials = urssaf.admin.create_tiers("company-2")
    id_client = api.register_client(credentials, registration())
    urssaf.admin.set_clock(TODAY)
    with pytest.raises(UrssafRejected) as refused:
        api.submit_payment_request(credentials, payment_request(id_client))
    assert refused.value.code == "ERR_LIEN_PARTICULIER_PRESTATAIRE"


def test_statuses_are_asked_ten_ids_at_a_time_and_unknown_ids_left_out(urssaf, api, company, recording):
    ids = [api.submit_payment_request(company.credentials, payment_request(company.id_client, f"F-{n:02d}"))
           for n in range(12)]
    states = api.payment_requests(company.credentials, [*ids, "unknown-id"])
    assert [state.request_id for state in states] == ids
    assert recording.count("/demandePaiement/rechercher") == 2
    assert api.payment_requests(company.credentials, ["unknown-id"]) == []
    assert api.payment_requests(company.credentials, []) == []


def test_requests_found_by_invoice_date(urssaf, api, company):
    first = api.submit_payment_request(company.credentials, payment_request(company.id_client, "F-1"))
    api.submit_payment_request(company.credentials, payment_request(company.id_client, "F-2",
                                                                    invoiced=date(2026, 12, 1)))
    found = api.payment_requests_invoiced(company.credentials, date(2026, 11, 1), date(2026, 11, 30))
    assert [state.request_id for state in found] == [first]
    assert api.payment_requests_invoiced(company.credentials, date(2026, 10, 1), date(2026, 10, 31)) == []


def test_more_than_ten_requests_in_a_period_are_listed_by_shorter_periods(urssaf, api, company, recording):
    ids = {api.submit_payment_request(company.credentials, payment_request(
        company.id_client, f"F-{day:02d}", start=date(2026, 11, 2), end=date(2026, 11, 2),
        invoiced=date(2026, 11, day))) for day in range(3, 16)}
    found = api.payment_requests_invoiced(company.credentials, date(2026, 11, 1), date(2026, 11, 30))
    assert {state.request_id for state in found} == ids and len(found) == 13
    assert recording.count("/demandePaiement/rechercher", status=400) >= 1
    for n in range(11):  # eleven invoiced the same day: URSSAF cannot list them by date
        api.submit_payment_request(company.credentials, payment_request(company.id_client, f"G-{n}",
                                                                        invoiced=date(2026, 12, 1)))
    with pytest.raises(UrssafRejected) as refused:
        api.payment_requests_invoiced(company.credentials, date(2026, 12, 1), date(2026, 12, 1))
    assert refused.value.code == "ERR_NBRE_MAX_RESULTAT"


# ---------------------------------------------------------------- the token
def test_one_token_serves_many_calls(urssaf, api, company, recording):
    api.client_status(company.credentials, company.id_client)  # renews the token the clock's jump expired
    tokens_before = recording.count(TOKEN)
    for _ in range(3):
        api.client_status(company.credentials, company.id_client)
    assert recording.count(TOKEN) == tokens_before == 2


def test_each_company_has_its_own_token(urssaf, api, company, recording):
    other = urssaf.admin.create_tiers("company-2")
    api.register_client(other, registration("Bernard", "Paul"))
    api.client_status(company.credentials, company.id_client)
    tokens = {request.headers["authorization"] for request, _ in recording.exchanges
              if request.url.path.endswith("/particulier")}
    assert len(tokens) >= 2


def test_the_token_is_renewed_a_margin_before_it_expires(urssaf, recording):
    now = [1000.0]
    with HttpUrssafApi(transport=recording, renew_margin=60, monotonic=lambda: now[0]) as api:
        credentials = urssaf.admin.create_tiers("company-3")
        id_client = api.register_client(credentials, registration())
        now[0] += 3600 - 61
        api.client_status(credentials, id_client)
        assert recording.count(TOKEN) == 1
        now[0] += 2  # 59 s left: renewed before URSSAF would refuse it
        api.client_status(credentials, id_client)
        assert recording.count(TOKEN) == 2
        assert recording.count("/particulier", status=401) == 0


def test_a_token_urssaf_refuses_is_renewed_once(urssaf, api, company, recording):
    urssaf.admin.advance(timedelta(hours=2))  # URSSAF's clock: the token has expired, ours does not know
    tokens_before = recording.count(TOKEN)
    assert api.client_status(company.credentials, company.id_client) is UrssafClientStatus.ACTIVE
    assert recording.count(TOKEN) == tokens_before + 1
    assert recording.count("/particulier", status=401) == 1


def test_a_token_refused_even_when_new_is_a_refusal(urssaf, company):
    proxy = FaultProxy(urssaf.base_url).start()
    try:
        for _ in range(2):
            proxy.next("GET", r"/atp/v1/tiersPrestations/particulier", "respond", status=401,
                       body={"error": "invalid_token", "error_description": "révoqué"})
        credentials = UrssafCredentials(company.credentials.client_id, company.credentials.client_secret,
                                        proxy.base_url)
        with HttpUrssafApi() as api, pytest.raises(UrssafRejected) as refused:
            api.client_status(credentials, company.id_client)
        assert refused.value.code == "invalid_token"
        assert proxy.count("POST", TOKEN) == 2
    finally:
        proxy.stop()


def test_wrong_credentials_are_a_permanent_refusal(urssaf, api, company):
    wrong = UrssafCredentials(company.credentials.client_id, "not-the-secret", urssaf.base_url)
    with pytest.raises(UrssafRejected) as refused:
        api.client_status(wrong, company.id_client)
    assert refused.value.code == "invalid_client"
    assert "identifiant ou le secret" in str(refused.value) and "not-the-secret" not in str(refused.value)


# ---------------------------------------------------------------- URSSAF unavailable
@pytest.fixture
def proxy(urssaf):
    fault = FaultProxy(urssaf.base_url).start()
    yield fault
    fault.stop()


def through(proxy: FaultProxy, credentials: UrssafCredentials) -> UrssafCredentials:
    return UrssafCredentials(credentials.client_id, credentials.client_secret, proxy.base_url)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_and_throttling_are_temporary(urssaf, company, proxy, status):
    proxy.next("POST", DEMANDE, "respond", status=status, body={"message": "indisponible"})
    with HttpUrssafApi() as api, pytest.raises(UrssafUnavailable, match=f"HTTP {status}"):
        api.submit_payment_request(through(proxy, company.credentials), payment_request(company.id_client))


def test_a_token_endpoint_down_is_temporary(urssaf, company, proxy):
    proxy.down = True
    with HttpUrssafApi() as api, pytest.raises(UrssafUnavailable):
        api.client_status(through(proxy, company.credentials), company.id_client)


def test_nothing_listening_is_temporary(company):
    from tests.support.shop_server import free_port
    closed = UrssafCredentials("id", "secret", f"http://127.0.0.1:{free_port()}")
    with HttpUrssafApi(timeout=2) as api, pytest.raises(UrssafUnavailable, match="injoignable"):
        api.client_status(closed, company.id_client)


def test_a_lost_answer_times_out_and_the_retry_is_already_received(urssaf, company, proxy):
    """URSSAF received the request but its answer never came back: the caller sees a timeout, retries,
    is told ERR_FACTURE_DOUBLON, and finds the request by its invoice date."""
    credentials = through(proxy, company.credentials)
    with HttpUrssafApi(timeout=1.0) as api:
        api.client_status(credentials, company.id_client)  # the token first
        rule = proxy.next("POST", DEMANDE, "hold_answer")
        started = time.monotonic()
        with pytest.raises(UrssafUnavailable, match="à temps"):
            api.submit_payment_request(credentials, payment_request(company.id_client))
        assert time.monotonic() - started < 5
        assert rule.reached.wait(5)
        proxy.release()
        with pytest.raises(UrssafRejected) as refused:
            api.submit_payment_request(credentials, payment_request(company.id_client))
        assert refused.value.already_received
        [state] = api.payment_requests_invoiced(credentials, date(2026, 11, 30), date(2026, 11, 30))
        assert state.invoice_number == "F2026-0001"


def test_an_answer_that_is_not_json_is_temporary(urssaf, company, proxy):
    credentials = through(proxy, company.credentials)
    with HttpUrssafApi() as api:
        api.client_status(credentials, company.id_client)
        proxy.next("POST", DEMANDE, "respond", status=200, body={"unexpected": "shape"})
        with pytest.raises(UrssafUnavailable, match="illisible"):
            api.submit_payment_request(credentials, payment_request(company.id_client))


# ---------------------------------------------------------------- secrets
def test_secrets_never_reach_logs_reprs_or_errors(urssaf, recording, caplog):
    caplog.set_level(logging.DEBUG)
    credentials = urssaf.admin.create_tiers("company-9", "s3cr3t-never-shown")
    texts = [repr(credentials), str(credentials)]
    with HttpUrssafApi(transport=recording) as api:
        id_client = api.register_client(credentials, registration())
        api.client_status(credentials, id_client)
        texts.append(repr(api))
        for wrong in (UrssafCredentials("company-9", "s3cr3t-wrong", urssaf.base_url), credentials):
            try:
                api.submit_payment_request(wrong, payment_request(id_client))
            except (UrssafRejected, UrssafUnavailable) as error:
                texts.append(str(error))
                texts.append(repr(error))
    tokens = {request.headers["authorization"].split()[-1] for request, _ in recording.exchanges
              if "authorization" in request.headers}
    assert tokens
    texts += [record.getMessage() for record in caplog.records]
    assert any("URSSAF" in text for text in texts)
    for text in texts:
        assert "s3cr3t" not in text
        assert not any(token in text for token in tokens)
    assert "company-9"[:4] in repr(credentials) and "***" in repr(credentials)
    assert repr(registration()).count("FR76") == 0  # the IBAN is not in a registration's repr


def test_credentials_for_production_and_sandbox():
    assert UrssafCredentials.for_environment("a", "b", "sandbox").base_url == "https://api-edi.urssaf.fr"
    assert UrssafCredentials.for_environment("a", "b", "production").base_url == "https://api.urssaf.fr"
    with pytest.raises(ValueError):
        UrssafCredentials.for_environment("a", "b", "staging")


def test_a_transfer_amount_is_read_as_money(urssaf, api, company):
    request_id = api.submit_payment_request(company.credentials, payment_request(company.id_client))
    urssaf.admin.advance(timedelta(minutes=2))
    for step in ("validate", "debit", "pay"):
        urssaf.admin.step(request_id, step)
    [state] = api.payment_requests(company.credentials, [request_id])
    assert state.status is UrssafRequestStatus.PAID
    assert state.transfer_amount == Money(11250)
    assert state.transfer_date == date(2026, 12, 3)
