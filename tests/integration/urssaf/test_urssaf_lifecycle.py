"""The life of a demande de paiement at the reference URSSAF server, status by status, driven by
its clock and by the steps the client and URSSAF's back office take, read through HttpUrssafApi."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ogust.application.ports import UrssafClientStatus, UrssafRejected, UrssafRequestStatus
from ogust.domain.money import Money
from tests.support.urssaf_samples import payment_request

pytestmark = pytest.mark.integration
S = UrssafRequestStatus


@pytest.fixture
def sent(urssaf, api, company):
    """A request just received (10); returns a function reading its state."""
    request_id = api.submit_payment_request(company.credentials, payment_request(company.id_client))

    def state():
        [found] = api.payment_requests(company.credentials, [request_id])
        return found

    state.id = request_id
    return state


def test_received_awaiting_the_client_validated_debited_paid(urssaf, sent):
    assert sent().status is S.RECEIVED
    urssaf.admin.advance(timedelta(seconds=59))
    assert sent().status is S.RECEIVED
    urssaf.admin.advance(timedelta(seconds=2))
    assert sent().status is S.AWAITING_CLIENT
    urssaf.admin.step(sent.id, "validate")
    assert sent().status is S.VALIDATED
    urssaf.admin.step(sent.id, "debit")
    assert sent().status is S.DEBITED
    urssaf.admin.step(sent.id, "pay")
    paid = sent()
    assert paid.status is S.PAID and paid.transfer_amount == Money(11250)
    assert [entry["code"] for entry in urssaf.admin.demande(sent.id)["history"]] == ["10", "20", "30", "50", "70"]


def test_without_an_answer_the_client_validates_after_48_hours(urssaf, sent):
    urssaf.admin.advance(timedelta(minutes=1))
    urssaf.admin.advance(timedelta(hours=47, minutes=59))
    assert sent().status is S.AWAITING_CLIENT
    urssaf.admin.advance(timedelta(minutes=1, seconds=1))
    assert sent().status is S.VALIDATED
    history = urssaf.admin.demande(sent.id)["history"]
    awaiting, validated = (datetime.fromisoformat(entry["at"]) for entry in history[1:3])
    assert validated - awaiting == timedelta(hours=48)  # at the 48th hour, not when it was next looked at


def test_a_contested_request_is_refused_with_the_reason(urssaf, sent):
    urssaf.admin.advance(timedelta(minutes=1))
    urssaf.admin.step(sent.id, "contest", "CONTEST_FACT_REGLEE", "Déjà payé en espèces")
    refused = sent()
    assert refused.status is S.REFUSED
    assert (refused.rejection_code, refused.rejection_comment) == ("CONTEST_FACT_REGLEE", "Déjà payé en espèces")
    assert urssaf.admin.try_step(sent.id, "validate").status_code == 409  # too late


def test_a_bounced_debit_blocks_the_client_urssaf_still_pays_then_recovers(urssaf, api, company, sent):
    urssaf.admin.advance(timedelta(minutes=1))
    urssaf.admin.step(sent.id, "validate")
    urssaf.admin.step(sent.id, "debit")
    urssaf.admin.step(sent.id, "bounce")
    assert sent().status is S.DEBIT_REFUSED
    assert api.client_status(company.credentials, company.id_client) is UrssafClientStatus.BLOCKED
    with pytest.raises(UrssafRejected) as refused:
        api.submit_payment_request(company.credentials, payment_request(company.id_client, "F2026-0002"))
    assert refused.value.code == "ERR_CMPT_BLOQUE"
    urssaf.admin.step(sent.id, "recover")
    assert sent().status is S.RECOVERED
    urssaf.admin.step(sent.id, "cancel", "ANNUL_AUTRE")
    assert sent().status is S.CANCELLED_RECOVERED
    urssaf.admin.account(company.id_client, "unblock")
    api.submit_payment_request(company.credentials, payment_request(company.id_client, "F2026-0002"))


def test_a_bounced_request_is_still_paid_to_the_company(urssaf, sent):
    urssaf.admin.advance(timedelta(minutes=1))
    urssaf.admin.step(sent.id, "validate")
    urssaf.admin.step(sent.id, "bounce")
    urssaf.admin.step(sent.id, "pay")
    assert sent().status is S.PAID


@pytest.mark.parametrize("steps, cancelled", [
    ([], S.CANCELLED),  # at 10
    (["validate"], S.CANCELLED),
    (["validate", "bounce"], S.CANCELLED_UNPAID),
])
def test_cancellation_by_status(urssaf, sent, steps, cancelled):
    if steps:
        urssaf.admin.advance(timedelta(minutes=1))
    for step in steps:
        urssaf.admin.step(sent.id, step)
    urssaf.admin.step(sent.id, "cancel", "ANNUL_ERR_MNT", "Montant faux")
    state = sent()
    assert state.status is cancelled and state.rejection_code == "ANNUL_ERR_MNT"


@pytest.mark.parametrize("steps, refused_step", [
    ([], "validate"),  # still 10: the client has not been asked yet
    ([], "debit"),
    (["validate"], "validate"),
    (["validate", "debit", "pay"], "cancel"),
    (["validate", "debit", "pay"], "bounce"),
])
def test_steps_out_of_order_are_refused_and_change_nothing(urssaf, sent, steps, refused_step):
    if steps:
        urssaf.admin.advance(timedelta(minutes=1))
    for step in steps:
        urssaf.admin.step(sent.id, step)
    before = sent().status
    answer = urssaf.admin.try_step(sent.id, refused_step, "ANNUL_AUTRE" if refused_step == "cancel" else None)
    assert answer.status_code == 409 and "statut" in answer.json()[0]["description"]
    assert sent().status is before


def test_reasons_must_be_documented_codes(urssaf, sent):
    urssaf.admin.advance(timedelta(minutes=1))
    assert urssaf.admin.try_step(sent.id, "contest", "PAS_CONTENT").status_code == 409
    assert urssaf.admin.try_step(sent.id, "contest").status_code == 400
    assert sent().status is S.AWAITING_CLIENT
