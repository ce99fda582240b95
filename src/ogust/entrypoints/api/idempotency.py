"""``Idempotency-Key`` on the API's POSTs: the same key with the same request gives back the stored
answer (status and body) without running the use case again; the same key with another request is
refused (422). Keys are per company (the company of the bearer key). Only successful answers (2xx)
are kept: after a refusal or a failure the key can be used again.

The signed webhooks have their own idempotency (the shop's order id, Stripe's event id) and are left alone.
"""
from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ogust.entrypoints.api.problems import problem

HEADER = "idempotency-key"
EXEMPT = frozenset({"/api/shop/orders", "/api/stripe/webhook"})
MAX_KEY_LENGTH = 255
ANONYMOUS = "-"  # requests without a valid bearer key: not kept (the route answers 401, or creates the first company)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, container) -> None:
        self.app = app
        self.container = container

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/api/") \
                or scope["path"] in EXEMPT:
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None:
            return await self.app(scope, receive, send)
        path = scope["path"]
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return await problem(400, "invalid_idempotency_key",
                                 f"Idempotency-Key : de 1 à {MAX_KEY_LENGTH} caractères ASCII imprimables.",
                                 path)(scope, receive, send)
        body = await _read_body(receive)
        owner = await self._owner(headers)
        digest = hashlib.sha256(b"\n".join([scope["method"].encode(), path.encode(), scope.get("query_string", b""),
                                            body])).hexdigest()
        if owner == ANONYMOUS:  # no company to keep it for (and a bootstrap answer holds a key): no replay
            return await self.app(scope, _replaying(body, receive), send)
        store = self.container.idempotency()
        stored = await run_in_threadpool(store.reserve, owner, key, digest)
        if stored is not None:
            if stored.request_hash != digest:
                response = problem(422, "idempotency_key_reused",
                                   "Cette Idempotency-Key a déjà servi pour une autre requête.", path)
            elif stored.status_code is None:
                response = problem(409, "idempotency_key_in_use",
                                   "Une requête avec cette Idempotency-Key est en cours ; réessayez.", path)
            else:
                response = Response(stored.body or "", status_code=stored.status_code,
                                    media_type=stored.content_type, headers={"Idempotent-Replayed": "true"})
            return await response(scope, receive, send)

        captured: dict = {"status": 500, "content_type": None, "chunks": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["content_type"] = Headers(raw=message.get("headers", [])).get("content-type")
            elif message["type"] == "http.response.body":
                captured["chunks"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, _replaying(body, receive), capture)
        except BaseException:
            await run_in_threadpool(store.release, owner, key)
            raise
        status = captured["status"]
        try:
            text = b"".join(captured["chunks"]).decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if 200 <= status < 300 and text is not None:
            await run_in_threadpool(store.complete, owner, key, status, captured["content_type"] or "", text)
        else:
            await run_in_threadpool(store.release, owner, key)

    async def _owner(self, headers: Headers) -> str:
        """The company of the bearer key, when there is a valid one (the route checks it anyway)."""
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return ANONYMOUS
        caller = await run_in_threadpool(self.container.api_keys().authenticate, token.strip())
        return caller.company_id if caller else ANONYMOUS


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
