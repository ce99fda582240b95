"""A reference URSSAF server: the « API Tiers de prestation » of the avance immédiate de crédit
d'impôt, as documented in docs/urssaf-tiers-prestation.openapi.yaml, with its own clock and admin
routes that play the client (validate, contest, the bounced debit) and URSSAF's back office
(debit, transfer, cancellation). ogust's tests and demo talk to it; no machine here reaches URSSAF.

    python -m ogust_urssaf --port 8710 --tiers demo-client-id:demo-client-secret
"""
