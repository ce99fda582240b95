"""Commandes en ligne : création automatique du client, du devis accepté et de l'intervention."""
from pytest_bdd import scenarios

scenarios("commandes/creation_automatique.feature")
