"""Transmission des intervenants et des clients à la boutique : fiche par fiche et en lot."""
from pytest_bdd import scenarios

scenarios("transmission/fiche_par_fiche.feature", "transmission/en_lot.feature")
