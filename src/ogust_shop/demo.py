"""The demo account ``acc_demo`` and its three services (prices TTC, as the shop shows them)."""
from __future__ import annotations

from ogust_shop.store import Store

DEMO_ACCOUNT_ID = "acc_demo"
DEMO_SERVICES = [
    {"id": "svc_menage", "label": "Ménage", "price_ttc_cents": 2750, "vat_rate": "10", "unit": "hour"},
    {"id": "svc_garde_enfants", "label": "Garde d'enfants", "price_ttc_cents": 2200, "vat_rate": "10",
     "unit": "hour"},
    {"id": "svc_aide_toilette", "label": "Aide à la toilette", "price_ttc_cents": 3165, "vat_rate": "5.5",
     "unit": "hour"},
]


def seed_demo(store: Store, api_key: str, webhook_url: str | None, webhook_secret: str | None) -> None:
    store.put_account({
        "id": DEMO_ACCOUNT_ID, "name": "Boutique de démonstration", "api_key": api_key,
        "webhook_url": webhook_url, "webhook_secret": webhook_secret, "services": DEMO_SERVICES,
    })
