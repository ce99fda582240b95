"""Set-up: link the shop account, map each shop service to the identical tarif — or be refused."""
from __future__ import annotations

from pytest_bdd import given, then, when

from ogust.application import commands as c
from ogust.domain.errors import TarifMismatch
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from tests.bdd.steps.communs import lier_boutique
from tests.bdd.steps.monde import Monde, slug
from tests.bdd.steps.parseurs import espaces, euros, lignes, montant, p, taux, unite


@given("son compte boutique propose les services :")
def services_boutique(monde: Monde, datatable: list[list[str]]) -> None:
    """| service | prix TTC | TVA | unité |: the shop account sells exactly these."""
    services = []
    for line in lignes(datatable):
        services.append({"id": f"svc_{slug(line['service'])}", "label": line["service"],
                         "price_ttc_cents": montant(line["prix TTC"]), "vat_rate": taux(line["TVA"]).percent,
                         "unit": unite(line["unité"]).value})
    monde.reglages_boutique(services=services)
    monde.services = {service["label"]: service["id"] for service in services}


@given("les tarifs du back office :")
def tarifs(monde: Monde, datatable: list[list[str]]) -> None:
    """| code | libellé | prix HT | TVA | unité |"""
    for line in lignes(datatable):
        monde.container.create_tarif()(c.CreateTarif(
            monde.entreprise, line["code"], line["libellé"], unite(line["unité"]), Money(montant(line["prix HT"])),
            taux(line["TVA"])))


@given(p("le tarif « {code} » « {libelle} » à {prix:Montant} HT, TVA {tva:Taux}, à l'unité « {unite:Unite} »"))
def tarif(monde: Monde, code: str, libelle: str, prix: int, tva: VatRate, unite: Unit) -> None:
    monde.container.create_tarif()(c.CreateTarif(monde.entreprise, code, libelle, unite, Money(prix), tva))


# ---------------------------------------------------------------- linking
@when("je lie le compte boutique à l'entreprise", target_fixture="secret")
def lier(monde: Monde) -> str:
    return lier_boutique(monde)


@when(p("je lie le compte boutique « {compte} » à l'entreprise"))
def lier_compte(monde: Monde, compte: str) -> None:
    monde.tenter(lambda: monde.container.link_shop()(c.LinkShopAccount(monde.entreprise, compte)))


@then("l'entreprise est liée à ce compte boutique")
def liee(monde: Monde) -> None:
    assert monde.container.queries().company(monde.entreprise).shop_account_id == monde.shop_account


@then("un secret est fourni pour signer les commandes de la boutique")
def secret_fourni(monde: Monde, secret: str) -> None:
    assert len(secret) >= 32
    assert monde.container.queries().company(monde.entreprise).shop_webhook_secret == secret


@then("l'entreprise n'est liée à aucun compte boutique")
def non_liee(monde: Monde) -> None:
    assert monde.container.queries().company(monde.entreprise).shop_account_id is None


# ---------------------------------------------------------------- mapping
def associer(monde: Monde, service: str, code: str) -> None:
    monde.tenter(lambda: monde.container.map_service()(c.MapShopService(monde.entreprise, monde.service(service),
                                                                        code)))


@given(p("j'ai associé le service « {service} » au tarif « {code} »"))
def deja_associe(monde: Monde, service: str, code: str) -> None:
    associer(monde, service, code)
    monde.sans_erreur()


@when(p("j'associe le service « {service} » au tarif « {code} »"))
def associe(monde: Monde, service: str, code: str) -> None:
    associer(monde, service, code)


@when("j'associe les services aux tarifs :")
def associe_tous(monde: Monde, datatable: list[list[str]]) -> None:
    for line in lignes(datatable):
        associer(monde, line["service"], line["tarif"])
        monde.sans_erreur()


@then("les associations de l'entreprise sont :")
def associations(monde: Monde, datatable: list[list[str]]) -> None:
    expected = lignes(datatable)
    found = [{"service": mapping.shop_label, "tarif": tarif.code, "prix TTC": euros(tarif.price_ttc.cents),
              "TVA": tarif.vat_rate.percent_label, "unité": tarif.unit.label_fr}
             for mapping, tarif in monde.container.queries().mappings(monde.entreprise)]
    assert sorted(found, key=lambda m: m["service"]) == sorted(
        [{k: espaces(v) for k, v in line.items()} for line in expected], key=lambda m: m["service"])


@then(p("l'association est refusée pour une seule différence : « {difference} »"))
def refusee(monde: Monde, difference: str) -> None:
    assert isinstance(monde.erreur, TarifMismatch), f"pas de refus pour différence : {monde.erreur!r}"
    assert [espaces(found) for found in monde.erreur.differences] == [espaces(difference)]


@then(p("le service « {service} » n'est associé à aucun tarif"))
def non_associe(monde: Monde, service: str) -> None:
    mapped = {mapping.shop_service_id for mapping, _ in monde.container.queries().mappings(monde.entreprise)}
    assert monde.service(service) not in mapped


@then(p("le service « {service} » reste associé au tarif « {code} »"))
def reste_associe(monde: Monde, service: str, code: str) -> None:
    mapped = {mapping.shop_service_id: tarif.code
              for mapping, tarif in monde.container.queries().mappings(monde.entreprise)}
    assert mapped.get(monde.service(service)) == code
