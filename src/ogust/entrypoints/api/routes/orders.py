"""Orders from the shop: a signed webhook."""
import time
from datetime import UTC, datetime

from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ogust.adapters.persistence.shop_accounts import CachedShopAccounts
from ogust.adapters.shop.signing import BadSignature, verify
from ogust.application.access import set_actor
from ogust.application.handlers.orders import PlaceOrderHandler
from ogust.domain.company import Company
from ogust.domain.errors import NotFound
from ogust.entrypoints.api import responses as out
from ogust.entrypoints.api.problems import field_errors, problem
from ogust.entrypoints.api.schemas import OrderIn, SignedFor
from ogust.entrypoints.container import Container

router = APIRouter(tags=["Boutique"])
MAX_ORDER_BYTES = 256 * 1024


@router.post(
    "/shop/orders", summary="Commande en ligne (webhook signé de la boutique)",
    description="Crée une seule fois le client (ou le retrouve), un devis accepté et les interventions. "
                "Signée par `X-Ogust-Timestamp` et `X-Ogust-Signature: sha256=HMAC(secret, timestamp.corps)`.",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/OrderIn"}}}},  # registered by api/openapi.py
        "parameters": [{"name": "X-Ogust-Account", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": "Le compte boutique dont le secret a signé (celui de account_id)"},
                       {"name": "X-Ogust-Timestamp", "in": "header", "required": True, "schema": {"type": "string"}},
                       {"name": "X-Ogust-Signature", "in": "header", "required": True,
                        "schema": {"type": "string"}}]},
    responses={201: {"description": "Commande acceptée", "model": out.OrderReceived},
               200: {"description": "Commande déjà reçue (rejouée)", "model": out.OrderReceived},
               401: {"description": "Signature invalide"},
               409: {"description": "Commande en conflit : créneau pris (slot_unavailable), numéro déjà reçu "
                                    "avec d'autres prestations (already_exists), intervenant inactif"},
               422: {"description": "Commande refusée (ou account_id autre que X-Ogust-Account)"}},
)
async def receive_order(request: Request) -> JSONResponse:
    accounts, handler = _collaborators()
    raw = await request.body()
    if len(raw) > MAX_ORDER_BYTES:
        return problem(413, "payload_too_large", "Commande trop volumineuse.", request.url.path)
    try:  # authenticate first: the account names the secret the body was signed with
        account_id = _account(request, raw)
        company = await _signed_by(accounts, account_id, request, raw)
    except (BadSignature, NotFound) as error:
        return problem(401, "bad_signature", f"Commande non authentifiée : {error}", request.url.path)
    try:  # pydantic's own JSON parser: a nesting past its depth limit is an error, not a recursion
        order = OrderIn.model_validate_json(raw)
    except ValidationError as error:
        errors = field_errors(error.errors())
        return problem(422, "invalid_request", "; ".join(f"{e['field']} : {e['message']}" for e in errors),
                       request.url.path, errors=errors)
    if order.account_id != account_id:
        return problem(422, "account_mismatch", f"account_id « {order.account_id} » : la commande est signée pour "
                                                f"le compte « {account_id} » (X-Ogust-Account).", request.url.path)
    set_actor("shop-webhook")
    result = await run_in_threadpool(handler, order.to_command(company.id))
    body = {"order_id": result.shop_order_id, "client_id": result.client_id, "devis_id": result.devis_id,
            "intervention_ids": list(result.intervention_ids), "replayed": result.replayed}
    return JSONResponse(body, status_code=200 if result.replayed else 201)


def _account(request: Request, raw: bytes) -> str:
    """The shop account that signed: ``X-Ogust-Account``, read without touching the body; for a shop that
    does not send it yet, the body's ``account_id`` — and only it, by pydantic's bounded parser."""
    header = request.headers.get("x-ogust-account")
    if header is not None:
        return header
    try:
        return SignedFor.model_validate_json(raw).account_id
    except ValidationError:
        raise BadSignature("compte boutique absent (X-Ogust-Account) ou corps illisible") from None


@inject
def _collaborators(accounts: CachedShopAccounts = Provide[Container.shop_accounts],
                   handler: PlaceOrderHandler = Provide[Container.place_order]) -> tuple[CachedShopAccounts,
                                                                                          PlaceOrderHandler]:
    """Injected here, not as the route's ``Depends``: FastAPI runs each sync dependency in its thread
    pool, two thread hops per order only to hand over two singletons."""
    return accounts, handler


async def _signed_by(accounts: CachedShopAccounts, account_id: str, request: Request, raw: bytes) -> Company:
    """The company whose secret signed ``raw``: as cached, else read again (a secret rotated since)."""
    company = accounts.cached(account_id)
    if company is not None:
        try:
            _verify(company, request, raw)
            return company
        except BadSignature:
            pass
    company = await run_in_threadpool(accounts.company, account_id, True)
    _verify(company, request, raw)
    return company


def _verify(company: Company, request: Request, raw: bytes) -> None:
    now = time.time()  # the current secret, and the previous one until it expires (rotation)
    verify(company.webhook_secrets(datetime.fromtimestamp(now, UTC)),
           request.headers.get("x-ogust-timestamp"), request.headers.get("x-ogust-signature"), raw, now)
