"""Steps every topic uses: the company and its shop account, tarifs, people, refusals, the worker."""
from __future__ import annotations

from datetime import date

from pytest_bdd import given, parsers, then, when

from ogust.application import commands as c
from ogust.domain.address import Address
from ogust.domain.company import Company
from ogust.domain.intervenant import ShopProfile
from ogust.domain.money import Money
from ogust.domain.units import Unit
from tests.bdd.steps.monde import ADRESSE, Monde
from tests.bdd.steps.parseurs import espaces, lignes, montant, p, taux


# ---------------------------------------------------------------- the company and its shop
def creer_entreprise(monde: Monde, nom: str) -> Company:
    company = monde.container.create_company()(c.CreateCompany(
        nom, Address("12 rue des Lilas", "69003", "Lyon"), "73282932000074", "SAP123456789", date(2021, 3, 1),
        f"contact+{monde.uid}@aide-et-vous.fr"))
    monde.company_id = company.id
    return company


def lier_boutique(monde: Monde) -> str:
    """Link the shop account; the shop then signs its orders with the secret and posts them to ogust."""
    secret = monde.container.link_shop()(c.LinkShopAccount(monde.entreprise, monde.shop_account))
    monde.webhook_secret = secret
    monde.reglages_boutique(webhook_url=monde.api.orders_url)
    monde.services = {service["label"]: service["id"] for service in monde.boutique()["services"]}
    return secret


@given(p("l'entreprise « {nom} »"), target_fixture="entreprise")
def entreprise(monde: Monde, nom: str) -> Company:
    return creer_entreprise(monde, nom)


@given(p("l'entreprise « {nom} » et son compte boutique lié"), target_fixture="entreprise")
def entreprise_liee(monde: Monde, nom: str) -> Company:
    company = creer_entreprise(monde, nom)
    lier_boutique(monde)
    return company


@given("le compte boutique est lié")
def compte_lie(monde: Monde) -> None:
    lier_boutique(monde)


@given(parsers.parse("les services de la boutique associés aux tarifs :"))
def services_associes(monde: Monde, datatable: list[list[str]]) -> None:
    """| service | tarif | prix HT | TVA |: an hourly tarif per service, then the association."""
    for line in lignes(datatable):
        monde.container.create_tarif()(c.CreateTarif(
            monde.entreprise, line["tarif"], line["service"], Unit.HOUR, Money(montant(line["prix HT"])),
            taux(line["TVA"])))
        monde.container.map_service()(c.MapShopService(monde.entreprise, monde.service(line["service"]),
                                                       line["tarif"]))


# ---------------------------------------------------------------- people
def creer_intervenant(monde: Monde, nom: str, matricule: str, services: list[str] = (),
                      competences: list[str] = (), zones: list[str] = (), presentation: str = "") -> str:
    first, last = nom.split(" ", 1)
    intervenant = monde.container.create_intervenant()(c.CreateIntervenant(
        monde.entreprise, first, last, matricule, f"{first.lower()}.{last.lower()}+{monde.uid}@aide-et-vous.fr",
        "06 12 34 56 78",
        ShopProfile(presentation, tuple(monde.service(s) for s in services), tuple(zones), tuple(competences))))
    monde.intervenants[nom] = intervenant.id
    return intervenant.id


@given(p("l'intervenante {nom}, matricule {matricule}, qui propose « {services:Liste} »"))
@given(p("l'intervenant {nom}, matricule {matricule}, qui propose « {services:Liste} »"))
def intervenant_qui_propose(monde: Monde, nom: str, matricule: str, services: list[str]) -> None:
    creer_intervenant(monde, nom, matricule, services, zones=["69002"])


@given("les intervenants :")
def intervenants(monde: Monde, datatable: list[list[str]]) -> None:
    """| intervenant | matricule | services | compétences |"""
    for line in lignes(datatable):
        creer_intervenant(monde, line["intervenant"], line["matricule"], _liste(line.get("services", "")),
                          _liste(line.get("compétences", "")), ["69002"])


def creer_client(monde: Monde, nom: str, email: str) -> str:
    first, last = nom.split(" ", 1)
    client = monde.container.create_client()(c.CreateClient(monde.entreprise, first, last, monde.email(email),
                                                            ADRESSE, "04 78 00 00 00"))
    monde.clients[nom] = client.id
    return client.id


@given(p("la cliente {nom}, {email}, saisie dans le back office"))
@given(p("le client {nom}, {email}, saisi dans le back office"))
def client_back_office(monde: Monde, nom: str, email: str) -> None:
    creer_client(monde, nom, email)


@given("les clients :")
def clients(monde: Monde, datatable: list[list[str]]) -> None:
    """| client | email |"""
    for line in lignes(datatable):
        creer_client(monde, line["client"], line["email"])


def _liste(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


# ---------------------------------------------------------------- refusals and the worker
@then(p("c'est refusé : « {message} »"))
def refuse(monde: Monde, message: str) -> None:
    assert monde.erreur is not None, "la demande a été acceptée, un refus était attendu"
    assert espaces(monde.texte(message)) in espaces(monde.erreur.message), monde.erreur.message


@given("le back office a traité les envois en attente")
@given("le back office traite les envois en attente")
@when("le back office traite les envois en attente")
@when("le back office traite de nouveau les envois en attente")
def traiter_les_envois(monde: Monde) -> None:
    """The outbox worker, as it runs in the background: pushes to the shop, debits, emails."""
    monde.container.processor().run_until_idle()
