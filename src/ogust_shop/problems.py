"""Errors as RFC 9457 problem+json: ``{type, title, status, detail, code, errors?}``."""
from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """Raised by the routes; ``detail`` is shown as is to the ogust operator, hence in French."""

    def __init__(self, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {
            "type": "about:blank",
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, media_type=MEDIA_TYPE)


def field_errors(errors: list[dict]) -> list[dict[str, str]]:
    """Pydantic errors as ``[{field, message}]``, the field as a dotted path inside the body."""
    found = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        found.append({"field": ".".join(location), "message": error.get("msg", "invalide")})
    return found


def invalid(errors: list[dict]) -> Problem:
    listed = field_errors(errors)
    summary = "; ".join(f"{error['field'] or 'corps'} : {error['message']}" for error in listed)
    return Problem(422, "invalid_request", f"Données refusées par la boutique — {summary}", listed)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, problem: Problem) -> JSONResponse:
        return problem.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return invalid(list(error.errors())).response()

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        code = HTTPStatus(error.status_code).phrase.lower().replace(" ", "_")
        return Problem(error.status_code, code, str(error.detail)).response()
