# language: fr
Fonctionnalité: Envoi de l'attestation fiscale
  Il suffit de générer une attestation fiscale et de la valider pour qu'elle soit automatiquement
  transmise dans le compte du client sur la boutique. Un email lui est adressé pour lui proposer de
  télécharger son attestation. L'attestation reprend ce que le client a payé dans l'année et les
  heures de chaque intervenant.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et les services de la boutique associés aux tarifs :
      | service         | tarif | prix HT | TVA  |
      | Ménage          | MEN   | 25,00 € | 10 % |
      | Garde d'enfants | GARDE | 20,00 € | 10 % |
    Et l'intervenante Marie Curie, matricule M001, qui propose « Ménage »
    Et l'intervenant Paul Martin, matricule M002, qui propose « Garde d'enfants »
    Et Claire Dubois, claire.dubois@example.fr, qui achète sur la boutique avec la carte 4242 4242 4242 4242
    Et que Claire Dubois a commandé en ligne :
      | service         | intervenant | créneau                          |
      | Ménage          | Marie Curie | dans 3 jours, de 9 h à 11 h      |
      | Garde d'enfants | Paul Martin | dans 3 jours, de 16 h à 17 h 30  |
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente

  Scénario: L'attestation de l'année reprend ce qui a été payé et les heures par intervenant
    Quand je génère l'attestation fiscale de cette année pour Claire Dubois
    Alors l'attestation porte sur 88,00 € payés en {année}
    Et elle détaille les heures par intervenant :
      | intervenant | heures |
      | Marie Curie | 2 h    |
      | Paul Martin | 1 h 30 |

  Scénario: L'attestation ne se valide qu'une fois l'année terminée
    Étant donné que l'attestation fiscale de cette année pour Claire Dubois a été générée
    Quand je valide l'attestation
    Alors c'est refusé : « L'année {année} n'est pas terminée : l'attestation fiscale se valide à partir du 1er janvier {année suivante}, avec tout ce que le client aura payé en {année}. »
    Et l'attestation est encore un brouillon, sans numéro
    Quand l'année se termine
    Et que je valide l'attestation
    Alors l'attestation est validée et numérotée

  Scénario: L'attestation validée est transmise dans le compte boutique du client et envoyée par email
    Étant donné que l'attestation fiscale de cette année pour Claire Dubois a été générée
    Et que l'année est terminée
    Quand je valide l'attestation
    Et que le back office traite les envois en attente
    Alors l'attestation est publiée dans le compte boutique de Claire Dubois, pour 88,00 €
    Et Claire Dubois reçoit un email : « Aide & Vous Services – Votre attestation fiscale {année} est disponible »
    Et l'email dit « Les sommes que vous avez effectivement réglées en {année} »
    Et l'email dit « s'élèvent à 88,00 € »
    Et le lien de l'email télécharge l'attestation {numéro}
    Et la page « Mon compte » de Claire Dubois sur la boutique propose de télécharger l'attestation {numéro}

  Scénario: Une attestation validée ne change plus : ni validée une seconde fois, ni régénérée sans raison
    Étant donné que l'attestation fiscale de cette année pour Claire Dubois a été générée
    Et que l'année est terminée
    Et que l'attestation a été validée
    Quand je valide de nouveau l'attestation
    Alors c'est refusé : « L'attestation {numéro} est déjà validée. »
    Quand je génère l'attestation fiscale de cette année pour Claire Dubois
    Alors c'est refusé : « L'attestation {numéro} de {année} est validée et à jour : rien à rectifier. »

  Scénario: Un client qui n'a rien payé n'a pas d'attestation
    Étant donné la cliente Jeanne Martin, jeanne.martin@example.fr, saisie dans le back office
    Quand je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors c'est refusé : « Aucun paiement éligible reçu en {année}. »
    Et Jeanne Martin n'a aucune attestation

  Scénario: Un client dont la carte a été refusée n'a pas d'attestation
    Étant donné Jeanne Martin, jeanne.martin@example.fr, qui achète sur la boutique avec la carte 4000 0000 0000 0341
    Et que Jeanne Martin a commandé en ligne « Ménage » avec Marie Curie dans 4 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Quand je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors c'est refusé : « Aucun paiement éligible reçu en {année}. »
    Et Jeanne Martin n'a aucune attestation
