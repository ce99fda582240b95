"""The shop side of the contract, called by ogust (docs/shop-contract.openapi.yaml)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import TypeAdapter, ValidationError

from ogust_shop.auth import authorized_account, store_of
from ogust_shop.problems import Problem, invalid
from ogust_shop.schemas import ClientIn, DocumentIn, IntervenantIn
from ogust_shop.store import ClientMismatch, Record

BULK_LIMIT = 500
router = APIRouter(prefix="/api/accounts/{account_id}")
Account = Annotated[Record, Depends(authorized_account)]


@router.get("")
def get_account(account: Account) -> dict[str, str]:
    return {"id": account["id"], "name": account["name"]}


@router.get("/services")
def list_services(account: Account) -> list[dict[str, Any]]:
    return account["services"]


@router.put("/intervenants/{intervenant_id}")
def put_intervenant(intervenant_id: str, body: IntervenantIn, account: Account, request: Request) -> dict:
    _check_intervenant(account, body, intervenant_id)
    store_of(request).put_intervenant(account["id"], body.model_dump())
    return {"id": intervenant_id, "status": "ok"}


@router.put("/clients/{client_id}")
def put_client(client_id: str, body: ClientIn, account: Account, request: Request) -> dict:
    _check_same_id(client_id, body.id)
    return {"shop_client_id": store_of(request).put_client(account["id"], body.model_dump())}


@router.delete("/clients/{client_id}", status_code=204)
def erase_client(client_id: str, account: Account, request: Request,
                 shop_client_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None) -> Response:
    """GDPR erasure of the customer (see Store.erase_client); 204 also when unknown or already erased."""
    try:
        store_of(request).erase_client(account["id"], client_id, shop_client_id)
    except ClientMismatch as mismatch:
        raise Problem(409, "client_mismatch",
                      f"Le client boutique {mismatch.shop_client_id} est lié à un autre client ogust "
                      f"({mismatch.other_ogust_id}) : rien n'a été effacé.") from mismatch
    return Response(status_code=204)


@router.put("/clients/{shop_client_id}/documents/{document_id}")
def put_document(shop_client_id: str, document_id: str, body: DocumentIn, account: Account,
                 request: Request) -> dict:
    store = store_of(request)
    if store.client(account["id"], shop_client_id) is None:
        raise Problem(404, "client_not_found", f"Le client boutique {shop_client_id} n'existe pas.")
    store.put_document(account["id"], shop_client_id, {"id": document_id, **body.model_dump(mode="json")})
    return {"id": document_id, "status": "ok"}


@router.post("/intervenants:bulk")
def bulk_intervenants(account: Account, request: Request, records: list[Any] = Body()) -> dict:
    def upsert(body: IntervenantIn) -> dict:
        _check_intervenant(account, body, body.id)
        store_of(request).put_intervenant(account["id"], body.model_dump())
        return {}

    return _bulk(records, IntervenantIn, upsert)


@router.post("/clients:bulk")
def bulk_clients(account: Account, request: Request, records: list[Any] = Body()) -> dict:
    def upsert(body: ClientIn) -> dict:
        return {"shop_client_id": store_of(request).put_client(account["id"], body.model_dump())}

    return _bulk(records, ClientIn, upsert)


def _bulk(records: list[Any], model: type, upsert) -> dict:
    """Each record is validated and stored on its own: one bad record does not sink the batch."""
    if len(records) > BULK_LIMIT:
        raise Problem(422, "batch_too_large", f"Au plus {BULK_LIMIT} fiches par envoi ({len(records)} reçues).")
    adapter = TypeAdapter(model)
    results = []
    for index, record in enumerate(records):
        record_id = record.get("id") if isinstance(record, dict) else None
        try:
            results.append({"id": record_id, "index": index, "status": "ok", **upsert(adapter.validate_python(record))})
        except ValidationError as error:
            results.append(_rejected(record_id, invalid(list(error.errors())), index))
        except Problem as problem:
            results.append(_rejected(record_id, problem, index))
    return {"results": results}


def _rejected(record_id: object, problem: Problem, index: int) -> dict:
    return {"id": record_id, "index": index, "status": "rejected",
            "error": {"code": problem.code, "detail": problem.detail, "errors": problem.errors}}


def _check_same_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise Problem(422, "id_mismatch", f"L'identifiant de l'URL ({path_id}) diffère de celui du corps ({body_id}).")


def _check_intervenant(account: Record, body: IntervenantIn, path_id: str) -> None:
    _check_same_id(path_id, body.id)
    offered = {service["id"] for service in account["services"]}
    unknown = sorted(set(body.services) - offered)
    if unknown:
        raise Problem(422, "unknown_service", f"Services inconnus de la boutique : {', '.join(unknown)}.",
                      [{"field": "services", "message": f"inconnu : {service_id}"} for service_id in unknown])
