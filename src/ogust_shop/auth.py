"""Bearer API keys: each key opens exactly one account."""
from __future__ import annotations

from fastapi import Request

from ogust_shop.problems import Problem
from ogust_shop.store import Record, Store


def store_of(request: Request) -> Store:
    return request.app.state.store


def authorized_account(account_id: str, request: Request) -> Record:
    """The account, when the request's bearer key is this account's; 401, 403 or 404 otherwise."""
    store = store_of(request)
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    owner = store.account_id_for_key(key.strip()) if scheme.lower() == "bearer" and key.strip() else None
    if owner is None:
        raise Problem(401, "unauthorized", "Clé API de la boutique absente ou inconnue.")
    account = store.account(account_id)
    if account is None:
        raise Problem(404, "account_not_found", f"Le compte boutique {account_id} n'existe pas.")
    if owner != account_id:
        raise Problem(403, "forbidden", f"Cette clé API ne donne pas accès au compte {account_id}.")
    return account
