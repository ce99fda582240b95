# language: fr
Fonctionnalité: Enregistrer un règlement par chèque, virement, CESU ou espèces
  Tous les clients ne paient pas par la carte enregistrée à la commande : un client saisi dans le
  back office n'en a pas, une carte refusée se règle par virement, d'autres paient par chèque, en
  CESU ou en espèces. L'entreprise enregistre alors le règlement reçu : la facture, réglée en
  totalité, passe payée et apparaît comme telle dans le compte boutique du client ; aucune carte
  n'est débitée et aucun email de débit n'est envoyé ; l'attestation fiscale de l'année compte le
  règlement, sauf en espèces, et indique à part ce qui a été réglé en CESU préfinancés (seule la part
  que le client a financée lui-même ouvre droit au crédit d'impôt). Un avoir émis après un tel règlement
  est rendu au client par l'entreprise elle-même (chèque, virement, espèces) : une fois ce remboursement
  enregistré, l'attestation compte le règlement moins ce qui a été rendu. Tant qu'un débit de la carte
  attend que le client le confirme auprès de sa banque (3-D Secure), aucun autre règlement n'est
  enregistré ; l'entreprise peut annuler ce débit, puis enregistrer le règlement reçu.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et les services de la boutique associés aux tarifs :
      | service | tarif | prix HT | TVA  |
      | Ménage  | MEN   | 25,00 € | 10 % |
    Et l'intervenante Marie Curie, matricule M001, qui propose « Ménage »

  Scénario: Une facture réglée par chèque est publiée payée, sans débit ni email de débit, et comptée sur l'attestation fiscale
    Étant donné la cliente Jeanne Martin, jeanne.martin@example.fr, saisie dans le back office
    Quand je fais à la main une facture pour Jeanne Martin :
      | tarif | quantité | intervenant |
      | MEN   | 2 h      | Marie Curie |
    Et que je valide la facture
    Et que le back office traite les envois en attente
    Alors la facture est « validée », pour 55,00 € TTC
    Et Jeanne Martin reçoit un seul email : « Aide & Vous Services – Votre facture n° {numéro} »
    Et l'email dit « Montant à régler : 55,00 €, à réception, par virement, chèque, CESU ou espèces »
    Et le lien de l'email télécharge la facture {numéro}
    Quand j'enregistre un règlement par chèque de 55,00 €, n° « 1234567 », reçu aujourd'hui
    Et que le back office traite les envois en attente
    Alors la facture est « payée », pour 55,00 € TTC
    Et la facture montre le règlement par chèque de 55,00 €, n° « 1234567 », reçu aujourd'hui
    Et la facture est publiée dans le compte boutique de Jeanne Martin, « payée », pour 55,00 €
    Et Jeanne Martin reçoit un seul email : « Aide & Vous Services – Votre facture n° {numéro} »
    Quand je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors l'attestation porte sur 55,00 € payés en {année}

  Scénario: Des CESU préfinancés règlent la facture ; l'attestation fiscale les indique à part, hors du montant ouvrant droit au crédit d'impôt
    Étant donné la cliente Jeanne Martin, jeanne.martin@example.fr, saisie dans le back office
    Quand je fais à la main une facture pour Jeanne Martin :
      | tarif | quantité | intervenant |
      | MEN   | 2 h      | Marie Curie |
    Et que je valide la facture
    Et que j'enregistre un règlement par CESU de 55,00 €, n° « CESU-0042 », reçu aujourd'hui
    Alors la facture est « payée », pour 55,00 € TTC
    Quand je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors l'attestation porte sur 0,00 € payés en {année}
    Et elle indique à part 55,00 € réglés en CESU préfinancés

  Scénario: Un avoir émis après le règlement par chèque est remboursé par l'entreprise ; l'attestation fiscale compte le règlement moins ce remboursement
    Étant donné la cliente Jeanne Martin, jeanne.martin@example.fr, saisie dans le back office
    Quand je fais à la main une facture pour Jeanne Martin :
      | tarif | quantité | intervenant |
      | MEN   | 2 h      | Marie Curie |
    Et que je valide la facture
    Et que j'enregistre un règlement par chèque de 55,00 €, n° « 1234567 », reçu aujourd'hui
    Et que j'émets un avoir de 20,00 € sur la facture, motif « Intervention écourtée »
    Et que je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors l'attestation porte sur 55,00 € payés en {année}
    Quand j'enregistre le remboursement de l'avoir par chèque, n° « 7654321 », fait aujourd'hui
    Et que le back office traite les envois en attente
    Alors l'avoir est remboursé de 20,00 € par chèque, n° « 7654321 », fait aujourd'hui
    Et l'avoir est publié dans le compte boutique de Jeanne Martin, « remboursé », pour 20,00 €
    Quand je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors l'attestation porte sur 35,00 € payés en {année}

  Scénario: Une carte refusée se règle par virement ; aucun débit ne suit, aucun email de débit
    Étant donné Jeanne Martin, jeanne.martin@example.fr, qui achète sur la boutique avec la carte 4000 0000 0000 0341
    Et que Jeanne Martin a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Quand j'enregistre un règlement par virement de 55,00 €, n° « VIR-2026-0042 », reçu hier
    Et que le back office traite les envois en attente
    Alors la facture est « payée », pour 55,00 € TTC
    Et la facture est publiée dans le compte boutique de Jeanne Martin, « payée », pour 55,00 €
    Et aucun débit n'a abouti sur la carte de Jeanne Martin
    Et Jeanne Martin reçoit un seul email : « Aide & Vous Services – Le paiement de votre facture n° {numéro} n'a pas abouti »

  Scénario: Pas de règlement tant que la banque attend que le client confirme le débit de sa carte
    Étant donné Léa Bernard, lea.bernard@example.fr, qui achète sur la boutique avec la carte 4000 0027 6000 3184
    Et que Léa Bernard a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Quand j'enregistre un règlement par chèque de 55,00 €, n° « 7654321 », reçu aujourd'hui
    Alors c'est refusé : « La banque attend que le client confirme le débit de sa carte (3-D Secure) pour la facture {numéro} : ce débit peut encore aboutir, un autre règlement ferait un double paiement. Annulez d'abord le débit en attente. »
    Et la facture est « en attente d'authentification », pour 55,00 € TTC

  Scénario: Le client ne confirme pas le débit : l'entreprise l'annule, puis enregistre son chèque
    Étant donné Léa Bernard, lea.bernard@example.fr, qui achète sur la boutique avec la carte 4000 0027 6000 3184
    Et que Léa Bernard a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Quand j'annule le débit en attente de la facture
    Et que le back office traite les envois en attente
    Alors la facture est « en échec de paiement », pour 55,00 € TTC
    Et le paiement de Léa Bernard est annulé chez Stripe
    Et la facture est publiée dans le compte boutique de Léa Bernard, « débit annulé », pour 55,00 €
    Quand j'enregistre un règlement par chèque de 55,00 €, n° « 7654321 », reçu aujourd'hui
    Alors la facture est « payée », pour 55,00 € TTC
    Et aucun débit n'a abouti sur la carte de Léa Bernard
    Et Léa Bernard reçoit un seul email : « Aide & Vous Services – Merci de confirmer le paiement de votre facture n° {numéro} »

  Scénario: Le client a confirmé le débit avant l'annulation : la facture est payée, rien n'est annulé
    Étant donné Léa Bernard, lea.bernard@example.fr, qui achète sur la boutique avec la carte 4000 0027 6000 3184
    Et que Léa Bernard a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Et que Léa Bernard confirme le paiement auprès de sa banque
    Quand j'annule le débit en attente de la facture
    Alors la facture est « payée », pour 55,00 € TTC
    Et la carte de Léa Bernard est débitée une seule fois, de 55,00 €

  Scénario: Une facture payée par carte ne se règle pas une seconde fois
    Étant donné Claire Dubois, claire.dubois@example.fr, qui achète sur la boutique avec la carte 4242 4242 4242 4242
    Et que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Quand j'enregistre un règlement par espèces de 55,00 €, reçu aujourd'hui
    Alors c'est refusé : « La facture {numéro} est déjà payée : un second règlement ferait un double paiement. »
    Et la carte de Claire Dubois est débitée une seule fois, de 55,00 €

  Scénario: Des CESU préfinancés pour une part, le reste par chèque ; l'attestation compte le chèque et indique les CESU à part
    Étant donné la cliente Jeanne Martin, jeanne.martin@example.fr, saisie dans le back office
    Quand je fais à la main une facture pour Jeanne Martin :
      | tarif | quantité | intervenant |
      | MEN   | 2 h      | Marie Curie |
    Et que je valide la facture
    Et que j'enregistre un règlement par CESU de 20,00 €, n° « CESU-0042 », reçu aujourd'hui
    Alors la facture est « validée », pour 55,00 € TTC
    Quand j'enregistre un règlement par chèque de 40,00 €, n° « 1234567 », reçu aujourd'hui
    Alors c'est refusé : « Un règlement de 40,00 € dépasse ce qui reste à régler sur la facture {numéro}, soit 35,00 € »
    Quand j'enregistre un règlement par chèque de 35,00 €, n° « 1234567 », reçu aujourd'hui
    Alors la facture est « payée », pour 55,00 € TTC
    Quand je génère l'attestation fiscale de cette année pour Jeanne Martin
    Alors l'attestation porte sur 35,00 € payés en {année}
    Et elle indique à part 20,00 € réglés en CESU préfinancés
