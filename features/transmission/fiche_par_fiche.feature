# language: fr
Fonctionnalité: Transmettre un intervenant ou un client à la boutique, fiche par fiche
  Depuis sa fiche, on synchronise un intervenant sur la boutique (« Synchroniser l'intervenant sur
  OSS ») avec ses compétences, et on transmet un client (« Transmettre à OSS »). Seul ce qui a changé
  depuis le dernier envoi part vers la boutique.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et la fiche de l'intervenante Marie Curie, matricule M001 :
      | présentation | Dix ans d'expérience auprès des personnes âgées. |
      | services     | Ménage, Aide à la toilette                       |
      | zones        | 69003, 69006                                     |
      | compétences  | repassage, premiers secours                      |
    Et la cliente Claire Dubois, claire.dubois@example.fr, saisie dans le back office

  Scénario: Synchroniser un intervenant avec ses compétences
    Quand je synchronise l'intervenante Marie Curie sur la boutique
    Alors la fiche est envoyée
    Et la boutique présente Marie Curie avec :
      | matricule    | M001                                             |
      | présentation | Dix ans d'expérience auprès des personnes âgées. |
      | services     | Aide à la toilette, Ménage                       |
      | zones        | 69003, 69006                                     |
      | compétences  | premiers secours, repassage                      |

  Scénario: Transmettre un client
    Quand je transmets la cliente Claire Dubois à la boutique
    Alors la fiche est envoyée
    Et la boutique connaît la fiche de Claire Dubois : claire.dubois@example.fr, 5 place Bellecour 69002 Lyon
    Et la fiche de Claire Dubois garde son identifiant client de la boutique

  Scénario: Une fiche inchangée n'est pas renvoyée
    Étant donné que Marie Curie a été synchronisée sur la boutique
    Et que Claire Dubois a été transmise à la boutique
    Et que la boutique a depuis retouché les fiches de Marie Curie et de Claire Dubois
    Quand je synchronise l'intervenante Marie Curie sur la boutique
    Alors la fiche est déjà à jour
    Quand je transmets la cliente Claire Dubois à la boutique
    Alors la fiche est déjà à jour
    Et la boutique garde ses retouches des fiches de Marie Curie et de Claire Dubois

  Scénario: Après une modification de l'intervenant, la nouvelle valeur arrive dans la boutique
    Étant donné que Marie Curie a été synchronisée sur la boutique
    Quand Marie Curie ajoute la compétence « aide aux devoirs »
    Et que je synchronise l'intervenante Marie Curie sur la boutique
    Alors la fiche est envoyée
    Et la boutique présente Marie Curie avec :
      | compétences | aide aux devoirs, premiers secours, repassage |

  Scénario: Après une modification du client, la nouvelle valeur arrive dans la boutique
    Étant donné que Claire Dubois a été transmise à la boutique
    Quand le téléphone de Claire Dubois devient « 06 99 88 77 66 »
    Et que je transmets la cliente Claire Dubois à la boutique
    Alors la fiche est envoyée
    Et la boutique connaît le téléphone « 06 99 88 77 66 » pour Claire Dubois

  Scénario: Revenir à la valeur d'avant arrive aussi dans la boutique
    Étant donné que Marie Curie a été synchronisée sur la boutique
    Et que Marie Curie a ajouté la compétence « aide aux devoirs », synchronisée sur la boutique
    Quand Marie Curie retire la compétence « aide aux devoirs »
    Et que je synchronise l'intervenante Marie Curie sur la boutique
    Alors la fiche est envoyée
    Et la boutique présente Marie Curie avec :
      | compétences | premiers secours, repassage |
