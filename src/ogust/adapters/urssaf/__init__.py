"""URSSAF's « API Tiers de prestation » (avance immédiate de crédit d'impôt) over HTTP."""
