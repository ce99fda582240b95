"""Facturation : la facture validée est publiée dans la boutique, la carte débitée, le client prévenu."""
from pytest_bdd import scenarios

scenarios("facturation/debit_carte.feature")
scenarios("facturation/avoir.feature")
scenarios("facturation/reglement.feature")
