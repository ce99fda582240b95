"""RFC 9457 problem+json responses."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ogust.entrypoints.api.schemas import EXPECTED_FORMATS
from ogust.entrypoints.errors import TITLES, describe

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


def problem(status: int, code: str, detail: str, instance: str | None = None, **extra: Any) -> JSONResponse:
    body = {"type": f"https://ogust.fr/problems/{code}", "title": TITLES.get(status, "Erreur"), "status": status,
            "detail": detail, "code": code, **extra}
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


async def known_error(request: Request, error: Exception) -> JSONResponse:
    status, code, message, details = describe(error)
    return problem(status, code, message, request.url.path, details=_jsonable(details))


def french_message(error: dict[str, Any]) -> str:
    """A pydantic error, said in French for the operator (falls back to pydantic's text)."""
    context = error.get("ctx") or {}
    kind = error.get("type", "")
    messages = {
        "missing": "champ obligatoire",
        "extra_forbidden": "champ inconnu",
        "json_invalid": "JSON illisible",
        "string_pattern_mismatch": EXPECTED_FORMATS.get(str(context.get("pattern")), "format invalide"),
        "string_too_short": "ne peut pas être vide" if context.get("min_length") == 1 else "trop court" + (
            f" (au moins {context.get('min_length')} caractères)" if "min_length" in context else ""),
        "string_too_long": f"trop long (au plus {context.get('max_length')} caractères)",
        "too_short": f"au moins {context.get('min_length')} élément(s)",
        "too_long": f"au plus {context.get('max_length')} élément(s)",
        "greater_than": f"doit être supérieur à {context.get('gt')}",
        "greater_than_equal": f"doit être supérieur ou égal à {context.get('ge')}",
        "less_than": f"doit être inférieur à {context.get('lt')}",
        "less_than_equal": f"doit être inférieur ou égal à {context.get('le')}",
        "int_parsing": "nombre entier attendu",
        "int_type": "nombre entier attendu",
        "int_from_float": "nombre entier attendu (montants en centimes)",
        "bool_parsing": "booléen attendu (true ou false)",
        "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
        "date_parsing": "date attendue (AAAA-MM-JJ)",
        "datetime_from_date_parsing": "date et heure attendues (ISO 8601 avec fuseau)",
        "datetime_parsing": "date et heure attendues (ISO 8601 avec fuseau)",
        "literal_error": f"valeur attendue parmi {context.get('expected')}",
        "enum": f"valeur attendue parmi {context.get('expected')}",
        "string_type": "texte attendu",
        "list_type": "liste attendue",
        "model_type": "objet attendu",
        "dict_type": "objet attendu",
        "json_type": "JSON attendu",
        "bool_type": "booléen attendu (true ou false)",
        "date_type": "date attendue (AAAA-MM-JJ)",
        "datetime_type": "date et heure attendues (ISO 8601 avec fuseau)",
        "date_from_datetime_inexact": "date attendue (AAAA-MM-JJ), sans heure",
        "timezone_aware": "la date et l'heure doivent porter un fuseau horaire (ex. +01:00)",
        "int_parsing_size": "nombre trop grand",
        "float_parsing": "nombre attendu",
        "string_unicode": "texte UTF-8 attendu",
        "string_sub_type": "texte attendu",
        "union_tag_invalid": "valeur attendue parmi les choix possibles",
        "value_error": "valeur invalide",
        "assertion_error": "valeur invalide",
        "uuid_parsing": "identifiant invalide",
        "url_parsing": "adresse web invalide",
        "frozen_set_type": "liste attendue",
        "set_type": "liste attendue",
        "tuple_type": "liste attendue",
        "none_required": "valeur nulle attendue",
    }
    if kind == "value_error" and "valid email address" in str(error.get("msg", "")):
        return "adresse email invalide (ex. jean.dupont@example.fr)"
    if kind == "value_error":
        return str(context.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    return messages.get(kind, error.get("msg", "valeur invalide"))


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "corps",
             "message": french_message(e)} for e in errors]


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = field_errors(error.errors())
    detail = "; ".join(f"{e['field']} : {e['message']}" for e in errors) or "requête invalide"
    return problem(422, "invalid_request", detail, request.url.path, errors=errors)


async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}.get(
        error.status_code, "http_error")
    detail = {404: "Ressource introuvable.", 405: "Méthode non permise sur cette adresse."}.get(
        error.status_code, str(error.detail))
    if error.status_code == 400 and str(error.detail) == "There was an error parsing the body":
        code, detail = "unreadable_body", "Corps de requête illisible (JSON en UTF-8 attendu)."
    response = problem(error.status_code, code, detail, request.url.path)
    for name, value in (getattr(error, "headers", None) or {}).items():
        response.headers[name] = value
    if error.status_code == 405:  # every method of the path, not only those of the route that matched first
        from ogust.entrypoints.api.openapi import allowed_methods
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            response.headers["Allow"] = ", ".join(methods)
    return response


async def value_refused_by_database(request: Request, error: Exception) -> JSONResponse:
    """The last net under the request schemas and the request guard: a value the database cannot hold
    (sqlalchemy's ``DataError``: a NUL in a text on PostgreSQL, a number out of a column's range) is the
    caller's, a 422 — never a 500. Logged, since a check above should have said it better."""
    log.warning("valeur refusée par la base de données sur %s %s : %s", request.method, request.url.path,
                str(getattr(error, "orig", error))[:200])
    return problem(422, "invalid_value", "Valeur refusée : caractères ou nombre que la base ne peut pas enregistrer.",
                   request.url.path)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
