"""Request-scoped dependencies shared by the routers: who calls (an API key) and for which company.

Every ``/api/*`` route but the signed webhooks takes ``company_id``: it authenticates the bearer key
(401 when missing, unknown, rotated or revoked), checks its scope against the route (403) and returns
the key's company — the only company the request can see. It is ``async`` on purpose: the actor it
sets (for the audit log) then belongs to the request's context, which the sync endpoints inherit.
"""
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from ogust.application.access import Principal, set_actor
from ogust.domain.api_key import Scope

bearer = HTTPBearer(auto_error=False, scheme_name="cle_api",
                    description="Clé d'API de l'entreprise (`ogust key create`) : `Authorization: Bearer ogk_…`.")

# What a ``shop`` key may read (by endpoint): the company, the catalogue and the intervenants (profiles,
# availability) — never clients, invoices, payments or the outbox.
SHOP_READS = frozenset({
    "list_companies", "list_tarifs", "shop_services", "list_mappings", "list_intervenants", "get_intervenant",
    "planning",
})
UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="ogust"'}


def required_scope(request: Request) -> Scope:
    return Scope.READ if request.method in ("GET", "HEAD") else Scope.OPERATOR


def route_name(request: Request) -> str:
    return getattr(request.scope.get("route"), "name", "")


def permits(caller: Principal, request: Request) -> bool:
    scope = required_scope(request)
    if caller.allows(scope):
        return True
    return scope is Scope.READ and Scope.SHOP.value in caller.scopes and route_name(request) in SHOP_READS


async def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None or not credentials.credentials:
        raise HTTPException(401, "Clé d'API manquante : en-tête « Authorization: Bearer <clé> ».",
                            headers=UNAUTHENTICATED)
    keys = request.app.state.container.api_keys()
    caller = await run_in_threadpool(keys.authenticate, credentials.credentials)
    if caller is None:
        raise HTTPException(401, "Clé d'API inconnue, remplacée ou révoquée.", headers=UNAUTHENTICATED)
    return caller


async def principal(request: Request,
                    credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    """The caller, allowed on this route (else 401 / 403)."""
    caller = await authenticate(request, credentials)
    if not permits(caller, request):
        raise HTTPException(403, f"La clé « {caller.name} » ({', '.join(caller.scopes)}) ne permet pas "
                                 f"{request.method} {request.url.path}.")
    set_actor(caller.actor)
    request.state.principal = caller
    return caller


async def company_id(caller: Principal = Depends(principal)) -> str:
    """The company the request acts for: the key's own."""
    return caller.company_id


async def first_company_only(request: Request,
                             credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """Creating a company through the API is the installation's first step only (no key exists yet);
    afterwards companies are created locally (``ogust company create``): a key never reaches beyond its own."""
    container = request.app.state.container
    if await run_in_threadpool(container.queries().companies):
        caller = await authenticate(request, credentials)
        raise HTTPException(403, f"La clé « {caller.name} » ne peut pas créer d'entreprise : "
                                 "les entreprises suivantes se créent avec « ogust company create ».")
    set_actor("bootstrap")
