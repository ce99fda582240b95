"""RFC 9457 problem+json responses."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ogust.entrypoints.errors import TITLES, describe

MEDIA_TYPE = "application/problem+json"


def problem(status: int, code: str, detail: str, instance: str | None = None, **extra: Any) -> JSONResponse:
    body = {"type": f"https://ogust.fr/problems/{code}", "title": TITLES.get(status, "Erreur"), "status": status,
            "detail": detail, "code": code, **extra}
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


async def known_error(request: Request, error: Exception) -> JSONResponse:
    status, code, message, details = describe(error)
    return problem(status, code, message, request.url.path, details=_jsonable(details))


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "")}
              for e in error.errors()]
    detail = "; ".join(f"{e['field']} : {e['message']}" for e in errors) or "requête invalide"
    return problem(422, "invalid_request", detail, request.url.path, errors=errors)


async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(error.status_code, "http_error")
    return problem(error.status_code, code, str(error.detail), request.url.path)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
