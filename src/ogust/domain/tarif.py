"""A Manager tarif: what a service costs, its VAT, its unit and how it is delivered."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ogust.domain.aggregate import Aggregate, new_id
from ogust.domain.errors import InvalidValue
from ogust.domain.money import Money, VatRate
from ogust.domain.units import Unit
from ogust.domain.validation import check_amount, check_text


class InterventionMode(Enum):
    PRESTATAIRE = "prestataire"
    MANDATAIRE = "mandataire"


@dataclass(eq=False)
class Tarif(Aggregate):
    company_id: str
    code: str
    label: str
    unit: Unit
    price_ht: Money
    vat_rate: VatRate
    tax_credit_eligible: bool = True
    mode: InterventionMode = InterventionMode.PRESTATAIRE
    id: str = field(default_factory=new_id)
    version: int = 1

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidValue("Le code du tarif est obligatoire.", field="code")
        if self.price_ht.cents <= 0:
            raise InvalidValue("Le prix HT d'un tarif est positif.", field="price_ht")
        check_amount(self.price_ht, "price_ht", "Le prix HT d'un tarif")
        self.code = check_text(self.code, "code", "Code du tarif", 30)
        self.label = check_text(self.label, "label", "Libellé du tarif")

    @property
    def price_ttc(self) -> Money:
        return self.vat_rate.gross(self.price_ht)
