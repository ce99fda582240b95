"""Set-up, people and planning: each refusal writes nothing and leaves the records as they were."""
from __future__ import annotations

from datetime import date

import pytest

from ogust.application import commands as c
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.application.handlers.people import (
    CreateClientHandler,
    CreateIntervenantHandler,
    UpdateClientHandler,
    UpdateIntervenantHandler,
)
from ogust.application.handlers.planning import CancelInterventionHandler, MarkInterventionDoneHandler
from ogust.application.handlers.setup import (
    CreateCompanyHandler,
    CreateTarifHandler,
    LinkShopAccountHandler,
    MapShopServiceHandler,
)
from ogust.domain.address import Address
from ogust.domain.errors import (
    AlreadyExists,
    InterventionNotStarted,
    InvalidTransition,
    InvalidValue,
    NotFound,
    ShopNotLinked,
    TarifMismatch,
)
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from tests.unit.application.conftest import contents, item, order

HERE = Address("3 rue Haute", "75002", "Paris")


def refused(uow, error, call):
    before = contents(uow)
    with pytest.raises(error) as raised:
        call()
    assert contents(uow) == before
    return raised.value


def test_company_with_a_bad_siret(uow):
    refused(uow, InvalidValue, lambda: CreateCompanyHandler(uow)(c.CreateCompany(
        "X", HERE, "123", "SAP1", date(2020, 1, 1))))


def test_company_declared_in_the_future(uow):
    """Every document cites the SAP declaration as made: a date to come is a typing error (2030 for 2020)."""
    refused(uow, InvalidValue, lambda: CreateCompanyHandler(uow)(c.CreateCompany(
        "X", HERE, "73282932000074", "SAP1", date(2030, 1, 1))))
    assert CreateCompanyHandler(uow)(c.CreateCompany("X", HERE, "73282932000074", "SAP1", date(2026, 11, 2)))


def test_tarif_refusals(uow, company):
    create = CreateTarifHandler(uow)
    create(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500), VatRate.INTERMEDIATE_10))
    refused(uow, AlreadyExists, lambda: create(c.CreateTarif(company.id, "MEN", "Autre", Unit.FLAT, Money(1),
                                                             VatRate.STANDARD_20)))
    refused(uow, InvalidValue, lambda: create(c.CreateTarif(company.id, "ZERO", "Gratuit", Unit.FLAT, Money(0),
                                                            VatRate.STANDARD_20)))
    refused(uow, NotFound, lambda: create(c.CreateTarif("nope", "X", "X", Unit.FLAT, Money(1), VatRate.STANDARD_20)))


def test_shop_link_refusals(uow, company, shop):
    link = LinkShopAccountHandler(uow, shop)
    refused(uow, NotFound, lambda: link(c.LinkShopAccount(company.id, "acc_unknown", "s" * 32)))
    refused(uow, InvalidValue, lambda: link(c.LinkShopAccount(company.id, "acc_demo", "short")))
    assert company.shop_account_id is None
    secret = link(c.LinkShopAccount(company.id, "acc_demo"))
    assert len(secret) >= 16 and company.shop_webhook_secret == secret
    shop.accounts.add("acc_other")
    refused(uow, InvalidValue, lambda: link(c.LinkShopAccount(company.id, "acc_other", "t" * 32)))
    assert (company.shop_account_id, company.shop_webhook_secret) == ("acc_demo", secret)


def test_mapping_refusals(uow, company, shop):
    CreateTarifHandler(uow)(c.CreateTarif(company.id, "MEN", "Ménage", Unit.HOUR, Money(2500),
                                          VatRate.INTERMEDIATE_10))
    CreateTarifHandler(uow)(c.CreateTarif(company.id, "GAR", "Garde", Unit.HOUR, Money(2100),
                                          VatRate.INTERMEDIATE_10))
    mapper = MapShopServiceHandler(uow, shop)
    refused(uow, ShopNotLinked, lambda: mapper(c.MapShopService(company.id, "svc_menage", "MEN")))
    LinkShopAccountHandler(uow, shop)(c.LinkShopAccount(company.id, "acc_demo"))
    refused(uow, NotFound, lambda: mapper(c.MapShopService(company.id, "svc_unknown", "MEN")))
    refused(uow, NotFound, lambda: mapper(c.MapShopService(company.id, "svc_menage", "NOPE")))
    error = refused(uow, TarifMismatch, lambda: mapper(c.MapShopService(company.id, "svc_garde", "GAR")))
    assert error.differences == ["prix TTC 22,00\u00a0€ dans la boutique, 23,10\u00a0€ dans le tarif"]
    mapping = mapper(c.MapShopService(company.id, "svc_menage", "MEN"))
    refused(uow, TarifMismatch, lambda: mapper(c.MapShopService(company.id, "svc_menage", "GAR")))
    assert uow.mappings.get(company.id, mapping.id).tarif_id == uow.tarifs.by_code(company.id, "MEN").id


def test_intervenant_refusals(uow, company):
    create = CreateIntervenantHandler(uow)
    marie = create(c.CreateIntervenant(company.id, "Marie", "Curie", "M001"))
    refused(uow, AlreadyExists, lambda: create(c.CreateIntervenant(company.id, "Autre", "Personne", "M001")))
    refused(uow, InvalidValue, lambda: create(c.CreateIntervenant(company.id, "", "Personne", "M002")))
    update = UpdateIntervenantHandler(uow)
    refused(uow, InvalidValue, lambda: update(c.UpdateIntervenant(company.id, marie.id, (("first_name", " "),))))
    refused(uow, InvalidValue, lambda: update(c.UpdateIntervenant(company.id, marie.id, (("matricule", "X"),))))
    assert (marie.first_name, marie.matricule) == ("Marie", "M001")


def test_client_refusals(uow, company):
    create = CreateClientHandler(uow)
    jean = create(c.CreateClient(company.id, "Jean", "Dupont", "jean@example.fr", HERE))
    paul = create(c.CreateClient(company.id, "Paul", "Martin", "paul@example.fr", HERE))
    refused(uow, AlreadyExists, lambda: create(c.CreateClient(company.id, "J", "D", " JEAN@example.fr ", HERE)))
    refused(uow, InvalidValue, lambda: create(c.CreateClient(company.id, "J", "D", "jean-at-example.fr", HERE)))
    update = UpdateClientHandler(uow)
    refused(uow, AlreadyExists, lambda: update(c.UpdateClient(company.id, paul.id, (("email", "Jean@Example.fr"),))))
    refused(uow, InvalidValue, lambda: update(c.UpdateClient(company.id, paul.id, (("email", "paul@"),))))
    refused(uow, InvalidValue, lambda: update(c.UpdateClient(company.id, paul.id, (("origin", "shop"),))))
    assert paul.email == "paul@example.fr" and jean.email == "jean@example.fr"
    update(c.UpdateClient(company.id, paul.id, (("email", "PAUL.MARTIN@example.fr"),)))
    assert paul.email == "paul.martin@example.fr"


def test_planning_refusals(uow, ready, marie, cards):
    result = PlaceOrderHandler(uow, cards)(order(ready, item(marie)))
    [intervention_id] = result.intervention_ids
    refused(uow, InterventionNotStarted, lambda: MarkInterventionDoneHandler(uow)(
        c.MarkInterventionDone(ready.id, intervention_id)))  # booked for later: not done yet
    uow.clock.current = uow.interventions.get(ready.id, intervention_id).start
    MarkInterventionDoneHandler(uow)(c.MarkInterventionDone(ready.id, intervention_id))
    refused(uow, InvalidTransition, lambda: CancelInterventionHandler(uow)(
        c.CancelIntervention(ready.id, intervention_id)))
    refused(uow, InvalidTransition, lambda: MarkInterventionDoneHandler(uow)(
        c.MarkInterventionDone(ready.id, intervention_id)))
    refused(uow, NotFound, lambda: MarkInterventionDoneHandler(uow)(c.MarkInterventionDone(ready.id, "nope")))
    refused(uow, NotFound, lambda: MarkInterventionDoneHandler(uow)(c.MarkInterventionDone("other", intervention_id)))
