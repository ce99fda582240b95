"""Set-up: company, tarifs, shop link and mappings."""
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, status

from ogust.application import commands as c
from ogust.application.access import ApiKeys
from ogust.application.handlers import setup
from ogust.application.ports import ShopApi
from ogust.application.queries import Queries
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import InterventionMode
from ogust.domain.units import Unit
from ogust.entrypoints import serializers as s
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.deps import company_id, first_company_only
from ogust.entrypoints.api.schemas import (
    PROBLEM_RESPONSES,
    CompanyIn,
    MappingIn,
    ShopLinkIn,
    TarifIn,
)
from ogust.entrypoints.container import Container

router = APIRouter(tags=["Paramétrage"], responses=PROBLEM_RESPONSES)


@router.post("/companies", status_code=status.HTTP_201_CREATED, response_model=out.CreatedCompany,
             summary="Créer la première entreprise",
             description="Sans clé, seulement tant que l'installation n'a aucune entreprise : la réponse contient "
                         "`api_key`, une clé `operator` de l'entreprise, montrée cette seule fois. Ensuite, les "
                         "entreprises se créent avec la CLI (`ogust company create`).")
@inject
def create_company(body: CompanyIn, _first: None = Depends(first_company_only),
                   handler: setup.CreateCompanyHandler = Depends(Provide[Container.create_company]),
                   keys: ApiKeys = Depends(Provide[Container.api_keys])) -> dict:
    company = handler(c.CreateCompany(body.name, body.address.to_domain(), body.siret, body.sap_declaration_number,
                                      body.sap_declaration_date, body.email or ""))
    issued = keys.create(company.id, "premier opérateur", ("operator",))
    return {**s.company(company), "api_key": issued.token}


@router.get("/companies", response_model=list[out.Company], summary="L'entreprise de la clé")
@inject
def list_companies(company: str = Depends(company_id),
                   queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.company(queries.company(company))]


@router.post("/tarifs", status_code=status.HTTP_201_CREATED, response_model=out.Tarif, summary="Créer un tarif")
@inject
def create_tarif(body: TarifIn, company: str = Depends(company_id),
                 handler: setup.CreateTarifHandler = Depends(Provide[Container.create_tarif])) -> dict:
    tarif = handler(c.CreateTarif(company, body.code, body.label, Unit.from_code(body.unit), Money(body.price_ht_cents),
                                  VatRate.from_percent(body.vat_rate), body.tax_credit_eligible,
                                  InterventionMode(body.mode)))
    return s.tarif(tarif)


@router.get("/tarifs", response_model=list[out.Tarif], summary="Tarifs")
@inject
def list_tarifs(company: str = Depends(company_id),
                queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.tarif(t) for t in queries.tarifs(company)]


@router.post("/shop/link", response_model=out.ShopLink, summary="Lier le compte boutique",
             description="Renvoie le secret avec lequel la boutique signe ses commandes (montré une seule fois).")
@inject
def link_shop(body: ShopLinkIn, company: str = Depends(company_id),
              handler: setup.LinkShopAccountHandler = Depends(Provide[Container.link_shop])) -> dict:
    secret = handler(c.LinkShopAccount(company, body.shop_account_id, body.webhook_secret, body.api_key))
    return {"shop_account_id": body.shop_account_id, "webhook_secret": secret}


@router.get("/shop/services", response_model=list[out.ShopService], summary="Services de la boutique et leur tarif")
@inject
def shop_services(company: str = Depends(company_id), queries: Queries = Depends(Provide[Container.queries]),
                  shop: ShopApi = Depends(Provide[Container.shop])) -> list[dict]:
    account = queries.company(company).require_shop()
    mapped = {m.shop_service_id: t.code for m, t in queries.mappings(company)}
    return [s.shop_service(service, mapped.get(service.id)) for service in shop.list_services(account)]


@router.post("/shop/mappings", status_code=status.HTTP_201_CREATED, response_model=out.ShopServiceMapping,
             summary="Associer un service à un tarif",
             description="Refusé (422 tarif_mismatch) si le prix TTC, la TVA ou l'unité diffèrent.")
@inject
def map_service(body: MappingIn, company: str = Depends(company_id),
                handler: setup.MapShopServiceHandler = Depends(Provide[Container.map_service]),
                queries: Queries = Depends(Provide[Container.queries])) -> dict:
    mapping = handler(c.MapShopService(company, body.shop_service_id, body.tarif_code))
    tarif = next(t for m, t in queries.mappings(company) if m.id == mapping.id)
    return s.mapping(mapping, tarif)


@router.get("/shop/mappings", response_model=list[out.ShopServiceMapping], summary="Associations services ↔ tarifs")
@inject
def list_mappings(company: str = Depends(company_id),
                  queries: Queries = Depends(Provide[Container.queries])) -> list[dict]:
    return [s.mapping(m, t) for m, t in queries.mappings(company)]
