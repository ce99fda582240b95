"""What no route needs and a database cannot store, refused before any route sees it (pure ASGI).

- a path holding a control character (NUL included, raw or ``%00``), a lone surrogate, bytes that are not
  UTF-8 (``%ff``) or a segment longer than any id or signed link → ``404``: no resource has such a name;
- a query parameter holding a control character or bytes that are not UTF-8 → ``422`` naming it;
- a header holding a control character (a NUL in ``Authorization``…) → ``400``;
- a body sent as something else than JSON (``Content-Type: text/plain``, a form…) → ``415``: every body
  ogust reads is JSON (a body without ``Content-Type`` is read as JSON), but the import of a former
  software's files, which takes CSV (``text/csv``) too.

PostgreSQL refuses NUL in text, so such a value would otherwise fail deep in a query; text in JSON bodies
is checked by the request schemas (``schemas.Incoming``) with the same domain rule.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qsl

from ogust.domain.validation import has_forbidden_characters
from ogust.entrypoints.errors import TITLES

MAX_SEGMENT = 512  # an id is 36 characters, a signed document link about 200
MEDIA_TYPE = b"application/problem+json"
OTHER_MEDIA_TYPES = {"/api/imports/": (b"text/csv",)}  # the routes that read a body that is not JSON


class RequestGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, code, detail, extra = refusal
        body = json.dumps({"type": f"https://ogust.fr/problems/{code}", "title": TITLES[status], "status": status,
                           "detail": detail, "code": code, **extra}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", MEDIA_TYPE), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _refusal(scope) -> tuple[int, str, str, dict] | None:
    path = scope.get("path", "")
    if has_forbidden_characters(path, also="\t\n\r\ufffd") or any(len(part) > MAX_SEGMENT for part in path.split("/")):
        return 404, "not_found", "Ressource introuvable.", {}
    query = scope.get("query_string", b"").decode("latin-1")
    refused = sorted({_printable(name) for name, value in parse_qsl(query, keep_blank_values=True)
                      if has_forbidden_characters(name + value, also="\ufffd")})
    if refused:
        errors = [{"field": name, "message": "caractères de contrôle refusés"} for name in refused]
        return 422, "invalid_request", "; ".join(f"{e['field']} : {e['message']}" for e in errors), {
            "errors": errors}
    headers = scope.get("headers", [])
    for name, value in headers:
        if any(byte < 32 and byte != 9 or byte == 127 for byte in value):
            header = name.decode("latin-1")
            return 400, "invalid_header", f"En-tête {header} : caractères de contrôle refusés.", {}
    if scope.get("method") in ("POST", "PUT", "PATCH") and _has_body(headers):
        media_type = dict(headers).get(b"content-type")
        if media_type is not None and not _is_json(media_type) and not _other_accepted(path, media_type):
            return 415, "unsupported_media_type", "Corps attendu en JSON (Content-Type: application/json).", {}
    return None


def _has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    named = dict(headers)
    return named.get(b"content-length", b"0").strip() not in (b"0", b"") or b"transfer-encoding" in named


def _is_json(media_type: bytes) -> bool:
    kind = media_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json"))


def _other_accepted(path: str, media_type: bytes) -> bool:
    kind = media_type.split(b";", 1)[0].strip().lower()
    return any(path.startswith(prefix) and kind in kinds for prefix, kinds in OTHER_MEDIA_TYPES.items())


def _printable(name: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in name)[:100]
