# language: fr
Fonctionnalité: Création automatique du client lors d'une commande en ligne
  Lorsqu'un client achète une prestation sur la boutique, la fiche client est automatiquement créée
  dans le back office, ainsi qu'un devis « accepté » et l'intervention (planning) correspondant à la
  commande, associée à l'intervenant choisi. Une commande que le back office ne peut pas honorer
  est refusée, et rien n'est enregistré.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et les services de la boutique associés aux tarifs :
      | service         | tarif | prix HT | TVA  |
      | Ménage          | MEN   | 25,00 € | 10 % |
      | Garde d'enfants | GARDE | 20,00 € | 10 % |
    Et l'intervenante Marie Curie, matricule M001, qui propose « Ménage »
    Et l'intervenant Paul Martin, matricule M002, qui propose « Garde d'enfants »
    Et Claire Dubois, claire.dubois@example.fr, qui achète sur la boutique avec la carte 4242 4242 4242 4242

  Scénario: La commande crée le client, un devis accepté et l'intervention au planning de l'intervenant choisi
    Quand Claire Dubois commande en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Alors la commande est acceptée
    Et le back office a la fiche client de Claire Dubois, claire.dubois@example.fr, venue de la boutique
    Et la fiche de Claire Dubois garde son identifiant client de la boutique et sa carte enregistrée
    Et le devis de la commande est « accepté » :
      | prestation | quantité | prix HT | TVA  | total TTC |
      | Ménage     | 2 h      | 25,00 € | 10 % | 55,00 €   |
    Et le planning de Marie Curie compte l'intervention chez Claire Dubois dans 3 jours, de 9 h à 11 h

  Scénario: La même commande reçue deux fois ne crée rien de plus
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Quand la boutique renvoie la même commande
    Alors le back office répond que la commande est déjà enregistrée, avec les mêmes fiche client, devis et intervention
    Et le back office compte 1 client, 1 devis et 1 intervention au planning de Marie Curie

  Scénario: La même commande reçue deux fois en même temps n'est enregistrée qu'une fois
    Quand la même commande de Claire Dubois arrive deux fois en même temps : « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Alors les deux réponses donnent les mêmes fiche client, devis et intervention, l'une comme déjà enregistrée
    Et le back office compte 1 client, 1 devis et 1 intervention au planning de Marie Curie

  Scénario: Un client déjà connu du back office est retrouvé par son email, pas dupliqué
    Étant donné la cliente Claire Dubois, Claire.Dubois@example.fr, saisie dans le back office
    Quand Claire Dubois commande en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Alors la commande est acceptée
    Et la commande est rattachée à la fiche client existante de Claire Dubois
    Et le back office compte 1 client, 1 devis et 1 intervention au planning de Marie Curie

  Scénario: Un créneau déjà passé est refusé
    Quand Claire Dubois commande en ligne « Ménage » avec Marie Curie hier, de 9 h à 11 h
    Alors la commande est refusée : créneau déjà passé
    Et rien n'est enregistré dans le back office

  Scénario: Un créneau qui chevauche le planning de l'intervenant est refusé
    Étant donné que Claire Dubois a commandé en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Quand Claire Dubois commande en ligne « Ménage » avec Marie Curie dans 3 jours, de 10 h à 12 h
    Alors la commande est refusée : intervenant déjà pris
    Et le refus indique « Marie Curie est déjà en intervention »
    Et rien n'est enregistré dans le back office

  Scénario: Un service de la boutique qui n'est associé à aucun tarif est refusé
    Quand Claire Dubois commande en ligne « Aide à la toilette » avec Marie Curie dans 3 jours, de 9 h à 11 h
    Alors la commande est refusée : service non associé
    Et le refus indique « n'est associé à aucun tarif »
    Et rien n'est enregistré dans le back office

  Scénario: Un intervenant qui ne propose pas le service est refusé
    Quand Claire Dubois commande en ligne « Ménage » avec Paul Martin dans 3 jours, de 9 h à 11 h
    Alors la commande est refusée : service non proposé par l'intervenant
    Et le refus indique « Paul Martin ne propose pas le service svc_menage »
    Et rien n'est enregistré dans le back office

  Scénario: Un prix qui ne correspond pas au tarif est refusé
    Quand Claire Dubois commande en ligne « Ménage » avec Marie Curie dans 3 jours, de 9 h à 11 h, au prix de 25,00 € de l'heure
    Alors la commande est refusée : prix différent du tarif
    Et le refus indique « le tarif MEN est à 27,50 € »
    Et rien n'est enregistré dans le back office

  Scénario: Une commande dont une seule prestation ne convient pas est refusée en entier
    Quand Claire Dubois commande en ligne :
      | service         | intervenant | créneau                    |
      | Ménage          | Marie Curie | dans 3 jours, de 9 h à 11 h |
      | Garde d'enfants | Paul Martin | hier, de 14 h à 16 h        |
    Alors la commande est refusée : créneau déjà passé
    Et rien n'est enregistré dans le back office
