"""The reference URSSAF server answers as docs/urssaf-tiers-prestation.openapi.yaml says: every
status it gives is documented for its path, and every JSON body matches that status's schema."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from tests.integration.urssaf.conftest import TODAY
from tests.support.urssaf_contract import assert_documented_answer
from tests.support.urssaf_samples import REGISTRATION_JSON, demande
from tests.support.urssaf_server import RunningUrssaf, urssaf_process

pytestmark = pytest.mark.integration
BASE = "/atp/v1/tiersPrestations"


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


class Raw:
    """The API called by hand, each answer checked against the document."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.token = ""

    def login(self, client_id: str, secret: str, **changes: str) -> httpx.Response:
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                "scope": "homeplus.tiersprestations", **changes}
        response = self.http.post("/api/oauth/v1/token", data=form)
        assert_documented_answer(response)
        if response.status_code == 200:
            self.token = response.json()["access_token"]
        return response

    def call(self, method: str, path: str, body: object = None, raw: bytes | None = None,
             **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        content = raw if raw is not None else (json.dumps(body, default=_plain).encode() if body is not None else None)
        response = self.http.request(method, BASE + path, content=content, headers=headers, params=params or None)
        assert_documented_answer(response)
        return response


@pytest.fixture
def raw(urssaf: RunningUrssaf):
    urssaf.admin.create_tiers("raw-1", "raw-secret")
    client = Raw(urssaf.base_url)
    client.login("raw-1", "raw-secret")
    yield client
    client.http.close()


def registered(urssaf: RunningUrssaf, raw: Raw) -> str:
    id_client = raw.call("POST", "/particulier", REGISTRATION_JSON).json()["idClient"]
    urssaf.admin.activate("raw-1", id_client)
    urssaf.admin.set_clock(TODAY)
    raw.login("raw-1", "raw-secret")  # the clock jumped a month: the token has expired
    return id_client


def test_token_endpoint(urssaf, raw):
    answer = raw.login("raw-1", "raw-secret").json()
    assert answer["token_type"] == "Bearer" and answer["scope"] == "homeplus.tiersprestations"
    assert 3000 <= answer["expires_in"] <= 3600
    assert raw.login("raw-1", "wrong").json()["error"] == "invalid_client"
    assert raw.login("nobody", "raw-secret").status_code == 401
    assert raw.login("raw-1", "raw-secret", scope="other").json()["error"] == "invalid_scope"
    assert raw.login("raw-1", "raw-secret", grant_type="password").json()["error"] == "unsupported_grant_type"
    as_json = raw.http.post("/api/oauth/v1/token", json={"grant_type": "client_credentials"})
    assert_documented_answer(as_json)
    assert as_json.status_code == 400


def test_a_token_expires_by_the_server_clock(urssaf, raw):
    assert raw.call("GET", "/particulier", idClient="nobody").status_code == 404  # token accepted
    urssaf.admin.advance(timedelta(seconds=3601))
    refused = raw.call("GET", "/particulier", idClient="nobody")
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]


def test_calls_without_a_token_are_refused(raw):
    raw.token = "forged"
    for method, path, body in (("POST", "/particulier", REGISTRATION_JSON), ("POST", "/demandePaiement", []),
                               ("POST", "/demandePaiement/rechercher", {})):
        assert raw.call(method, path, body).status_code == 401
    assert raw.call("GET", "/particulier", idClient="x").status_code == 401


def test_particulier_registration_and_status(urssaf, raw):
    id_client = raw.call("POST", "/particulier", REGISTRATION_JSON).json()["idClient"]
    assert raw.call("GET", "/particulier", idClient=id_client).json()["statutCode"] == "APPAREILLAGE_EC"
    urssaf.admin.activate("raw-1", id_client)
    assert raw.call("GET", "/particulier", idClient=id_client).json()["statutCode"] == "APPAREILLAGE_VALIDE"
    again = raw.call("POST", "/particulier", REGISTRATION_JSON)
    assert again.status_code == 400 and again.json()[0]["code"] == "ERR_LIEN_TIERS_PRESTATION_PARTICULIER_EXISTE"
    bad = raw.call("POST", "/particulier", {**REGISTRATION_JSON, "numeroTelephonePortable": "0145678900"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == "ERR_CONTACT"
    assert raw.call("GET", "/particulier", idClient="unknown").status_code == 404
    assert raw.call("GET", "/particulier").status_code == 400


def test_the_same_person_registered_by_two_tiers_keeps_one_id(urssaf, raw):
    first = raw.call("POST", "/particulier", REGISTRATION_JSON).json()["idClient"]
    urssaf.admin.create_tiers("raw-2", "raw-secret-2")
    raw.login("raw-2", "raw-secret-2")
    assert raw.call("POST", "/particulier", REGISTRATION_JSON).json()["idClient"] == first
    assert raw.call("GET", "/particulier", idClient=first).json()["statutCode"] == "APPAREILLAGE_EC"


def test_payment_requests_accepted_and_refused_in_one_call(urssaf, raw):
    id_client = registered(urssaf, raw)
    good = demande(idClient=id_client)
    bad = demande(idClient=id_client, numFactureTiers="F2026-0002", mntFactureTTC=Decimal("1.00"))
    answers = raw.call("POST", "/demandePaiement", [good, bad, good]).json()
    assert answers[0]["statut"] == "10" and answers[0]["numFactureTiers"] == "F2026-0001"
    assert [e["code"] for e in answers[1]["errors"]] == ["ERR_TOTAL_PRESTATIONS"]
    assert [e["code"] for e in answers[2]["errors"]] == ["ERR_FACTURE_DOUBLON"]


def test_payment_request_calls_refused_as_a_whole(urssaf, raw):
    id_client = registered(urssaf, raw)
    assert raw.call("POST", "/demandePaiement", demande(idClient=id_client)).status_code == 400  # not an array
    assert raw.call("POST", "/demandePaiement", []).status_code == 400
    eleven = [demande(idClient=id_client, numFactureTiers=f"F-{n}") for n in range(11)]
    refused = raw.call("POST", "/demandePaiement", eleven)
    assert refused.status_code == 400 and refused.json()[0]["code"] == "ERR_NBRE_PREST_MAX"
    assert raw.call("POST", "/demandePaiement", raw=b"{not json").status_code == 400


@pytest.mark.parametrize("setup, code", [
    ("unknown", "ERR_PARTICULIER_INCONNU"), ("birth", "ERR_PARTICULIER_INCONNU"),
    ("pairing", "ERR_LIEN_PARTICULIER_PRESTATAIRE"), ("abandon", "ERR_LIEN_PARTICULIER_PRESTATAIRE"),
    ("block", "ERR_CMPT_BLOQUE"), ("expire-mandate", "ERR_MANDAT_ECHU"),
    ("before-activation", "ERR_LIEN_PARTICULIER_PRESTATAIRE"),
])
def test_the_client_must_be_known_linked_and_in_good_standing(urssaf, raw, setup, code):
    id_client = raw.call("POST", "/particulier", REGISTRATION_JSON).json()["idClient"]
    if setup not in ("pairing", "abandon"):
        urssaf.admin.activate("raw-1", id_client)
    if setup in ("abandon", "block", "expire-mandate"):
        (urssaf.admin.abandon("raw-1", id_client) if setup == "abandon" else urssaf.admin.account(id_client, setup))
    urssaf.admin.set_clock(TODAY)
    raw.login("raw-1", "raw-secret")
    item = demande(idClient="someone-else" if setup == "unknown" else id_client)
    if setup == "birth":
        item["dateNaissanceClient"] = "1950-03-30T00:00:00Z"
    if setup == "before-activation":  # activated on 1 November at 08:00 UTC; October is before
        item.update(dateDebutEmploi="2026-10-01T00:00:00Z", dateFinEmploi="2026-10-31T00:00:00Z")
    answer = raw.call("POST", "/demandePaiement", [item]).json()[0]
    assert [e["code"] for e in answer["errors"]] == [code]


def test_search_by_ids_and_by_period(urssaf, raw):
    id_client = registered(urssaf, raw)
    sent = raw.call("POST", "/demandePaiement", [demande(idClient=id_client, numFactureTiers=f"F-{n}")
                                                 for n in range(3)]).json()
    ids = [answer["idDemandePaiement"] for answer in sent]
    found = raw.call("POST", "/demandePaiement/rechercher", {"idDemandePaiements": [ids[2], ids[0], "unknown"]})
    assert [info["idDemandePaiement"] for info in found.json()["infoDemandePaiements"]] == [ids[2], ids[0]]
    by_period = raw.call("POST", "/demandePaiement/rechercher",
                         {"dateDebut": "2026-11-30T00:00:00Z", "dateFin": "2026-11-30T00:00:00Z"}).json()
    assert {info["idDemandePaiement"] for info in by_period["infoDemandePaiements"]} == set(ids)
    info = by_period["infoDemandePaiements"][0]
    assert info["statut"] == {"code": "10", "libelle": "Intégrée"}
    assert info["demandePaiement"]["mntFactureTTC"] == 112.5  # as sent
    empty = raw.call("POST", "/demandePaiement/rechercher",
                     {"dateDebut": "2026-10-01T00:00:00Z", "dateFin": "2026-10-31T00:00:00Z"})
    assert empty.status_code == 404 and empty.json()[0]["code"] == "ERR_RECHERCHE_VIDE"
    assert raw.call("POST", "/demandePaiement/rechercher", {}).json()[0]["code"] == "ERR_CRITERE_RECHERCHE_VIDE"
    eleven = raw.call("POST", "/demandePaiement/rechercher", {"idDemandePaiements": [f"id-{n}" for n in range(11)]})
    assert eleven.status_code == 400 and eleven.json()[0]["code"] == "ERR_NBRE_MAX_RESULTAT"


def test_search_answers_carry_rejection_and_transfer(urssaf, raw):
    id_client = registered(urssaf, raw)
    sent = raw.call("POST", "/demandePaiement", [demande(idClient=id_client, numFactureTiers=f"F-{n}")
                                                 for n in range(2)]).json()
    contested, paid = (answer["idDemandePaiement"] for answer in sent)
    urssaf.admin.advance(timedelta(minutes=2))
    urssaf.admin.step(contested, "contest", "CONTEST_ERR_FACT", "Deux heures de trop")
    for step in ("validate", "debit", "pay"):
        urssaf.admin.step(paid, step)
    infos = raw.call("POST", "/demandePaiement/rechercher", {"idDemandePaiements": [contested, paid]}).json()
    first, second = infos["infoDemandePaiements"]
    assert first["statut"]["code"] == "40"
    assert first["infoRejet"] == {"code": "CONTEST_ERR_FACT", "commentaire": "Deux heures de trop"}
    assert second["statut"] == {"code": "70", "libelle": "Payée"}
    assert second["infoVirement"]["mntVirement"] == 112.5
    assert second["infoVirement"]["dateVirement"].startswith("2026-12-03T09:0")


def test_requests_of_another_tiers_are_not_seen(urssaf, raw):
    id_client = registered(urssaf, raw)
    sent = raw.call("POST", "/demandePaiement", [demande(idClient=id_client)]).json()[0]["idDemandePaiement"]
    urssaf.admin.create_tiers("raw-2", "raw-secret-2")
    raw.login("raw-2", "raw-secret-2")
    assert raw.call("POST", "/demandePaiement/rechercher", {"idDemandePaiements": [sent]}).status_code == 404
    assert raw.call("GET", "/particulier", idClient=id_client).status_code == 404


HOSTILE = [
    b"", b"null", b"[]", b"[null]", b"[1, 2]", b'["x"]', b"[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]", b"[" * 5000,
    b'[{"mntFactureTTC": NaN}]', b'[{"inputPrestations": [null]}]', b'{"a": 1e999999}',
    json.dumps([{"idClient": {"$gt": ""},
                 "inputPrestations": [{"quantite": 1e308, "mntUnitaireTTC": 1e308}]}]).encode(),
]


def test_hostile_bodies_get_documented_refusals_never_a_5xx(urssaf, raw):
    registered(urssaf, raw)
    for body in HOSTILE:
        for path in ("/demandePaiement", "/demandePaiement/rechercher", "/particulier"):
            response = raw.call("POST", path, raw=body)
            assert 400 <= response.status_code < 500 or response.status_code == 200, (path, body[:40])


def test_python_m_ogust_urssaf_serves_the_api():
    with urssaf_process("--tiers", "cli-id:cli-secret", "--token-lifetime", "120") as server:
        client = Raw(server.base_url)
        assert client.login("cli-id", "cli-secret").json()["expires_in"] == 120
        assert client.call("GET", "/particulier", idClient="nobody").status_code == 404
        client.http.close()
        assert datetime.fromisoformat(server.admin.now().isoformat()).tzinfo is not None
        assert server.admin.now() > datetime(2026, 1, 1, tzinfo=UTC)
