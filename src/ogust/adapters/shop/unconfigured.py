"""Stands for the shop while none is configured: every call says so clearly."""
from __future__ import annotations

from ogust.application.ports import ShopUnavailable

MESSAGE = "aucune boutique configurée (variable OGUST_SHOP_URL)"


class UnconfiguredShopApi:
    def account_exists(self, account_id, api_key=None):
        raise ShopUnavailable(MESSAGE)

    def list_services(self, account_id):
        raise ShopUnavailable(MESSAGE)

    def upsert_intervenant(self, account_id, fields):
        raise ShopUnavailable(MESSAGE)

    def upsert_client(self, account_id, fields):
        raise ShopUnavailable(MESSAGE)

    def publish_document(self, account_id, shop_client_id, document):
        raise ShopUnavailable(MESSAGE)

    def erase_client(self, account_id, client_id, shop_client_id=None):
        raise ShopUnavailable(MESSAGE)

    def bulk_upsert_intervenants(self, account_id, records):
        raise ShopUnavailable(MESSAGE)

    def bulk_upsert_clients(self, account_id, records):
        raise ShopUnavailable(MESSAGE)
