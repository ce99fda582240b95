"""Shop services and their mapping to Manager tarifs: identical price, VAT and unit, or refused."""
from __future__ import annotations

from dataclasses import dataclass, field

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import TarifMismatch
from ogust.domain.money import Money, VatRate
from ogust.domain.tarif import Tarif
from ogust.domain.units import Unit


@dataclass(frozen=True)
class ShopService:
    """A service as the shop describes it: its price is TTC, per hour or flat."""

    id: str
    label: str
    price_ttc: Money
    vat_rate: VatRate
    unit: Unit


def differences(service: ShopService, tarif: Tarif) -> list[str]:
    found = []
    if service.price_ttc != tarif.price_ttc:
        found.append(f"prix TTC {service.price_ttc} dans la boutique, {tarif.price_ttc} dans le tarif")
    if service.vat_rate is not tarif.vat_rate:
        found.append(
            f"TVA {service.vat_rate.percent_label} dans la boutique, {tarif.vat_rate.percent_label} dans le tarif"
        )
    if service.unit is not tarif.unit:
        found.append(f"unité « {service.unit.label_fr} » dans la boutique, « {tarif.unit.label_fr} » dans le tarif")
    return found


@dataclass(eq=False)
class ShopServiceMapping(Aggregate):
    company_id: str
    shop_service_id: str
    shop_label: str
    tarif_id: str
    id: str = field(default_factory=new_id)
    version: int = 1

    @classmethod
    def map(cls, company_id: str, service: ShopService, tarif: Tarif) -> ShopServiceMapping:
        found = differences(service, tarif)
        if found:
            raise TarifMismatch(service.id, tarif.code, found)
        return cls(company_id=company_id, shop_service_id=service.id, shop_label=service.label, tarif_id=tarif.id)

    def remap(self, service: ShopService, tarif: Tarif) -> None:
        found = differences(service, tarif)
        if found:
            raise TarifMismatch(service.id, tarif.code, found)
        self.shop_label = service.label
        self.tarif_id = tarif.id
