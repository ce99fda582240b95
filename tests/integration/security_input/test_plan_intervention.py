"""Planifier une intervention by hand (POST /api/interventions, ogust intervention plan) and create a
client whose e-mail is taken (POST /api/clients, ogust client create): the API's statuses and codes, the
CLI's messages and exit codes, nothing written when refused."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from ogust.entrypoints.cli import billing_commands, people_commands
from ogust.entrypoints.cli.base import Cli

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


def _slot(days: int, hour: int = 9, hours: int = 2) -> tuple[datetime, datetime]:
    start = datetime.now(PARIS).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return start, start + timedelta(hours=hours)


def _planning(api) -> list[tuple[datetime, datetime]]:
    with api.container.uow() as uow:
        return sorted((i.start, i.end) for i in uow.interventions.list(api.company_id))


def _body(api, start: datetime, end: datetime) -> dict:
    tarif = api.container.queries().tarif_ref(api.company_id, "MEN")
    return {"client_id": api.client_id, "intervenant_id": api.intervenant_id, "tarif_id": tarif.id,
            "start": start.isoformat(), "end": end.isoformat()}


def test_the_api_plans_then_refuses_the_overlap_with_409_slot_unavailable(offline_api, http):
    start, end = _slot(days=5)
    planned = http.post("/api/interventions", json=_body(offline_api, start, end))
    assert planned.status_code == 201, planned.text
    body = planned.json()
    assert (body["client_id"], body["intervenant_id"], body["status"], body["minutes"], body["devis_id"]) == (
        offline_api.client_id, offline_api.intervenant_id, "planned", 120, None)
    assert datetime.fromisoformat(body["start"]) == start
    before = _planning(offline_api)

    overlap = http.post("/api/interventions", json=_body(offline_api, start + timedelta(minutes=30),
                                                         end + timedelta(minutes=30)))
    assert overlap.status_code == 409 and overlap.headers["content-type"].startswith("application/problem+json")
    problem = overlap.json()
    assert problem["code"] == "slot_unavailable" and "est déjà en intervention le" in problem["detail"], problem
    assert problem["details"]["conflicting_intervention"] == body["id"]
    assert _planning(offline_api) == before


@pytest.mark.parametrize("change,status,code", [
    ({"start": "2026-12-14T09:00:00"}, 422, "invalid_request"),  # no offset
    ({"end": None}, 422, "invalid_request"),
    ({"tarif_id": "missing"}, 404, "not_found"),
    ({"client_id": "missing"}, 404, "not_found"),
    ({"start": "2020-01-06T09:00:00+01:00", "end": "2020-01-06T11:00:00+01:00"}, 422, "slot_in_past"),
    ({"start": "9999-12-31T20:00:00-05:00", "end": "9999-12-31T22:00:00-05:00"}, 422, "invalid_value"),
    ({"extra": 1}, 422, "invalid_request"),
])
def test_the_api_refuses_bad_input_and_writes_nothing(offline_api, http, change, status, code):
    start, end = _slot(days=6)
    before = _planning(offline_api)
    refused = http.post("/api/interventions", json=_body(offline_api, start, end) | change)
    assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
    assert _planning(offline_api) == before


def test_the_cli_plans_by_matricule_and_tarif_code_and_says_when_it_is_taken(offline_api):
    cli = Cli(_container=offline_api.container)
    queries = offline_api.container.queries()
    matricule = queries.intervenant(offline_api.company_id, offline_api.intervenant_id).matricule
    start, end = _slot(days=7, hour=14)
    args = ["plan", offline_api.client_id, "--intervenant", matricule, "--tarif", "MEN",
            "--start", start.strftime("%Y-%m-%dT%H:%M"), "--end", end.strftime("%Y-%m-%dT%H:%M")]
    planned = CliRunner().invoke(billing_commands.intervention, args, obj=cli)
    assert planned.exit_code == 0, planned.output
    assert f"planifiée : {start:%d/%m/%Y %H:%M}–16:00" in planned.output  # a time of the company's zone
    assert _planning(offline_api)[-1] == (start, start + timedelta(hours=2))
    before = _planning(offline_api)

    taken = CliRunner().invoke(billing_commands.intervention, args, obj=cli)
    assert taken.exit_code == 4 and "Erreur (slot_unavailable)" in taken.output, taken.output
    unreadable = CliRunner().invoke(billing_commands.intervention, [*args[:-2], "--end", "demain"], obj=cli)
    assert unreadable.exit_code == 2 and "date et heure illisibles" in unreadable.output, unreadable.output
    unknown = CliRunner().invoke(billing_commands.intervention, [*args[:4], "--tarif", "NOPE", *args[6:]], obj=cli)
    assert unknown.exit_code == 3, unknown.output
    assert _planning(offline_api) == before


def test_a_client_whose_email_is_taken_is_refused_naming_the_existing_one(offline_api, http):
    existing = http.get(f"/api/clients/{offline_api.client_id}").json()
    new = {"first_name": "Autre", "last_name": "Personne", "email": existing["email"].upper(),
           "address": {"street": "1 rue Basse", "postal_code": "69001", "city": "Lyon"}}
    refused = http.post("/api/clients", json=new)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["code"] == "already_exists" and problem["details"]["client_id"] == existing["id"]
    assert f"({existing['id']}) a déjà l'adresse {existing['email']}" in problem["detail"]

    count = len(http.get("/api/clients").json())
    run = CliRunner().invoke(people_commands.client, [
        "create", "--first-name", "Autre", "--last-name", "Personne", "--email", existing["email"],
        "--street", "1 rue Basse", "--postal-code", "69001", "--city", "Lyon"],
        obj=Cli(_container=offline_api.container))
    assert run.exit_code == 4 and f"({existing['id']})" in run.output, run.output
    assert len(http.get("/api/clients").json()) == count
