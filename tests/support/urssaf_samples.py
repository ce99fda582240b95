"""A client and an invoice as URSSAF sees them: the application's types (for the adapter) and the
API's JSON (for the reference server), both valid unless a test changes them."""
from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

from ogust.application.ports import (
    UrssafAddress,
    UrssafBirthPlace,
    UrssafClientRegistration,
    UrssafPaymentRequest,
    UrssafServiceLine,
)
from ogust.domain.money import Money
from ogust.domain.units import Unit

INTERVENANT = "SAP123456789"


def registration(birth_name: str = "Martin", first_names: str = "Jeanne Louise") -> UrssafClientRegistration:
    return UrssafClientRegistration(
        civility="Mme", birth_name=birth_name, first_names=first_names, birth_date=date(1950, 3, 29),
        birth_place=UrssafBirthPlace("99100", "069", "123", "Lyon"),
        mobile_phone="0612345678", email="jeanne.martin@example.fr",
        address=UrssafAddress("69383", "Lyon", "69003", street_number="12", street_type_code="R",
                              street_name="des Lilas"),
        iban="FR7630006000011234567890189", bic="BNPAFRPP", account_holder="Jeanne Martin", usage_name="Durand")


def hours_line(hours: str, unit_price: str, vat_cents: int, nature: str = "10") -> UrssafServiceLine:
    """A line of ``hours`` at ``unit_price`` TTC, ``vat_cents`` of which is VAT."""
    ttc = (Decimal(hours) * Decimal(unit_price)).quantize(Decimal("0.01"))
    ttc_cents = int(ttc * 100)
    return UrssafServiceLine(nature, Decimal(hours), Unit.HOUR, Decimal(unit_price), Money(ttc_cents),
                             Money(ttc_cents - vat_cents), Money(vat_cents), INTERVENANT)


def payment_request(urssaf_client_id: str, number: str = "F2026-0001", *, start: date = date(2026, 11, 2),
                    end: date = date(2026, 11, 27), invoiced: date = date(2026, 11, 30),
                    lines: tuple[UrssafServiceLine, ...] | None = None) -> UrssafPaymentRequest:
    lines = lines if lines is not None else (hours_line("3", "25", 391), hours_line("1.5", "25", 195))
    return UrssafPaymentRequest(
        billing_id="ogust", urssaf_client_id=urssaf_client_id, client_birth_date=date(1950, 3, 29),
        invoice_number=number, invoice_date=invoiced, period_start=start, period_end=end,
        total_ttc=Money(sum(line.amount_ttc.cents for line in lines)),
        total_ht=Money(sum(line.amount_ht.cents for line in lines)), lines=lines)


REGISTRATION_JSON = {
    "civilite": "2", "nomNaissance": "Martin", "nomUsage": "Durand", "prenoms": "Jeanne Louise",
    "dateNaissance": "1950-03-29T00:00:00Z",
    "lieuNaissance": {"codePaysNaissance": "99100", "departementNaissance": "069",
                      "communeNaissance": {"codeCommune": "123", "libelleCommune": "Lyon"}},
    "numeroTelephonePortable": "0612345678", "adresseMail": "jeanne.martin@example.fr",
    "adressePostale": {"numeroVoie": "12", "codeTypeVoie": "R", "libelleVoie": "des Lilas", "codeCommune": "69383",
                       "libelleCommune": "Lyon", "codePostal": "69003", "codePays": "99100"},
    "coordonneeBancaire": {"bic": "BNPAFRPP", "iban": "FR7630006000011234567890189", "titulaire": "Jeanne Martin"},
}

DEMANDE_JSON = {
    "idTiersFacturation": "ogust", "idClient": "(set by the test)", "dateNaissanceClient": "1950-03-29T00:00:00Z",
    "numFactureTiers": "F2026-0001", "dateFacture": "2026-11-30T00:00:00Z",
    "dateDebutEmploi": "2026-11-02T00:00:00Z", "dateFinEmploi": "2026-11-27T00:00:00Z",
    "mntFactureTTC": Decimal("112.50"), "mntFactureHT": Decimal("106.64"),
    "inputPrestations": [
        {"codeNature": "10", "quantite": Decimal("3"), "unite": "HEURE", "mntUnitaireTTC": Decimal("25"),
         "mntPrestationTTC": Decimal("75.00"), "mntPrestationHT": Decimal("71.09"),
         "mntPrestationTVA": Decimal("3.91"), "complement2": INTERVENANT},
        {"codeNature": "10", "quantite": Decimal("1.5"), "unite": "HEURE", "mntUnitaireTTC": Decimal("25"),
         "mntPrestationTTC": Decimal("37.50"), "mntPrestationHT": Decimal("35.55"),
         "mntPrestationTVA": Decimal("1.95"), "complement2": INTERVENANT},
    ],
}


def demande(**changes: object) -> dict:
    """A copy of DEMANDE_JSON with top-level ``changes``."""
    return {**copy.deepcopy(DEMANDE_JSON), **changes}
