"""Paramétrage: lier le compte boutique et associer les services aux tarifs identiques."""
from pytest_bdd import scenarios

scenarios("parametrage/mapping.feature")
