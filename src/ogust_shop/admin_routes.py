"""Admin endpoints for tests and demos (no authentication: never expose them publicly)."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ogust_shop.auth import store_of
from ogust_shop.problems import Problem
from ogust_shop.schemas import AccountIn, OrderIn

router = APIRouter(prefix="/_admin")


@router.post("/accounts", status_code=201)
def put_account(body: AccountIn, request: Request, response: Response) -> dict:
    """Create the account, or replace its settings and services (what it received is kept)."""
    created = store_of(request).put_account(body.model_dump())
    response.status_code = 201 if created else 200
    return {"id": body.id, "created": created}


@router.get("/accounts/{account_id}")
def get_account(account_id: str, request: Request) -> dict:
    account = store_of(request).account(account_id)
    if account is None:
        raise Problem(404, "account_not_found", f"Le compte boutique {account_id} n'existe pas.")
    return {
        **{key: account.get(key) for key in ("id", "name", "webhook_url", "services")},
        "intervenants": list(account["intervenants"].values()),
        "clients": [client for client in account["clients"].values() if not client.get("erased_at")],
        "erased_clients": [client for client in account["clients"].values() if client.get("erased_at")],
        "documents": {client_id: list(documents.values()) for client_id, documents in account["documents"].items()},
        "orders": list(account["orders"].values()),
    }


@router.post("/accounts/{account_id}/orders")
def place_order(account_id: str, body: OrderIn, request: Request) -> dict:
    """Save the card (when Stripe is configured), sign and send the order to ogust, return its answer."""
    return request.app.state.orders.place(account_id, body)
