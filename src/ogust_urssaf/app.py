"""Assembling the reference URSSAF server: the documented API and the admin routes."""
from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from ogust_urssaf import admin_routes, api_routes, http
from ogust_urssaf.clock import ServerClock
from ogust_urssaf.service import UrssafService
from ogust_urssaf.store import Store


def create_app(store: Store | None = None, clock: ServerClock | None = None, token_lifetime: int = 3600,
               integration_delay: timedelta = timedelta(minutes=1)) -> FastAPI:
    app = FastAPI(title="Reference URSSAF API Tiers de prestation for ogust", version="1.0.0",
                  openapi_url="/_admin/openapi.json", docs_url="/_admin/docs", redoc_url=None)
    app.state.service = UrssafService(store if store is not None else Store(), clock or ServerClock(),
                                      token_lifetime, integration_delay)
    http.install(app)
    app.include_router(api_routes.router)
    app.include_router(admin_routes.router)
    return app
