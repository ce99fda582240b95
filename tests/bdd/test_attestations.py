"""Attestations fiscales : générées d'après les paiements de l'année, validées, publiées et envoyées."""
from pytest_bdd import scenarios

scenarios("attestations/attestation_fiscale.feature")
