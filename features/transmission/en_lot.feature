# language: fr
Fonctionnalité: Transmettre clients et intervenants à la boutique, en lot
  Depuis Exports/Imports > Selfservice > Exports clients/intervenants, on transmet toutes les fiches
  d'un coup. Le compte rendu dit, fiche par fiche, ce qui a été envoyé, ce qui était déjà à jour et
  ce qui a échoué, avec le motif. Seules les fiches modifiées depuis le dernier envoi repartent.

  Contexte:
    Étant donné l'entreprise « Aide & Vous Services » et son compte boutique lié
    Et les intervenants :
      | intervenant | matricule | services        | compétences      |
      | Marie Curie | M001      | Ménage          | repassage        |
      | Paul Martin | M002      | Garde d'enfants | BAFA             |
      | Luc Petit   | M003      | Jardinage       | taille des haies |
    Et les clients :
      | client        | email                    |
      | Claire Dubois | claire.dubois@example.fr |
      | Jean Dupont   | jean.dupont@example.fr   |

  Scénario: Le compte rendu de l'export dit ce qu'il advient de chaque fiche
    Quand j'exporte les clients et intervenants vers la boutique
    Alors le compte rendu de l'export est :
      | fiche         | type        | résultat | motif                                            |
      | Marie Curie   | intervenant | envoyée  |                                                  |
      | Paul Martin   | intervenant | envoyée  |                                                  |
      | Luc Petit     | intervenant | en échec | Services inconnus de la boutique : svc_jardinage |
      | Claire Dubois | client      | envoyée  |                                                  |
      | Jean Dupont   | client      | envoyée  |                                                  |
    Et la boutique présente les intervenants Marie Curie, Paul Martin
    Et la boutique connaît les clients Claire Dubois, Jean Dupont

  Scénario: Relancer l'export n'envoie rien de ce qui est déjà à jour
    Étant donné que les clients et intervenants ont été exportés vers la boutique
    Et que la boutique a depuis retouché les fiches de Marie Curie et de Claire Dubois
    Quand j'exporte les clients et intervenants vers la boutique
    Alors le compte rendu de l'export est :
      | fiche         | type        | résultat     | motif                                            |
      | Marie Curie   | intervenant | déjà à jour  |                                                  |
      | Paul Martin   | intervenant | déjà à jour  |                                                  |
      | Luc Petit     | intervenant | en échec     | Services inconnus de la boutique : svc_jardinage |
      | Claire Dubois | client      | déjà à jour  |                                                  |
      | Jean Dupont   | client      | déjà à jour  |                                                  |
    Et la boutique garde ses retouches des fiches de Marie Curie et de Claire Dubois

  Scénario: Seules les fiches modifiées repartent
    Étant donné que les clients et intervenants ont été exportés vers la boutique
    Quand le téléphone de Jean Dupont devient « 06 11 22 33 44 »
    Et que Luc Petit ne propose plus que « Ménage »
    Et que j'exporte les clients et intervenants vers la boutique
    Alors le compte rendu de l'export est :
      | fiche         | type        | résultat    | motif |
      | Marie Curie   | intervenant | déjà à jour |       |
      | Paul Martin   | intervenant | déjà à jour |       |
      | Luc Petit     | intervenant | envoyée     |       |
      | Claire Dubois | client      | déjà à jour |       |
      | Jean Dupont   | client      | envoyée     |       |
    Et la boutique connaît le téléphone « 06 11 22 33 44 » pour Jean Dupont
    Et la boutique présente les intervenants Marie Curie, Paul Martin, Luc Petit
