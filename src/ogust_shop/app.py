"""Assembling the reference shop: the contract routes, the admin routes and the client's page."""
from __future__ import annotations

import httpx
from fastapi import FastAPI

from ogust_shop import account_page, admin_routes, contract_routes, problems
from ogust_shop.orders import OrderPlacer
from ogust_shop.store import Store
from ogust_shop.stripe_cards import StripeCards


def create_app(store: Store | None = None, cards: StripeCards | None = None,
               webhook_transport: httpx.BaseTransport | None = None) -> FastAPI:
    """The shop app. ``cards`` saves buyers' cards in Stripe (or localstripe); without it, fake ids."""
    app = FastAPI(title="Reference shop for ogust", version="1.0.0")
    app.state.store = store if store is not None else Store()
    app.state.orders = OrderPlacer(app.state.store, cards, webhook_transport)
    problems.install(app)
    app.include_router(contract_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(account_page.router)
    return app
