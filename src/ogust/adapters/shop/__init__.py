"""The online shop: its HTTP API (ogust → shop) and the signature of its order webhook (shop → ogust)."""
