"""The FastAPI application: routers, problem+json errors, and (by default) an outbox worker."""
from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from ogust.application.access import set_actor
from ogust.application.ports import PaymentOutcomeUnknown, ShopRejected, ShopUnavailable
from ogust.domain.errors import DomainError
from ogust.entrypoints.api import deps, openapi, problems
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.body_limit import BodySizeLimit
from ogust.entrypoints.api.docs import serve_docs
from ogust.entrypoints.api.idempotency import IdempotencyMiddleware
from ogust.entrypoints.api.request_guard import RequestGuard
from ogust.entrypoints.api.routes import (
    access,
    accounting,
    billing,
    credit_notes,
    documents,
    imports,
    operations,
    orders,
    people,
    setup,
)
from ogust.entrypoints.container import Container, build_container

DESCRIPTION = """Back office des entreprises de services à la personne, relié à leur boutique en ligne.

L'histoire de l'article d'aide : lier la boutique (`POST /api/shop/link`), associer les services aux tarifs
(`POST /api/shop/mappings`), synchroniser intervenants et clients, recevoir les commandes
(`POST /api/shop/orders`), facturer et valider (`POST /api/invoices/{id}/validate`), puis l'attestation fiscale.
Chaque route `/api/*` demande une clé d'API de l'entreprise (`Authorization: Bearer ogk_…`, créée par
`ogust key create`), sauf les webhooks signés (commandes de la boutique, Stripe). Les POST acceptent
`Idempotency-Key`. Les erreurs sont au format RFC 9457 (`application/problem+json`) avec un `code` stable.
"""


def _as_worker(run, stop: threading.Event) -> None:
    set_actor("worker")  # the audit log's "who" for the effects this thread performs
    run(stop)


def create_app(container: Container | None = None, run_worker: bool | None = None) -> FastAPI:
    container = container or build_container()
    container.wire(modules=[deps, setup, people, orders, billing, operations, credit_notes, documents, imports,
                            accounting])
    settings = container.settings()
    start_worker = settings.run_worker_in_api if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = threading.Event()
        worker = None
        if start_worker:
            worker = threading.Thread(target=_as_worker, args=(container.processor().run_forever, stop), daemon=True,
                                      name="ogust-outbox-worker")
            worker.start()
        yield
        stop.set()
        if worker:
            worker.join(timeout=10)

    app = FastAPI(title="ogust", version="0.1.0", description=DESCRIPTION, lifespan=lifespan, docs_url=None,
                  redoc_url=None)
    serve_docs(app)
    app.state.container = container
    for router in (setup.router, people.router, orders.router, billing.router, credit_notes.router,
                   documents.router, operations.router, operations.webhooks_router, access.router, imports.router,
                   accounting.router):
        app.include_router(router, prefix="/api")
    app.include_router(operations.documents_router)
    for error in (DomainError, ShopUnavailable, ShopRejected, PaymentOutcomeUnknown):
        app.add_exception_handler(error, problems.known_error)
    app.add_exception_handler(RequestValidationError, problems.validation_error)
    app.add_exception_handler(HTTPException, problems.http_error)
    app.add_exception_handler(DataError, problems.value_refused_by_database)
    app.add_middleware(IdempotencyMiddleware, container=container)
    app.add_middleware(BodySizeLimit)  # 413 before anything reads a body
    app.add_middleware(RequestGuard)  # added last, so it runs first: no NUL in a path, a query or a header
    app.openapi = lambda: openapi.document(app)  # every answer declared, the order webhook's schema resolved

    @app.get("/health", tags=["Exploitation"], response_model=out.Health)
    def health() -> dict:
        return {"status": "ok"}

    return app
