"""Entrypoints: the REST API and the CLI, wired by one container. No business rule lives here."""
