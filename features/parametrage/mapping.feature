# language: fr
Fonctionnalité: Paramétrer l'interface entre la boutique en ligne et le back office
  Une fois l'interface paramétrée, on lie le compte de la boutique en ligne à l'entreprise, puis on
  configure les tarifs par service : chaque service défini dans la boutique en ligne doit
  correspondre à un tarif identique du back office — même prix TTC, même TVA, même unité.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services »
    Et son compte boutique propose les services :
      | service            | prix TTC | TVA   | unité |
      | Ménage             | 27,50 €  | 10 %  | heure |
      | Garde d'enfants    | 22,00 €  | 10 %  | heure |
      | Aide à la toilette | 31,65 €  | 5,5 % | heure |
    Et les tarifs du back office :
      | code     | libellé            | prix HT | TVA   | unité |
      | MEN      | Ménage             | 25,00 € | 10 %  | heure |
      | GARDE    | Garde d'enfants    | 20,00 € | 10 %  | heure |
      | TOILETTE | Aide à la toilette | 30,00 € | 5,5 % | heure |

  Scénario: Lier le compte boutique de l'entreprise
    Quand je lie le compte boutique à l'entreprise
    Alors l'entreprise est liée à ce compte boutique
    Et un secret est fourni pour signer les commandes de la boutique

  Scénario: Un compte boutique inconnu ne peut pas être lié
    Quand je lie le compte boutique « acc_inconnu » à l'entreprise
    Alors c'est refusé : « compte boutique introuvable : acc_inconnu »
    Et l'entreprise n'est liée à aucun compte boutique

  Scénario: Les services ne s'associent qu'une fois le compte boutique lié
    Quand j'associe le service « Ménage » au tarif « MEN »
    Alors c'est refusé : « Le compte boutique n'est pas encore lié à cette entreprise. »

  Scénario: Associer chaque service de la boutique au tarif identique
    Étant donné que le compte boutique est lié
    Quand j'associe les services aux tarifs :
      | service            | tarif    |
      | Ménage             | MEN      |
      | Garde d'enfants    | GARDE    |
      | Aide à la toilette | TOILETTE |
    Alors les associations de l'entreprise sont :
      | service            | tarif    | prix TTC | TVA   | unité |
      | Aide à la toilette | TOILETTE | 31,65 €  | 5,5 % | heure |
      | Garde d'enfants    | GARDE    | 22,00 €  | 10 %  | heure |
      | Ménage             | MEN      | 27,50 €  | 10 %  | heure |

  Plan du scénario: Un tarif qui n'est pas identique au service est refusé, la différence nommée
    Étant donné que le compte boutique est lié
    Et le tarif « MEN-BIS » « Ménage » à <prix HT> HT, TVA <TVA>, à l'unité « <unité> »
    Quand j'associe le service « Ménage » au tarif « MEN-BIS »
    Alors l'association est refusée pour une seule différence : « <différence> »
    Et le service « Ménage » n'est associé à aucun tarif

    Exemples:
      | cas                | prix HT | TVA  | unité   | différence                                                   |
      | prix différent     | 26,00 € | 10 % | heure   | prix TTC 27,50 € dans la boutique, 28,60 € dans le tarif     |
      | TVA différente     | 22,92 € | 20 % | heure   | TVA 10 % dans la boutique, 20 % dans le tarif                |
      | unité différente   | 25,00 € | 10 % | forfait | unité « heure » dans la boutique, « forfait » dans le tarif  |

  Scénario: Un service déjà associé ne passe pas à un tarif différent
    Étant donné que le compte boutique est lié
    Et le tarif « MEN-BIS » « Ménage » à 26,00 € HT, TVA 10 %, à l'unité « heure »
    Et j'ai associé le service « Ménage » au tarif « MEN »
    Quand j'associe le service « Ménage » au tarif « MEN-BIS »
    Alors c'est refusé : « prix TTC 27,50 € dans la boutique, 28,60 € dans le tarif »
    Et le service « Ménage » reste associé au tarif « MEN »
