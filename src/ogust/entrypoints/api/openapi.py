"""The OpenAPI document, telling the truth about what the app answers beyond each route's own words:

- the answers of the app's edge, for every operation they can reach: ``400`` (a header with a control
  character), ``422`` (a parameter or body refused), ``413`` and ``415`` (a body too big, or not JSON),
  and ``404`` where a path names a resource — all ``application/problem+json``;
- every error answer declared without a body gets the problem+json one (what the app sends);
- the order webhook reads its raw body (it checks the signature first): its schema, OrderIn and the
  models it nests, is registered in ``components/schemas`` so that its references resolve.

Also ``allowed_methods``: the methods of a path, for the ``Allow`` header of a 405.
"""
from __future__ import annotations

import re
from functools import lru_cache

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from ogust.entrypoints.api.schemas import OrderIn

REF_TEMPLATE = "#/components/schemas/{model}"
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
EDGE_ANSWERS = {
    400: "En-tête ou corps illisible (caractères de contrôle, JSON invalide)",
    404: "Introuvable (ou identifiant impossible dans l'adresse)",
    413: "Corps de requête trop volumineux",
    415: "Corps attendu en JSON (Content-Type: application/json)",
    422: "Données refusées : ce qui ne va pas, champ par champ",
}
BODY_METHODS = frozenset({"post", "put", "patch"})


def order_schema() -> tuple[dict, dict]:
    """(the webhook's body schema, the models it refers to) with references into components/schemas."""
    schema = OrderIn.model_json_schema(ref_template=REF_TEMPLATE)
    nested = schema.pop("$defs", {})
    return schema, nested


def document(app: FastAPI) -> dict:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        order, nested = order_schema()
        for name, model in {**nested, "OrderIn": order}.items():
            components.setdefault(name, model)  # AddressIn is the clients' own already
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                _declare_edge_answers(path, method, operation)
        app.openapi_schema = schema
    return app.openapi_schema


def _declare_edge_answers(path: str, method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    takes_body = method in BODY_METHODS
    statuses = {400}
    if takes_body:
        statuses |= {413, 415, 422}
    if any(p.get("in") == "query" for p in parameters):
        statuses.add(422)
    if "{" in path:
        statuses |= {404, 422}
    for status in sorted(statuses):
        responses.setdefault(str(status), {"description": EDGE_ANSWERS[status]})
    for status, response in responses.items():
        if status[0] in "45":  # an error is problem+json, whatever else a route's declaration added
            content = response.get("content") or {}
            content.pop("application/json", None)
            response["content"] = content or dict(PROBLEM_CONTENT)


@lru_cache(maxsize=8)
def _templates(paths: tuple[str, ...]) -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), path)
                 for path in paths)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the document gives the path (``HEAD`` with ``GET``), for ``Allow``."""
    paths = document(app)["paths"]
    methods: set[str] = set()
    for pattern, template in _templates(tuple(paths)):
        if pattern.match(path):
            methods |= {m.upper() for m in paths[template]}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
