"""Online orders: placed through the reference shop, which saves the card on localstripe, signs the
order and posts it to ogust's webhook; then what the back office holds."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pytest_bdd import given, parsers, then, when

from ogust.application import commands as c
from ogust.application.handlers.orders import OrderResult
from ogust.domain.client import ClientOrigin
from ogust.domain.devis import AcceptanceChannel, DevisStatus
from ogust.domain.money import Money
from tests.bdd.steps.monde import ADRESSE, Acheteur, Monde
from tests.bdd.steps.parseurs import PARIS, creneau, espaces, euros, lignes, p
from tests.support.concurrency import at_once
from tests.support.localstripe import CARD_NEEDS_AUTHENTICATION

REFUS = {  # how the scenarios name a refusal → (HTTP status, problem code) of ogust's answer
    "créneau déjà passé": (422, "slot_in_past"),
    "intervenant déjà pris": (409, "slot_unavailable"),
    "service non associé": (422, "service_not_mapped"),
    "service non proposé par l'intervenant": (422, "service_not_offered"),
    "prix différent du tarif": (422, "price_mismatch"),
}
STATUTS_DEVIS = {"accepté": DevisStatus.ACCEPTED, "brouillon": DevisStatus.DRAFT, "envoyé": DevisStatus.SENT}


@dataclass(frozen=True)
class Etat:
    """What the back office holds for the company: to show that a refused order wrote nothing."""

    clients: frozenset[str]
    devis: frozenset[str]
    interventions: frozenset[str]


def etat(monde: Monde) -> Etat:
    queries = monde.container.queries()
    now = datetime.now(PARIS)
    interventions = {
        i.id for intervenant_id in monde.intervenants.values()
        for i in queries.planning(monde.entreprise, intervenant_id, now - timedelta(days=30), now + timedelta(days=60))
    }
    return Etat(frozenset(c.id for c in queries.clients(monde.entreprise)),
                frozenset(d.id for d in queries.devis_list(monde.entreprise)), frozenset(interventions))


# ---------------------------------------------------------------- the buyer and the order
@given(p("{nom}, {email}, qui achète sur la boutique avec la carte {carte:Carte}"))
def acheteur(monde: Monde, nom: str, email: str, carte: str) -> None:
    first, last = nom.split(" ", 1)
    buyer = Acheteur(first, last, monde.email(email), carte)
    if carte == CARD_NEEDS_AUTHENTICATION:
        # localstripe cannot complete the 3-D Secure of the card's SetupIntent, so the shop cannot
        # save this card itself: it is saved here as the client did, authenticating at ordering.
        customer, method = monde.stripe.create_customer_with_card(carte, buyer.email)
        buyer.payment = {"stripe_customer_id": customer, "stripe_payment_method_id": method}
    monde.acheteurs[nom] = buyer


def prestation(monde: Monde, service: str, intervenant: str, slot: tuple[datetime, datetime],
               prix: int | None = None) -> dict:
    item = {"service_id": monde.service(service), "intervenant_id": monde.intervenant(intervenant),
            "start": slot[0].isoformat(), "end": slot[1].isoformat()}
    if prix is not None:
        item["unit_price_ttc_cents"] = prix
    return item


def commander(monde: Monde, nom: str, items: list[dict], **extra: object) -> dict:
    """The buyer orders on the shop; returns the shop's account of it, with ogust's answer."""
    buyer = monde.acheteurs[nom]
    monde.avant = etat(monde)
    if buyer.payment:
        extra["payment"] = buyer.payment
    placed = monde.admin.place_order(monde.shop_account, buyer.customer(), items, card_number=buyer.card_number,
                                     **extra)
    if placed["ogust_status"] in (200, 201):
        monde.clients[nom] = placed["ogust_body"]["client_id"]
    return placed


@when(p("{nom} commande en ligne « {service} » avec {intervenant} {slot:Creneau}, "
        "au prix de {prix:Montant} de l'heure"), target_fixture="commande")
def commande_a_prix(monde: Monde, nom: str, service: str, intervenant: str, slot, prix: int) -> dict:
    return commander(monde, nom, [prestation(monde, service, intervenant, slot, prix)])


@when(p("{nom} commande en ligne « {service} » avec {intervenant} {slot:Creneau}"), target_fixture="commande")
def commande(monde: Monde, nom: str, service: str, intervenant: str, slot) -> dict:
    return commander(monde, nom, [prestation(monde, service, intervenant, slot)])


@when(p("{nom} commande en ligne :"), target_fixture="commande")
def commande_plusieurs(monde: Monde, nom: str, datatable: list[list[str]]) -> dict:
    """| service | intervenant | créneau |"""
    items = [prestation(monde, line["service"], line["intervenant"], creneau(line["créneau"]))
             for line in lignes(datatable)]
    return commander(monde, nom, items)


@given(p("{nom} a commandé en ligne « {service} » avec {intervenant} {slot:Creneau}"), target_fixture="commande")
def a_commande(monde: Monde, nom: str, service: str, intervenant: str, slot) -> dict:
    placed = commande(monde, nom, service, intervenant, slot)
    assert placed["ogust_status"] == 201, placed
    return placed


@given(p("{nom} a commandé en ligne :"), target_fixture="commande")
def a_commande_plusieurs(monde: Monde, nom: str, datatable: list[list[str]]) -> dict:
    placed = commande_plusieurs(monde, nom, datatable)
    assert placed["ogust_status"] == 201, placed
    return placed


@when("la boutique renvoie la même commande", target_fixture="renvoi")
def renvoie(monde: Monde, commande: dict) -> dict:
    """The shop posts the very same order (same order id) again, as a retried webhook would."""
    sent = next(o for o in monde.boutique()["orders"] if o["order_id"] == commande["order_id"])
    items = [{key: item[key] for key in ("service_id", "intervenant_id", "start", "end")} for item in sent["items"]]
    name = next(n for n, b in monde.acheteurs.items() if b.email.lower() == sent["customer"]["email"].lower())
    return commander(monde, name, items, order_id=commande["order_id"])


@when(p("la même commande de {nom} arrive deux fois en même temps : « {service} » avec {intervenant} {slot:Creneau}"),
      target_fixture="reponses")
def deux_fois_en_meme_temps(monde: Monde, nom: str, service: str, intervenant: str, slot) -> list:
    """The shop cannot send one order twice at once: the order goes straight to ogust's handler,
    from two threads released together (as two webhook deliveries served by two API workers)."""
    buyer = monde.acheteurs[nom]
    customer, method = monde.stripe.create_customer_with_card(buyer.card_number, buyer.email)
    price = next(s["price_ttc_cents"] for s in monde.boutique()["services"] if s["id"] == monde.service(service))
    order = c.PlaceOrder(
        monde.entreprise, f"ord_{monde.uid}",
        c.OrderCustomer(f"cli_{monde.uid}", buyer.email, buyer.first_name, buyer.last_name, ADRESSE),
        (c.OrderItem(monde.service(service), monde.intervenant(intervenant), slot[0], slot[1], Money(price)),),
        customer, method)
    place = monde.container.place_order()
    return at_once(lambda: place(order), timeout=30)


@then("les deux réponses donnent les mêmes fiche client, devis et intervention, l'une comme déjà enregistrée")
def memes_reponses(reponses: list) -> None:
    assert all(isinstance(r, OrderResult) for r in reponses), reponses
    first, second = reponses
    assert (first.client_id, first.devis_id, first.intervention_ids) == (
        second.client_id, second.devis_id, second.intervention_ids)
    assert sorted([first.replayed, second.replayed]) == [False, True]


# ---------------------------------------------------------------- accepted
@then("la commande est acceptée")
def acceptee(commande: dict) -> None:
    assert commande["ogust_status"] == 201, commande
    body = commande["ogust_body"]
    assert body["order_id"] == commande["order_id"] and not body["replayed"]
    assert body["client_id"] and body["devis_id"] and body["intervention_ids"]


@then(p("le back office a la fiche client de {nom}, {email}, venue de la boutique"))
def fiche_client(monde: Monde, commande: dict, nom: str, email: str) -> None:
    client = monde.container.queries().client(monde.entreprise, commande["ogust_body"]["client_id"])
    assert (client.full_name, client.email, client.origin) == (nom, monde.email(email).lower(), ClientOrigin.SHOP)
    assert client.address.one_line() == "5 place Bellecour, 69002 Lyon"


@then(p("la fiche de {nom} garde son identifiant client de la boutique et sa carte enregistrée"))
def identifiant_et_carte(monde: Monde, commande: dict, nom: str) -> None:
    client = monde.container.queries().client(monde.entreprise, monde.client(nom))
    assert client.shop_client_id == commande["shop_client_id"]
    assert (client.stripe_customer_id, client.stripe_payment_method_id) == (
        commande["payment"]["stripe_customer_id"], commande["payment"]["stripe_payment_method_id"])
    assert client.stripe_customer_id.startswith("cus_") and client.stripe_payment_method_id.startswith("pm_")


@then(p("le devis de la commande est « {statut} » :"))
def devis_de_la_commande(monde: Monde, commande: dict, statut: str, datatable: list[list[str]]) -> None:
    devis, _ = monde.container.queries().devis(monde.entreprise, commande["ogust_body"]["devis_id"])
    assert devis.status is STATUTS_DEVIS[statut]
    assert (devis.shop_order_id, devis.acceptance_channel) == (commande["order_id"], AcceptanceChannel.SHOP)
    assert devis.client_id == commande["ogust_body"]["client_id"]
    found = [{"prestation": line.label, "quantité": line.quantity.label_fr(),
              "prix HT": euros(line.unit_price_ht.cents), "TVA": line.vat_rate.percent_label,
              "total TTC": euros(line.amount_ttc.cents)} for line in devis.lines]
    assert found == [{k: espaces(v) for k, v in line.items()} for line in lignes(datatable)]


@then(p("le planning de {intervenant} compte l'intervention chez {nom} {slot:Creneau}"))
def au_planning(monde: Monde, commande: dict, intervenant: str, nom: str, slot) -> None:
    start, end = slot
    planning = monde.container.queries().planning(monde.entreprise, monde.intervenant(intervenant),
                                                  start - timedelta(hours=1), end + timedelta(hours=1))
    assert [(i.id, i.client_id, i.start, i.end, i.devis_id) for i in planning] == [
        (commande["ogust_body"]["intervention_ids"][0], monde.client(nom), start, end,
         commande["ogust_body"]["devis_id"])]


# ---------------------------------------------------------------- replayed and found
@then("le back office répond que la commande est déjà enregistrée, avec les mêmes fiche client, devis et intervention")
def deja_enregistree(commande: dict, renvoi: dict) -> None:
    assert renvoi["ogust_status"] == 200, renvoi
    first, again = commande["ogust_body"], renvoi["ogust_body"]
    assert again["replayed"] is True
    assert (again["client_id"], again["devis_id"], again["intervention_ids"]) == (
        first["client_id"], first["devis_id"], first["intervention_ids"])


@then(parsers.parse("le back office compte {clients:d} client, {devis:d} devis et {interventions:d} intervention "
                    "au planning de {intervenant}"))
def compte(monde: Monde, clients: int, devis: int, interventions: int, intervenant: str) -> None:
    queries = monde.container.queries()
    now = datetime.now(PARIS)
    planning = queries.planning(monde.entreprise, monde.intervenant(intervenant), now - timedelta(days=30),
                                now + timedelta(days=60))
    assert (len(queries.clients(monde.entreprise)), len(queries.devis_list(monde.entreprise)), len(planning)) == (
        clients, devis, interventions)


@then(p("la commande est rattachée à la fiche client existante de {nom}"))
def rattachee(monde: Monde, commande: dict, nom: str) -> None:
    existing = monde.avant.clients
    assert commande["ogust_body"]["client_id"] in existing
    client = monde.container.queries().client(monde.entreprise, commande["ogust_body"]["client_id"])
    assert client.full_name == nom and client.origin is ClientOrigin.BACK_OFFICE
    assert client.shop_client_id == commande["shop_client_id"]


# ---------------------------------------------------------------- refused
@then(p("la commande est refusée : {motif}"))
def refusee(commande: dict, motif: str) -> None:
    status, code = REFUS[motif]
    assert (commande["ogust_status"], commande["ogust_body"].get("code")) == (status, code), commande["ogust_body"]


@then(p("le refus indique « {extrait} »"))
def refus_indique(commande: dict, extrait: str) -> None:
    assert espaces(extrait) in espaces(commande["ogust_body"]["detail"]), commande["ogust_body"]["detail"]


@then("rien n'est enregistré dans le back office")
def rien_enregistre(monde: Monde) -> None:
    assert etat(monde) == monde.avant
