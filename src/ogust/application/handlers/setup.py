"""Set-up: the company, its tarifs, the shop link and the mapping of shop services to tarifs."""
from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo

from ogust.application.commands import CreateCompany, CreateTarif, LinkShopAccount, MapShopService
from ogust.application.handlers import UowFactory
from ogust.application.ports import ShopApi
from ogust.domain.company import Company
from ogust.domain.errors import AlreadyExists, InvalidValue, NotFound
from ogust.domain.shop_service import ShopServiceMapping
from ogust.domain.tarif import Tarif


class CreateCompanyHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: CreateCompany) -> Company:
        with self.uow() as uow:
            company = Company(
                name=cmd.name,
                address=cmd.address,
                siret=cmd.siret,
                sap_declaration_number=cmd.sap_declaration_number,
                sap_declaration_date=cmd.sap_declaration_date,
                email=cmd.email,
            )
            if cmd.sap_declaration_date > uow.clock.now().astimezone(ZoneInfo(company.timezone)).date():
                raise InvalidValue(f"La déclaration SAP du {cmd.sap_declaration_date:%d/%m/%Y} est dans le futur : "
                                   "les documents la citent comme faite.", field="sap_declaration_date")
            uow.companies.add(company)
            uow.commit()
            return company


class CreateTarifHandler:
    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow

    def __call__(self, cmd: CreateTarif) -> Tarif:
        with self.uow() as uow:
            uow.companies.get(cmd.company_id)
            if uow.tarifs.by_code(cmd.company_id, cmd.code):
                raise AlreadyExists(f"Le tarif {cmd.code} existe déjà.", code=cmd.code)
            tarif = Tarif(
                company_id=cmd.company_id,
                code=cmd.code,
                label=cmd.label,
                unit=cmd.unit,
                price_ht=cmd.price_ht,
                vat_rate=cmd.vat_rate,
                tax_credit_eligible=cmd.tax_credit_eligible,
                mode=cmd.mode,
            )
            uow.tarifs.add(tarif)
            uow.commit()
            return tarif


class LinkShopAccountHandler:
    """Link the company's shop account once; returns the secret the shop signs orders with."""

    def __init__(self, uow: UowFactory, shop: ShopApi) -> None:
        self.uow = uow
        self.shop = shop

    def __call__(self, cmd: LinkShopAccount) -> str:
        if not self.shop.account_exists(cmd.shop_account_id, cmd.api_key):
            raise NotFound("compte boutique", cmd.shop_account_id)
        secret = cmd.webhook_secret or secrets.token_urlsafe(32)
        with self.uow() as uow:
            company = uow.companies.get(cmd.company_id)
            if company.shop_account_id and company.shop_account_id != cmd.shop_account_id:
                raise InvalidValue(
                    f"L'entreprise est déjà liée au compte boutique {company.shop_account_id}.",
                    field="shop_account_id",
                )
            company.link_shop(cmd.shop_account_id, secret, cmd.api_key)
            uow.commit()
        return secret


class MapShopServiceHandler:
    """Map a shop service to the tarif with the identical price, VAT and unit — or refuse."""

    def __init__(self, uow: UowFactory, shop: ShopApi) -> None:
        self.uow = uow
        self.shop = shop

    def __call__(self, cmd: MapShopService) -> ShopServiceMapping:
        with self.uow() as uow:
            account = uow.companies.get(cmd.company_id).require_shop()
        services = {service.id: service for service in self.shop.list_services(account)}
        service = services.get(cmd.shop_service_id)
        if service is None:
            raise NotFound("service boutique", cmd.shop_service_id)
        with self.uow() as uow:
            tarif = uow.tarifs.by_code(cmd.company_id, cmd.tarif_code)
            if tarif is None:
                raise NotFound("tarif", cmd.tarif_code)
            mapping = uow.mappings.by_shop_service(cmd.company_id, service.id)
            if mapping is None:
                mapping = ShopServiceMapping.map(cmd.company_id, service, tarif)
                uow.mappings.add(mapping)
            else:
                mapping.remap(service, tarif)
            uow.commit()
            return mapping
