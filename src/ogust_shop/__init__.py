"""A reference online shop implementing the shop side of docs/shop-contract.openapi.yaml.

It stands in for the real shop in tests and demos: ogust pushes intervenants, clients and
documents to it; it sends signed online orders to ogust's webhook. Run ``python -m ogust_shop``.
"""
from ogust_shop.app import create_app
from ogust_shop.store import Store

__all__ = ["create_app", "Store"]
