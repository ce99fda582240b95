"""Reprendre l'historique through the CLI (ogust import) and the API (POST /api/imports/{kind}): the
README's example files come in, a refused file exits 1 (422 import_refused) naming each line and
writes nothing, a dry run writes nothing, a second run changes nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from dependency_injector import providers

from ogust.adapters.persistence.database import upgrade_database
from ogust.application import commands as c
from ogust.domain.money import Money, VatRate
from ogust.domain.shop_service import ShopService
from ogust.domain.units import Unit
from ogust.entrypoints.cli import import_commands
from ogust.entrypoints.cli.base import Cli
from ogust.entrypoints.container import build_container
from ogust.entrypoints.demo import seed
from tests.fakes import FakeShopApi
from tests.integration.security_input.conftest import offline_settings

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).parents[3] / "docs" / "import-examples"
PROBLEM = "application/problem+json"


@pytest.fixture
def api(offline_api):
    """The offline API's company (tarif MEN, Marie Curie M001, Jean Dupont) with the example files' other tarifs."""
    for code, label, cents, vat in (("GARDE", "Garde d'enfants", 2000, VatRate.INTERMEDIATE_10),
                                    ("TOILETTE", "Aide à la toilette", 3000, VatRate.REDUCED_5_5)):
        offline_api.container.create_tarif()(c.CreateTarif(offline_api.company_id, code, label, Unit.HOUR,
                                                           Money(cents), vat))
    return offline_api


def ogust(api, *args: str):
    return CliRunner().invoke(import_commands.import_, list(args), obj=Cli(_container=api.container))


def counts(api) -> tuple[int, int, int, int]:
    with api.container.uow() as uow:
        return (len(uow.clients.list(api.company_id)), len(uow.intervenants.list(api.company_id)),
                len(uow.invoices.list(api.company_id)), len(uow.payments.list(api.company_id)))


def every_file() -> list[str]:
    return ["--clients", str(EXAMPLES / "clients.csv"), "--intervenants", str(EXAMPLES / "intervenants.csv"),
            "--invoices", str(EXAMPLES / "factures.csv"), "--payments", str(EXAMPLES / "reglements.csv")]


def test_the_cli_imports_the_example_files_in_one_go(api) -> None:
    before = counts(api)  # Jean, Marie (M001, also in the file) and a draft invoice
    checked = ogust(api, "all", *every_file(), "--dry-run")
    assert checked.exit_code == 0, checked.output
    assert "Vérification seule (--dry-run)" in checked.output and counts(api) == before
    done = ogust(api, "all", *every_file())
    assert done.exit_code == 0, done.output
    assert "factures.csv (factures) : 8 ligne(s) lue(s), 5 ajouté(s), 0 déjà présent(s)." in done.output
    assert "intervenants.csv (intervenants) : 3 ligne(s) lue(s), 2 ajouté(s), 1 déjà présent(s)." in done.output
    assert counts(api) == (before[0] + 3, before[1] + 2, before[2] + 5, before[3] + 5)
    again = ogust(api, "all", *every_file(), "--json")
    assert again.exit_code == 0 and [f["created"] for f in json.loads(again.output)["files"]] == [0, 0, 0, 0]


def test_the_cli_refuses_a_file_with_a_bad_line_and_says_where(api, tmp_path: Path) -> None:
    ogust(api, "clients", str(EXAMPLES / "clients.csv"))
    bad = tmp_path / "intervenants.csv"
    bad.write_text("matricule;prenom;nom;email\nM010;Ana;Lopez;ana@example.fr\nM011;Léo;;leo@\n", encoding="utf-8")
    refused = ogust(api, "intervenants", str(bad))
    assert refused.exit_code == 1
    assert "Refusé : 2 ligne(s) en erreur — rien n'a été importé." in refused.output
    assert "intervenants.csv (intervenants) : 2 ligne(s) lue(s), 1 à ajouter, 0 déjà présent(s)." in refused.output
    assert "intervenants.csv, ligne 3, colonne nom : valeur obligatoire manquante." in refused.output
    assert "intervenants.csv, ligne 3, colonne email : Adresse email invalide : 'leo@'" in refused.output
    with api.container.uow() as uow:
        assert uow.intervenants.by_matricule(api.company_id, "M010") is None


def test_the_cli_says_what_it_cannot_read(api, tmp_path: Path) -> None:
    assert ogust(api, "clients", str(tmp_path / "absent.csv")).exit_code == 2
    assert ogust(api, "all").exit_code == 2


def test_the_api_imports_a_file_and_refuses_a_bad_one_whole(api, http) -> None:
    sent = http.post("/api/imports/clients", content=(EXAMPLES / "clients.csv").read_bytes(),
                     headers={"content-type": "text/csv"})
    assert sent.status_code == 200, sent.text
    assert (sent.json()["imported"], sent.json()["files"][0]["created"]) == (True, 3)
    bad = b"facture;date;montant;mode\nANC-1;01/02/2026;10,00;cheque\n"
    refused = http.post("/api/imports/payments", content=bad, headers={"content-type": "text/csv"})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith(PROBLEM)
    body = refused.json()
    assert body["code"] == "import_refused" and body["report"]["imported"] is False
    assert body["report"]["files"][0]["refusals"] == [
        {"line": 2, "column": "facture", "reason": "Facture 'ANC-1' inconnue : importez d'abord le fichier des "
                                                    "factures."}]
    dry = http.post("/api/imports/intervenants?dry_run=true",
                    content=(EXAMPLES / "intervenants.csv").read_bytes(), headers={"content-type": "text/csv"})
    assert dry.status_code == 200 and dry.json()["dry_run"] and not dry.json()["imported"]
    assert http.post("/api/imports/devis", content=b"x").status_code == 422


DEMO_SERVICES = [ShopService("svc_menage", "Ménage", Money(2750), VatRate.INTERMEDIATE_10, Unit.HOUR),
                 ShopService("svc_garde_enfants", "Garde d'enfants", Money(2200), VatRate.INTERMEDIATE_10, Unit.HOUR),
                 ShopService("svc_aide_toilette", "Aide à la toilette", Money(3165), VatRate.REDUCED_5_5, Unit.HOUR)]


def test_the_example_files_bring_the_demos_past_year(tmp_path: Path) -> None:
    """What ./scripts/run seeds (its tarifs, Marie, Paul and Claire), then the README's import: Claire,
    Marie and Paul are found, the rest comes in, and Claire's attestation fiscale of 2026 counts it."""
    url = f"sqlite:///{tmp_path / 'ogust.db'}"
    upgrade_database(url)
    container = build_container(offline_settings(url, tmp_path / "var"))
    container.shop.override(providers.Object(FakeShopApi(services=DEMO_SERVICES)))
    company_id = seed(container)
    done = CliRunner().invoke(import_commands.import_, ["all", *every_file(), "--json"],
                              obj=Cli(_container=container))
    assert done.exit_code == 0, done.output
    assert [(f["created"], f["unchanged"]) for f in json.loads(done.output)["files"]] == [(2, 1), (1, 2), (5, 0),
                                                                                        (5, 0)]
    with container.uow() as uow:
        claire = uow.clients.by_email(company_id, "claire.dubois@example.fr")
    attestation = container.generate_attestation()(c.GenerateAttestation(company_id, claire.id, 2026))
    assert (attestation.amount_paid, attestation.cesu_paid, attestation.total_minutes) == (Money(25290),
                                                                                          Money(4000), 630)
    container.engine().dispose()
