"""Sending intervenants and clients to the shop, one record or a batch, and what the shop then shows."""
from __future__ import annotations

from dataclasses import replace

from pytest_bdd import given, parsers, then, when

from ogust.application import commands as c
from ogust.application.shop_sync_service import RecordReport
from tests.bdd.steps.communs import creer_intervenant
from tests.bdd.steps.monde import Monde
from tests.bdd.steps.parseurs import espaces, lignes, liste, p

RESULTATS = {"sent": "envoyée", "unchanged": "déjà à jour", "failed": "en échec", "queued": "en attente"}
RETOUCHE = "retouché dans la boutique"


@given(p("la fiche de l'intervenante {nom}, matricule {matricule} :"))
@given(p("la fiche de l'intervenant {nom}, matricule {matricule} :"))
def fiche_intervenant(monde: Monde, nom: str, matricule: str, datatable: list[list[str]]) -> None:
    """| présentation | … |, | services | … |, | zones | … |, | compétences | … |"""
    fiche = {key: value for key, value in datatable}
    creer_intervenant(monde, nom, matricule, liste(fiche.get("services", "")), liste(fiche.get("compétences", "")),
                      liste(fiche.get("zones", "")), fiche.get("présentation", ""))


# ---------------------------------------------------------------- one record
def synchroniser(monde: Monde, nom: str) -> RecordReport:
    return monde.container.shop_sync().sync_intervenant(c.SyncIntervenant(monde.entreprise, monde.intervenant(nom)))


def transmettre(monde: Monde, nom: str) -> RecordReport:
    return monde.container.shop_sync().transmit_client(c.TransmitClient(monde.entreprise, monde.client(nom)))


@when(p("je synchronise l'intervenante {nom} sur la boutique"), target_fixture="rapport")
@when(p("je synchronise l'intervenant {nom} sur la boutique"), target_fixture="rapport")
def synchronise(monde: Monde, nom: str) -> RecordReport:
    return synchroniser(monde, nom)


@when(p("je transmets la cliente {nom} à la boutique"), target_fixture="rapport")
@when(p("je transmets le client {nom} à la boutique"), target_fixture="rapport")
def transmet(monde: Monde, nom: str) -> RecordReport:
    return transmettre(monde, nom)


@given(p("{nom} a été synchronisée sur la boutique"))
@given(p("{nom} a été synchronisé sur la boutique"))
def deja_synchronise(monde: Monde, nom: str) -> None:
    assert synchroniser(monde, nom).outcome == "sent"


@given(p("{nom} a été transmise à la boutique"))
@given(p("{nom} a été transmis à la boutique"))
def deja_transmis(monde: Monde, nom: str) -> None:
    assert transmettre(monde, nom).outcome == "sent"


@then("la fiche est envoyée")
def envoyee(rapport: RecordReport) -> None:
    assert (rapport.outcome, rapport.reason) == ("sent", None)


@then("la fiche est déjà à jour")
def a_jour(rapport: RecordReport) -> None:
    assert rapport.outcome == "unchanged", rapport


# ---------------------------------------------------------------- changes in the back office
def profil(monde: Monde, nom: str):
    return monde.container.queries().intervenant(monde.entreprise, monde.intervenant(nom)).profile


def changer_profil(monde: Monde, nom: str, **changes) -> None:
    profile = replace(profil(monde, nom), **changes)
    monde.container.update_intervenant()(c.UpdateIntervenant(monde.entreprise, monde.intervenant(nom),
                                                             (("profile", profile),)))


@when(p("{nom} ajoute la compétence « {competence} »"))
def ajoute_competence(monde: Monde, nom: str, competence: str) -> None:
    changer_profil(monde, nom, skills=profil(monde, nom).skills + (competence,))


@given(p("{nom} a ajouté la compétence « {competence} », synchronisée sur la boutique"))
def competence_ajoutee(monde: Monde, nom: str, competence: str) -> None:
    ajoute_competence(monde, nom, competence)
    assert synchroniser(monde, nom).outcome == "sent"
    assert competence in intervenant_en_boutique(monde, nom)["skills"]


@when(p("{nom} retire la compétence « {competence} »"))
def retire_competence(monde: Monde, nom: str, competence: str) -> None:
    changer_profil(monde, nom, skills=tuple(s for s in profil(monde, nom).skills if s != competence))


@when(p("{nom} ne propose plus que « {services:Liste} »"))
def ne_propose_plus_que(monde: Monde, nom: str, services: list[str]) -> None:
    changer_profil(monde, nom, services=tuple(monde.service(s) for s in services))


@when(p("le téléphone de {nom} devient « {telephone} »"))
def nouveau_telephone(monde: Monde, nom: str, telephone: str) -> None:
    monde.container.update_client()(c.UpdateClient(monde.entreprise, monde.client(nom), (("phone", telephone),)))


# ---------------------------------------------------------------- the batch
@when("j'exporte les clients et intervenants vers la boutique", target_fixture="compte_rendu")
def exporte(monde: Monde) -> list[RecordReport]:
    return monde.container.shop_sync().export(c.ExportToShop(monde.entreprise))


@given("les clients et intervenants ont été exportés vers la boutique")
def deja_exporte(monde: Monde) -> None:
    reports = exporte(monde)
    assert {r.outcome for r in reports} <= {"sent", "failed"}, reports


@then("le compte rendu de l'export est :")
def compte_rendu_est(compte_rendu: list[RecordReport], datatable: list[list[str]]) -> None:
    expected = {line["fiche"]: line for line in lignes(datatable)}
    assert sorted(r.label for r in compte_rendu) == sorted(expected), compte_rendu
    for report in compte_rendu:
        line = expected[report.label]
        assert (report.kind, RESULTATS[report.outcome]) == (line["type"], line["résultat"]), report
        if line["motif"]:
            assert espaces(line["motif"]) in espaces(report.reason or ""), report
        else:
            assert report.reason is None, report


# ---------------------------------------------------------------- what the shop shows
def intervenant_en_boutique(monde: Monde, nom: str) -> dict:
    found = {i["id"]: i for i in monde.boutique()["intervenants"]}
    assert monde.intervenant(nom) in found, f"la boutique ne présente pas {nom}"
    return found[monde.intervenant(nom)]


def client_en_boutique(monde: Monde, nom: str) -> dict:
    found = {c_["ogust_id"]: c_ for c_ in monde.boutique()["clients"] if c_.get("ogust_id")}
    assert monde.client(nom) in found, f"la boutique ne connaît pas {nom}"
    return found[monde.client(nom)]


@then(p("la boutique présente {nom} avec :"))
def presente_avec(monde: Monde, nom: str, datatable: list[list[str]]) -> None:
    shown = intervenant_en_boutique(monde, nom)
    labels = {service_id: label for label, service_id in monde.services.items()}
    for field, value in datatable:
        if field == "services":
            assert sorted(labels.get(s, s) for s in shown["services"]) == sorted(liste(value))
        elif field in ("zones", "compétences"):
            key = {"zones": "zones", "compétences": "skills"}[field]
            assert shown[key] == liste(value), shown[key]
        else:
            key = {"matricule": "matricule", "présentation": "presentation"}[field]
            assert shown[key] == value, shown[key]


@then(parsers.re(r"la boutique présente les intervenants (?P<noms>.+)"))
def presente_les(monde: Monde, noms: str) -> None:
    shown = {i["id"] for i in monde.boutique()["intervenants"]}
    expected = {monde.intervenant(nom) for nom in liste(noms)}
    others = set(monde.intervenants.values()) - expected
    assert expected <= shown and not others & shown, (noms, shown)


@then(parsers.re(r"la boutique connaît les clients (?P<noms>.+)"))
def connait_les(monde: Monde, noms: str) -> None:
    for nom in liste(noms):
        client_en_boutique(monde, nom)


@then(p("la boutique connaît la fiche de {nom} : {email}, {adresse}"))
def connait(monde: Monde, nom: str, email: str, adresse: str) -> None:
    shown = client_en_boutique(monde, nom)
    first, last = nom.split(" ", 1)
    assert (shown["first_name"], shown["last_name"], shown["email"]) == (first, last, monde.email(email))
    assert f"{shown['street']} {shown['postal_code']} {shown['city']}" == adresse


@then(p("la fiche de {nom} garde son identifiant client de la boutique"))
def garde_identifiant(monde: Monde, nom: str) -> None:
    shop_client_id = client_en_boutique(monde, nom)["shop_client_id"]
    assert monde.container.queries().client(monde.entreprise, monde.client(nom)).shop_client_id == shop_client_id


@then(p("la boutique connaît le téléphone « {telephone} » pour {nom}"))
def connait_telephone(monde: Monde, telephone: str, nom: str) -> None:
    assert client_en_boutique(monde, nom)["phone"] == telephone


# ---------------------------------------------------------------- proving that nothing was sent
@given(p("la boutique a depuis retouché les fiches de {intervenant} et de {client}"))
def retouche(monde: Monde, intervenant: str, client: str) -> None:
    """Change the shop's copies behind ogust's back: a record ogust sends again loses the change."""
    shown = intervenant_en_boutique(monde, intervenant)
    monde.shop.store.put_intervenant(monde.shop_account, {**shown, "presentation": RETOUCHE})
    fields = {k: v for k, v in client_en_boutique(monde, client).items() if k not in ("shop_client_id", "ogust_id")}
    monde.shop.store.put_client(monde.shop_account, {**fields, "id": monde.client(client), "phone": RETOUCHE})


@then(p("la boutique garde ses retouches des fiches de {intervenant} et de {client}"))
def retouches_gardees(monde: Monde, intervenant: str, client: str) -> None:
    assert intervenant_en_boutique(monde, intervenant)["presentation"] == RETOUCHE
    assert client_en_boutique(monde, client)["phone"] == RETOUCHE


