# language: fr
Fonctionnalité: Débit de la carte bancaire du client
  Il suffit de générer une facture (depuis le devis, manuellement, via un contrat…) et de la valider
  pour qu'elle soit automatiquement transmise dans le compte du client sur la boutique et que sa
  carte bancaire soit débitée du montant correspondant. Un email lui est adressé pour lui confirmer
  le débit et lui proposer de télécharger sa facture.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et les services de la boutique associés aux tarifs :
      | service | tarif | prix HT | TVA  |
      | Ménage  | MEN   | 25,00 € | 10 % |
    Et l'intervenante Marie Curie, matricule M001, qui propose « Ménage »
    Et Claire Dubois, claire.dubois@example.fr, qui achète sur la boutique avec la carte 4242 4242 4242 4242

  Scénario: La facture du devis, validée, est publiée, débitée une fois et annoncée par email
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que l'intervention de Marie Curie chez Claire Dubois dans 3 jours est réalisée
    Quand je génère la facture depuis le devis de la commande
    Et que je valide la facture
    Et que le back office traite les envois en attente
    Alors la facture est « payée », pour 55,00 € TTC
    Et la facture est publiée dans le compte boutique de Claire Dubois, « payée », pour 55,00 €
    Et la carte de Claire Dubois est débitée une seule fois, de 55,00 €
    Et Claire Dubois reçoit un seul email : « Aide & Vous Services – Paiement de votre facture n° {numéro} confirmé »
    Et l'email dit « votre carte bancaire a été débitée de 55,00 € en règlement de la facture n° {numéro} »
    Et le lien de l'email télécharge la facture {numéro}
    Et la page « Mon compte » de Claire Dubois sur la boutique propose de télécharger la facture {numéro}

  Scénario: Une facture faite à la main est débitée de la même façon
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Quand je fais à la main une facture pour Claire Dubois :
      | tarif | quantité | intervenant |
      | MEN   | 1 h 30   | Marie Curie |
    Et que je valide la facture
    Et que le back office traite les envois en attente
    Alors la facture est « payée », pour 41,25 € TTC
    Et la facture est publiée dans le compte boutique de Claire Dubois, « payée », pour 41,25 €
    Et la carte de Claire Dubois est débitée une seule fois, de 41,25 €
    Et Claire Dubois reçoit un seul email : « Aide & Vous Services – Paiement de votre facture n° {numéro} confirmé »
    Et le lien de l'email télécharge la facture {numéro}

  Scénario: Une prestation faite à la main se facture avec son intervenant
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Quand je fais à la main une facture pour Claire Dubois :
      | tarif | quantité |
      | MEN   | 1 h 30   |
    Alors c'est refusé : « Ligne MEN : une prestation de services à la personne se facture avec l'intervenant (art. D.7233-1 du code du travail). »
    Et Claire Dubois n'a aucune facture

  Scénario: La facture d'un contrat reprend les interventions réalisées de la période
    Étant donné que Claire Dubois a commandé en ligne :
      | service | intervenant | créneau                      |
      | Ménage  | Marie Curie | dans 3 jours, de 9 h à 11 h  |
      | Ménage  | Marie Curie | dans 10 jours, de 9 h à 11 h |
    Et que l'intervention de Marie Curie chez Claire Dubois dans 3 jours est réalisée
    Quand je génère la facture du contrat de Claire Dubois d'aujourd'hui à dans 14 jours
    Alors la facture reprend les interventions :
      | date         | intervenant | quantité | total TTC |
      | dans 3 jours | Marie Curie | 2 h      | 55,00 €   |
    Quand je valide la facture
    Et que le back office traite les envois en attente
    Alors la facture est « payée », pour 55,00 € TTC
    Et la carte de Claire Dubois est débitée une seule fois, de 55,00 €
    Et Claire Dubois reçoit un seul email : « Aide & Vous Services – Paiement de votre facture n° {numéro} confirmé »

  Scénario: Seules les interventions réalisées se facturent, les autres attendent
    Étant donné que Claire Dubois a commandé en ligne :
      | service | intervenant | créneau                      |
      | Ménage  | Marie Curie | dans 3 jours, de 9 h à 11 h  |
      | Ménage  | Marie Curie | dans 10 jours, de 9 h à 11 h |
    Quand je génère la facture depuis le devis de la commande
    Alors c'est refusé : « aucune intervention réalisée et non facturée, 2 encore prévue(s). Une intervention se facture une fois faite : déclarez-la réalisée (ogust intervention done ID) après qu'elle a eu lieu, puis facturez. »
    Et Claire Dubois n'a aucune facture
    Étant donné que l'intervention de Marie Curie chez Claire Dubois dans 3 jours est réalisée
    Quand je génère la facture depuis le devis de la commande
    Alors la facture reprend les interventions :
      | date         | intervenant | quantité | total TTC |
      | dans 3 jours | Marie Curie | 2 h      | 55,00 €   |

  Scénario: Une intervention ne se déclare réalisée qu'une fois commencée
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Quand je déclare aujourd'hui réalisée l'intervention de Marie Curie chez Claire Dubois dans 3 jours
    Alors c'est refusé : « n'a pas encore commencé : elle ne peut être déclarée réalisée qu'à partir de son début. »

  Scénario: Une carte refusée laisse la facture impayée et le client est prévenu
    Étant donné Jeanne Martin, jeanne.martin@example.fr, qui achète sur la boutique avec la carte 4000 0000 0000 0341
    Et que Jeanne Martin a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que l'intervention de Marie Curie chez Jeanne Martin dans 3 jours est réalisée
    Quand je génère la facture depuis le devis de la commande
    Et que je valide la facture
    Et que le back office traite les envois en attente
    Alors la facture est « en échec de paiement », pour 55,00 € TTC
    Et la facture est publiée dans le compte boutique de Jeanne Martin, « en échec de paiement », pour 55,00 €
    Et aucun débit n'a abouti sur la carte de Jeanne Martin
    Et Jeanne Martin reçoit un seul email : « Aide & Vous Services – Le paiement de votre facture n° {numéro} n'a pas abouti »
    Et l'email dit « le paiement a été refusé »
    Et le lien de l'email télécharge la facture {numéro}

  Scénario: Une banque qui demande une authentification forte : le client reçoit un lien de paiement
    Étant donné Léa Bernard, lea.bernard@example.fr, qui achète sur la boutique avec la carte 4000 0027 6000 3184
    Et que Léa Bernard a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que l'intervention de Marie Curie chez Léa Bernard dans 3 jours est réalisée
    Quand je génère la facture depuis le devis de la commande
    Et que je valide la facture
    Et que le back office traite les envois en attente
    Alors la facture est « en attente d'authentification », pour 55,00 € TTC
    Et aucun débit n'a abouti sur la carte de Léa Bernard
    Et Léa Bernard reçoit un seul email : « Aide & Vous Services – Merci de confirmer le paiement de votre facture n° {numéro} »
    Et l'email dit « votre banque demande que vous confirmiez vous-même le paiement »
    Et le lien de paiement de l'email ouvre la page de paiement de la facture {numéro}

  Scénario: Une facture validée ne se valide pas une seconde fois
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Quand je valide de nouveau la facture
    Alors c'est refusé : « La facture {numéro} est déjà validée et ne peut plus changer. »
    Quand le back office traite les envois en attente
    Alors la carte de Claire Dubois est débitée une seule fois, de 55,00 €

  Scénario: Relancer le traitement des envois ne débite pas une seconde fois
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office a traité les envois en attente
    Quand le back office traite de nouveau les envois en attente
    Et que le débit et l'email de la facture sont exécutés une seconde fois, comme après une panne du worker
    Alors la facture est « payée », pour 55,00 € TTC
    Et la carte de Claire Dubois est débitée une seule fois, de 55,00 €
    Et Claire Dubois reçoit un seul email : « Aide & Vous Services – Paiement de votre facture n° {numéro} confirmé »
