"""The application's URSSAF types to and from the API's JSON (docs/urssaf-tiers-prestation.openapi.yaml)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ogust.application.ports import (
    UrssafClientRegistration,
    UrssafPaymentRequest,
    UrssafPaymentRequestState,
    UrssafRequestStatus,
    UrssafServiceLine,
)
from ogust.domain.money import Money
from ogust.domain.units import Unit

FRANCE = "99100"


def instant(day: date) -> str:
    """URSSAF's dates: the day at midnight UTC, 2026-11-03T00:00:00Z."""
    return f"{day.isoformat()}T00:00:00Z"


def euros(amount: Money) -> Decimal:
    return Decimal(amount.cents) / 100


def registration(client: UrssafClientRegistration) -> dict[str, object]:
    place = client.birth_place
    birth_place: dict[str, object] = {"codePaysNaissance": place.country_code}
    if place.country_code == FRANCE:
        birth_place["departementNaissance"] = place.department
        birth_place["communeNaissance"] = {"codeCommune": place.commune_code, "libelleCommune": place.commune_name}
    address = client.address
    postal = {"numeroVoie": address.street_number, "lettreVoie": address.street_letter,
              "codeTypeVoie": address.street_type_code, "libelleVoie": address.street_name,
              "complement": address.complement, "lieuDit": address.locality, "libelleCommune": address.commune_name,
              "codeCommune": address.commune_code, "codePostal": address.postal_code, "codePays": address.country_code}
    body: dict[str, object] = {
        "civilite": "1" if client.civility == "M" else "2",
        "nomNaissance": client.birth_name,
        "prenoms": client.first_names,
        "dateNaissance": instant(client.birth_date),
        "lieuNaissance": birth_place,
        "numeroTelephonePortable": client.mobile_phone,
        "adresseMail": client.email,
        "adressePostale": {key: value for key, value in postal.items() if value},
        "coordonneeBancaire": {"bic": client.bic, "iban": client.iban, "titulaire": client.account_holder},
    }
    if client.usage_name:
        body["nomUsage"] = client.usage_name
    return body


def payment_request(request: UrssafPaymentRequest) -> dict[str, object]:
    body: dict[str, object] = {
        "idTiersFacturation": request.billing_id,
        "idClient": request.urssaf_client_id,
        "dateNaissanceClient": instant(request.client_birth_date),
        "numFactureTiers": request.invoice_number,
        "dateFacture": instant(request.invoice_date),
        "dateDebutEmploi": instant(request.period_start),
        "dateFinEmploi": instant(request.period_end),
        "mntFactureTTC": euros(request.total_ttc),
        "mntFactureHT": euros(request.total_ht),
        "inputPrestations": [_line(line) for line in request.lines],
    }
    if request.down_payment is not None:
        body["mntAcompte"] = euros(request.down_payment)
    if request.down_payment_date is not None:
        body["dateVersementAcompte"] = instant(request.down_payment_date)
    return body


def _line(line: UrssafServiceLine) -> dict[str, object]:
    body: dict[str, object] = {
        "codeNature": line.nature_code,
        "quantite": line.quantity,
        "unite": "HEURE" if line.unit is Unit.HOUR else "FORFAIT",
        "mntUnitaireTTC": line.unit_price_ttc,
        "mntPrestationTTC": euros(line.amount_ttc),
        "mntPrestationHT": euros(line.amount_ht),
        "mntPrestationTVA": euros(line.amount_vat),
        "complement2": line.intervenant,
    }
    optional = {"codeActivite": line.activity_code, "complement1": line.comment or None,
                "dateDebutEmploi": instant(line.start) if line.start else None,
                "dateFinEmploi": instant(line.end) if line.end else None}
    body.update({key: value for key, value in optional.items() if value is not None})
    return body


def state(info: dict) -> UrssafPaymentRequestState:
    """One ``infoDemandePaiements`` entry; KeyError / ValueError / TypeError when it is not one."""
    rejection = info.get("infoRejet") or {}
    transfer = info.get("infoVirement") or {}
    return UrssafPaymentRequestState(
        request_id=str(info["idDemandePaiement"]),
        status=UrssafRequestStatus(str(info["statut"]["code"])),
        invoice_number=str((info.get("demandePaiement") or {}).get("numFactureTiers", "")),
        rejection_code=str(rejection["code"]) if rejection.get("code") else None,
        rejection_comment=str(rejection.get("commentaire") or ""),
        transfer_amount=_money(transfer["mntVirement"]) if transfer.get("mntVirement") is not None else None,
        transfer_date=date.fromisoformat(str(transfer["dateVirement"])[:10]) if transfer.get("dateVirement") else None,
    )


def _money(value: object) -> Money:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"montant illisible : {value!r}")
    cents = Decimal(value) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"montant au-delà du centime : {value}")
    return Money(int(cents))
