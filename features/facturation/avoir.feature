# language: fr
Fonctionnalité: Avoir sur une facture
  Une facture validée ne se modifie pas : on la corrige par un avoir, numéroté dans sa propre série.
  Quand la facture a été payée par carte, l'avoir rembourse la carte (une seule fois, jamais plus
  que ce qui a été payé) ; l'avoir est publié dans le compte boutique du client et un email
  l'annonce avec un lien pour le télécharger.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et les services de la boutique associés aux tarifs :
      | service | tarif | prix HT | TVA  |
      | Ménage  | MEN   | 25,00 € | 10 % |
    Et l'intervenante Marie Curie, matricule M001, qui propose « Ménage »
    Et Claire Dubois, claire.dubois@example.fr, qui achète sur la boutique avec la carte 4242 4242 4242 4242

  Scénario: Un avoir sur une facture payée par carte rembourse la carte une fois et est annoncé par email
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Et que le back office traite les envois en attente
    Quand j'émets un avoir de 20,00 € sur la facture, motif « Intervention écourtée »
    Et que le back office traite les envois en attente
    Alors la carte de Claire Dubois est remboursée une seule fois, de 20,00 €
    Et Claire Dubois reçoit aussi l'email : « Aide & Vous Services – Avoir n° {avoir} sur votre facture n° {numéro} »
    Et l'email dit « la somme de 20,00 € vous sera remboursée sur la carte utilisée pour le paiement »
    Et l'email dit « Motif : Intervention écourtée »
    Et le lien de l'email télécharge l'avoir {avoir}
    Et la page « Mon compte » de Claire Dubois sur la boutique propose de télécharger l'avoir {avoir}
    Quand le back office traite de nouveau les envois en attente
    Alors la carte de Claire Dubois est remboursée une seule fois, de 20,00 €

  Scénario: Un avoir émis avant le débit diminue le débit, sans remboursement
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Et que la facture du devis de la commande a été validée
    Quand j'émets un avoir de 20,00 € sur la facture, motif « Intervention écourtée »
    Et que le back office traite les envois en attente
    Alors la facture est « payée », pour 55,00 € TTC
    Et la carte de Claire Dubois est débitée une seule fois, de 35,00 €
    Et aucun remboursement n'est fait sur la carte de Claire Dubois
    Et Claire Dubois reçoit aussi l'email : « Aide & Vous Services – Paiement de votre facture n° {numéro} confirmé »
    Et l'email dit « votre carte bancaire a été débitée de 35,00 € en règlement de la facture n° {numéro} »
