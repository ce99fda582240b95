"""JSON in and out the way URSSAF's API speaks it: amounts parsed as exact decimals, error entries
as JSON arrays, OAuth errors as RFC 6749 / 6750 objects."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from ogust_urssaf.errors import ApiRefusal, Erreur, OAuthRefusal

LARGEST_BODY = 1_000_000


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


class UrssafJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_plain, separators=(",", ":")).encode("utf-8")


async def json_body(request: Request) -> object:
    """The body parsed with decimals for numbers; a 400 ERREUR_VALIDATION when it is not JSON."""
    raw = await request.body()
    if len(raw) > LARGEST_BODY:
        raise ApiRefusal(413, [Erreur("ERREUR_VALIDATION", "Corps trop volumineux.")])
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=lambda _: None)
    except (ValueError, RecursionError):
        raise ApiRefusal(400, [Erreur("ERREUR_VALIDATION", "Le corps n'est pas du JSON valide.")]) from None


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiRefusal)
    async def _refused(_: Request, refusal: ApiRefusal) -> Response:
        return UrssafJSON([error.as_json() for error in refusal.errors], status_code=refusal.status)

    @app.exception_handler(OAuthRefusal)
    async def _oauth(_: Request, refusal: OAuthRefusal) -> Response:
        headers = {"WWW-Authenticate": f'Bearer error="{refusal.error}"'} if refusal.status == 401 else {}
        return UrssafJSON({"error": refusal.error, "error_description": refusal.description},
                          status_code=refusal.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> Response:
        entries = [Erreur("ERREUR_VALIDATION", f"{'.'.join(str(p) for p in e.get('loc', ()))} : {e.get('msg')}")
                   for e in error.errors()]
        return UrssafJSON([entry.as_json() for entry in entries], status_code=400)
