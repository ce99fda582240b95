"""URSSAF's error entries ``{code, message, description}`` and the HTTP answers that carry them.

The codes and their meaning follow the lists kept by open-source clients of the API (see the
sources in docs/urssaf-tiers-prestation.openapi.yaml); the wording here is ours."""
from __future__ import annotations

from dataclasses import dataclass

MESSAGES: dict[str, str] = {
    "ERREUR_VALIDATION": "Les informations envoyées ne respectent pas les formats attendus.",
    "ERR_DATE_FUTUR": "La période d'emploi de la demande de paiement est dans le futur.",
    "ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE": "La période d'emploi est sur deux mois calendaires.",
    "ERR_DATE_FIN_AVANT_DATE_DEB": "La date de fin de période est antérieure à la date de début.",
    "ERR_MONTANT_ACOMPTE": "Le montant de l'acompte est supérieur à 50 % du montant total de la facture.",
    "ERR_TOTAL_PRESTATIONS": "Le total des prestations est différent du montant total de la facture.",
    "ERR_CODE_NATURE": "Le code nature doit être connu du référentiel des natures.",
    "ERR_FORMAT_VALEUR": "La valeur comporte trop de décimales.",
    "ERR_MNT_PREST_HT_TVA": "Le montant HT plus la TVA de la prestation doit être égal à son montant TTC.",
    "ERR_MNT_PREST_TTC": "Le TTC de la prestation n'est pas la quantité multipliée par le prix unitaire.",
    "ERR_NBRE_PREST_MAX": "Le nombre maximum de prestations ou de demandes par envoi est dépassé (10).",
    "ERR_VALEUR_NEGATIVE": "La valeur doit être positive.",
    "ERR_PARTICULIER_INCONNU": "L'identifiant du particulier est inconnu ou sa date de naissance ne correspond pas.",
    "ERR_LIEN_PARTICULIER_PRESTATAIRE": "Aucun lien actif entre le particulier et le prestataire à la date d'emploi.",
    "ERR_FACTURE_DOUBLON": "La référence de la facture est déjà existante.",
    "ERR_CRITERE_RECHERCHE_VIDE": "Au minimum un critère de recherche doit être renseigné.",
    "ERR_NBRE_MAX_RESULTAT": "Trop de résultats : affinez la recherche (10 au plus).",
    "ERR_RECHERCHE_VIDE": "Aucune demande de paiement ne correspond aux critères de recherche.",
    "ERR_RECHERCHE_PARTICULIER": "Aucun particulier ne correspond, ou le particulier a rompu son association.",
    "ERR_DATE_NAISSANCE_FUTUR": "La date de naissance est dans le futur.",
    "ERREUR_LIEU_NAISSANCE_DEPT": "Le département de naissance est obligatoire quand le pays est la France.",
    "ERR_LIEU_NAISSANCE_COMN": "La commune de naissance est obligatoire quand le pays est la France.",
    "ERREUR_LIEU_NAISSANCE_PAYS": "Département ou commune renseigné pour une naissance à l'étranger.",
    "ERR_CONTACT": "Le téléphone portable, l'adresse électronique ou l'adresse sont incomplets ou invalides.",
    "ERR_CONTACT_ADRESSE_TYPEVOIE": "Un type de voie doit être renseigné avec le libellé de voie.",
    "ERR_CONTACT_ADRESSE_LIBELLEVOIE": "Un libellé de voie doit être renseigné avec le type de voie.",
    "ERR_COORDONNEES_BANCAIRES": "Le BIC ou l'IBAN est invalide.",
    "ERR_CMPT_BLOQUE": "Le compte du particulier est bloqué : la demande de paiement ne peut aboutir.",
    "ERR_MANDAT_ECHU": "Le mandat SEPA du particulier est échu.",
    "ERR_NUMINTERVENANT_MANQUANT": "Il manque le numéro NOVA ou le SIRET de l'intervenant (complement2).",
    "ERR_FORMAT_NUMINTERVENANT": "Le format du numéro NOVA ou du SIRET de l'intervenant est incorrect.",
    "ERR_LIEN_TIERS_PRESTATION_PARTICULIER_EXISTE": "Il existe déjà un lien entre le prestataire et le particulier.",
    # the admin routes' own (not URSSAF's)
    "TRANSITION_REFUSEE": "Cette étape ne part pas du statut actuel de la demande.",
    "TIERS_EXISTANT": "Ce tiers de prestation existe déjà.",
}


@dataclass(frozen=True)
class Erreur:
    code: str
    description: str = ""

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": MESSAGES.get(self.code, self.code),
                "description": self.description or MESSAGES.get(self.code, self.code)}


class ApiRefusal(Exception):
    """A whole call refused: HTTP ``status`` with a JSON array of error entries."""

    def __init__(self, status: int, errors: list[Erreur]) -> None:
        super().__init__(", ".join(error.code for error in errors))
        self.status = status
        self.errors = errors


class OAuthRefusal(Exception):
    """RFC 6749 §5.2 / RFC 6750 §3.1 error: ``{"error", "error_description"}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description
