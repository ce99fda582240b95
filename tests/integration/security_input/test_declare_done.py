"""Déclarer une intervention réalisée (POST /api/interventions/{id}/done, ogust intervention done): once
it has begun, never before — an intervention declared done ahead of time would be invoiced, and attested
for the tax credit, before it took place. The refusal is a French problem+json (exit 4) and changes nothing."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.intervenant import ShopProfile
from ogust.domain.money import Money
from ogust.entrypoints.cli import billing_commands
from ogust.entrypoints.cli.base import Cli
from tests.fakes import FixedClock
from tests.support.planning import clock_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


def booked(api):
    """An intervention of Sophie's, booked online for the day after tomorrow, 9 h – 11 h (Paris)."""
    container = api.container
    container.link_shop()(c.LinkShopAccount(api.company_id, "acc_demo"))
    container.map_service()(c.MapShopService(api.company_id, "svc_menage", "MEN"))
    sophie = container.create_intervenant()(c.CreateIntervenant(api.company_id, "Sophie", "Germain", "M002", "", "",
                                                                ShopProfile(services=("svc_menage",))))
    start = datetime.now(PARIS).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=2)
    customer = c.OrderCustomer("shop-cli-lea", "lea.martin@example.fr", "Léa", "Martin",
                               Address("8 rue Mercière", "69002", "Lyon"))
    order = container.place_order()(c.PlaceOrder(api.company_id, "cmd-1", customer, (
        c.OrderItem("svc_menage", sophie.id, start, start + timedelta(hours=2), Money(2750)),)))
    [intervention_id] = order.intervention_ids
    return intervention_id, start


def test_refused_before_it_begins_then_declared_once_under_way(offline_api, http):
    intervention_id, start = booked(offline_api)
    early = http.post(f"/api/interventions/{intervention_id}/done")
    assert early.status_code == 409 and early.headers["content-type"].startswith("application/problem+json")
    problem = early.json()
    assert problem["code"] == "intervention_not_started"
    assert problem["detail"] == (f"L'intervention du {start:%d/%m/%Y à %H:%M} n'a pas encore commencé : elle ne "
                                 "peut être déclarée réalisée qu'à partir de son début.")
    assert http.get(f"/api/interventions/{intervention_id}").json()["status"] == "planned"

    with clock_of(offline_api.container, FixedClock(start + timedelta(minutes=5))):
        done = http.post(f"/api/interventions/{intervention_id}/done")
    assert done.status_code == 200 and done.json()["status"] == "done", done.text


def test_the_cli_says_why_and_exits_4(offline_api):
    intervention_id, start = booked(offline_api)
    run = CliRunner().invoke(billing_commands.intervention, ["done", intervention_id],
                             obj=Cli(_container=offline_api.container))
    assert run.exit_code == 4, run.output
    assert f"L'intervention du {start:%d/%m/%Y à %H:%M} n'a pas encore commencé" in run.output
    assert offline_api.container.queries().intervention(offline_api.company_id, intervention_id).status.value \
        == "planned"


def test_what_remains_to_declare_is_listed_by_api_and_cli(offline_api, http):
    """Begun but still planned: never declared done, so never invoiced — listed until declared."""
    intervention_id, start = booked(offline_api)
    month = f"{start:%Y-%m}"
    assert http.get("/api/interventions/to-declare").json() == {"total": 0, "interventions": []}
    cli = Cli(_container=offline_api.container)
    with clock_of(offline_api.container, FixedClock(start + timedelta(hours=3))):  # the visit is over
        listed = http.get("/api/interventions/to-declare", params={"month": month})
        assert listed.status_code == 200, listed.text
        [item] = listed.json()["interventions"]
        assert listed.json()["total"] == 1
        assert (item["id"], item["status"], item["intervenant_name"], item["client_name"]) == (
            intervention_id, "planned", "Sophie Germain", "Léa Martin")
        shown = CliRunner().invoke(billing_commands.intervention, ["to-declare", "--month", month], obj=cli)
        assert shown.exit_code == 0, shown.output
        assert f"{start:%d/%m/%Y} 09:00–11:00  Sophie Germain (M002)  chez Léa Martin  {intervention_id}" \
            in shown.output
        other_month = (start.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        assert http.get("/api/interventions/to-declare", params={"month": other_month}).json()["total"] == 0

        for bad in ("2026-13", "novembre"):
            refused = http.get("/api/interventions/to-declare", params={"month": bad})
            assert refused.status_code == 422 and refused.headers["content-type"].startswith(
                "application/problem+json"), refused.text
        unreadable = CliRunner().invoke(billing_commands.intervention, ["to-declare", "--month", "novembre"], obj=cli)
        assert unreadable.exit_code == 2 and "AAAA-MM" in unreadable.output

        assert http.post(f"/api/interventions/{intervention_id}/done").status_code == 200
        assert http.get("/api/interventions/to-declare").json()["total"] == 0
        done = CliRunner().invoke(billing_commands.intervention, ["to-declare"], obj=cli)
        assert done.output.strip() == "Aucune intervention à déclarer."
