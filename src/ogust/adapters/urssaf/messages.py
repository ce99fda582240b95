"""URSSAF's error codes told to the operator in French: what happened and what to do. Our words;
the meaning of each code follows the lists kept by open-source clients of the API."""
from __future__ import annotations

EXPLAINED: dict[str, str] = {
    "ERR_FACTURE_DOUBLON": "URSSAF a déjà reçu une demande pour ce numéro de facture.",
    "ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE": "La période facturée doit tenir dans un seul mois civil.",
    "ERR_DATE_FUTUR": "La période ou la date de facture est dans le futur : la demande part après les prestations.",
    "ERR_DATE_FIN_AVANT_DATE_DEB": "La fin de la période précède son début.",
    "ERR_TOTAL_PRESTATIONS": "La somme des lignes ne fait pas le total TTC de la facture.",
    "ERR_MNT_PREST_TTC": "Sur une ligne, quantité × prix unitaire ne fait pas le montant TTC.",
    "ERR_MNT_PREST_HT_TVA": "Sur une ligne, HT + TVA ne fait pas le montant TTC.",
    "ERR_FORMAT_VALEUR": "Un montant a trop de décimales (deux, trois pour le prix unitaire).",
    "ERR_VALEUR_NEGATIVE": "Un montant est négatif : ni remise ni avoir sur une demande de paiement.",
    "ERR_NBRE_PREST_MAX": "Dix lignes au plus par demande de paiement.",
    "ERR_MONTANT_ACOMPTE": "L'acompte dépasse la moitié de la facture.",
    "ERR_CODE_NATURE": "Le code nature d'une prestation est inconnu d'URSSAF.",
    "ERR_PARTICULIER_INCONNU": "URSSAF ne connaît pas ce client, ou sa date de naissance ne correspond pas.",
    "ERR_LIEN_PARTICULIER_PRESTATAIRE": "Le client n'a pas activé son compte URSSAF, ou la période précède "
                                        "son activation.",
    "ERR_CMPT_BLOQUE": "Le compte URSSAF du client est bloqué (prélèvement rejeté) : il règle cette facture "
                       "directement.",
    "ERR_MANDAT_ECHU": "Le mandat de prélèvement du client est échu : il doit le renouveler dans son espace URSSAF.",
    "ERR_NUMINTERVENANT_MANQUANT": "Il manque le numéro NOVA ou le SIRET de l'intervenant.",
    "ERR_FORMAT_NUMINTERVENANT": "Le numéro NOVA ou le SIRET de l'intervenant est mal formé.",
    "ERR_CONTACT": "Téléphone portable, adresse électronique ou adresse postale du client incomplets ou invalides.",
    "ERR_COORDONNEES_BANCAIRES": "L'IBAN ou le BIC du client est invalide.",
    "ERR_DATE_NAISSANCE_FUTUR": "La date de naissance du client est dans le futur.",
    "ERREUR_LIEU_NAISSANCE_DEPT": "Né en France : le département de naissance du client est obligatoire.",
    "ERR_LIEU_NAISSANCE_COMN": "Né en France : la commune de naissance du client (code INSEE et nom) est obligatoire.",
    "ERREUR_LIEU_NAISSANCE_PAYS": "Né à l'étranger : ni département ni commune de naissance.",
    "ERR_CONTACT_ADRESSE_TYPEVOIE": "Adresse du client : un libellé de voie sans type de voie (rue, avenue…).",
    "ERR_CONTACT_ADRESSE_LIBELLEVOIE": "Adresse du client : un type de voie sans libellé.",
    "ERR_LIEN_TIERS_PRESTATION_PARTICULIER_EXISTE": "Ce client est déjà inscrit par l'entreprise.",
    "ERR_RECHERCHE_PARTICULIER": "URSSAF ne trouve pas ce client parmi ceux de l'entreprise.",
    "ERR_CRITERE_RECHERCHE_VIDE": "Recherche sans critère.",
    "ERR_NBRE_MAX_RESULTAT": "Trop de demandes pour une seule recherche (dix au plus).",
    "ERREUR_VALIDATION": "Données refusées par URSSAF (format).",
    "invalid_client": "URSSAF refuse l'identifiant ou le secret client de l'entreprise.",
    "invalid_scope": "URSSAF refuse la portée demandée pour le jeton.",
    "invalid_token": "URSSAF refuse le jeton d'accès, même renouvelé.",
}


def explain(code: str, urssaf_text: str = "") -> str:
    """French for the operator: our explanation, then URSSAF's own text when it says more."""
    ours = EXPLAINED.get(code, "")
    theirs = urssaf_text.strip()[:300]
    if ours and theirs and theirs != ours:
        return f"{ours} ({code} : {theirs})"
    return f"{ours} ({code})" if ours else f"{code} : {theirs or 'refus sans détail'}"
