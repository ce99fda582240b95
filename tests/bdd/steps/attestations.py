"""The attestation fiscale: generated from what the client paid in the year, validated, then
published to the client's shop account and emailed with a download link."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from email.message import EmailMessage

from dependency_injector import providers
from pytest_bdd import given, then, when

from ogust.application import commands as c
from ogust.domain.attestation import Attestation
from ogust.domain.units import Quantity
from tests.bdd.steps.monde import Monde
from tests.bdd.steps.parseurs import PARIS, espaces, p
from tests.support.planning import ShiftedClock


def cette_annee(monde: Monde) -> int:
    """The year of the scenario's payments: the calendar's, even once the scenario's clock is in January."""
    year = datetime.now(PARIS).year
    monde.valeurs["année"], monde.valeurs["année suivante"] = str(year), str(year + 1)
    return year


@given("l'année est terminée")
@when("l'année se termine")
def annee_terminee(monde: Monde) -> None:
    """ogust's clock moves to 5 January of the next year (and keeps running from there)."""
    clock = ShiftedClock()
    clock.advance(seconds=(datetime(cette_annee(monde) + 1, 1, 5, 9, 0, tzinfo=PARIS) - clock.now()).total_seconds())
    monde.container.clock.override(providers.Object(clock))


def generer(monde: Monde, nom: str) -> Attestation | None:
    year = cette_annee(monde)
    return monde.tenter(lambda: monde.container.generate_attestation()(
        c.GenerateAttestation(monde.entreprise, monde.client(nom), year)))


@when(p("je génère l'attestation fiscale de cette année pour {nom}"), target_fixture="attestation")
def genere(monde: Monde, nom: str) -> Attestation | None:
    return generer(monde, nom)


@given(p("l'attestation fiscale de cette année pour {nom} a été générée"), target_fixture="attestation")
def generee(monde: Monde, nom: str) -> Attestation:
    attestation = generer(monde, nom)
    monde.sans_erreur()
    return attestation


@when("je valide l'attestation", target_fixture="attestation")
def valide(monde: Monde, attestation: Attestation) -> Attestation:
    validated = monde.tenter(lambda: monde.container.validate_attestation()(
        c.ValidateAttestation(monde.entreprise, attestation.id)))
    if validated is None:
        return attestation
    monde.valeurs["numéro"] = validated.number
    return validated


@given("l'attestation a été validée", target_fixture="attestation")
def validee(monde: Monde, attestation: Attestation) -> Attestation:
    validated = valide(monde, attestation)
    monde.sans_erreur()
    return validated


@then("l'attestation est encore un brouillon, sans numéro")
def brouillon(monde: Monde, attestation: Attestation) -> None:
    stored = monde.container.queries().attestation(monde.entreprise, attestation.id)
    assert (stored.status.value, stored.number) == ("draft", None)


@then("l'attestation est validée et numérotée")
def numerotee(monde: Monde, attestation: Attestation) -> None:
    monde.sans_erreur()
    stored = monde.container.queries().attestation(monde.entreprise, attestation.id)
    assert stored.status.value == "validated" and stored.number == f"AF-{monde.valeurs['année']}-000001"


@when("je valide de nouveau l'attestation")
def valide_encore(monde: Monde, attestation: Attestation) -> None:
    monde.tenter(lambda: monde.container.validate_attestation()(c.ValidateAttestation(monde.entreprise,
                                                                                        attestation.id)))


@then(p("l'attestation porte sur {montant:Montant} payés en {annee}"))
def porte_sur(monde: Monde, attestation: Attestation, montant: int, annee: str) -> None:
    monde.sans_erreur()
    assert (attestation.amount_paid.cents, str(attestation.year)) == (montant, monde.texte(annee))


@then(p("elle indique à part {montant:Montant} réglés en CESU préfinancés"))
def cesu_a_part(attestation: Attestation, montant: int) -> None:
    assert attestation.cesu_paid.cents == montant


@then("elle détaille les heures par intervenant :")
def heures(attestation: Attestation, datatable: list[list[str]]) -> None:
    minutes: dict[str, int] = defaultdict(int)
    for line in attestation.lines:
        minutes[line.intervenant_name] += line.minutes
    found = {name: Quantity.hours_minutes(total).label_fr() for name, total in minutes.items()}
    assert found == {name: hours for name, hours in datatable[1:]}


@then(p("l'attestation est publiée dans le compte boutique de {nom}, pour {montant:Montant}"))
def publiee(monde: Monde, attestation: Attestation, nom: str, montant: int) -> None:
    shop_client_id = monde.container.queries().client(monde.entreprise, monde.client(nom)).shop_client_id
    documents = [d for d in monde.boutique()["documents"].get(shop_client_id, []) if d["kind"] == "attestation"]
    assert [(d["id"], d["number"], d["amount_ttc_cents"], d["title"]) for d in documents] == [
        (attestation.id, attestation.number, montant, f"Attestation fiscale {attestation.year}")]


@then(p("{nom} reçoit un email : « {objet} »"), target_fixture="email")
def recoit(monde: Monde, nom: str, objet: str) -> EmailMessage:
    expected = espaces(monde.texte(objet))
    found = [m for m in monde.emails_de(nom) if espaces(str(m["Subject"])) == expected]
    assert len(found) == 1, [str(m["Subject"]) for m in monde.emails_de(nom)]
    return found[0]


@then(p("{nom} n'a aucune attestation"))
def aucune(monde: Monde, nom: str) -> None:
    assert [a for a in monde.container.queries().attestations(monde.entreprise)
            if a.client_id == monde.client(nom)] == []
