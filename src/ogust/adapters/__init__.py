"""Adapters: the ports implemented with real technologies."""
