"""A limit on request bodies: a bigger one is refused with 413 problem+json before any route reads it.

Pure ASGI, so it also covers the routes that read the raw body (signed webhooks). Register it with
``app.add_middleware(BodySizeLimit, max_bytes=...)``. A declared ``Content-Length`` over the limit is
refused at once; a body sent without one (chunked) is read here up to the limit, refused as soon as
it goes over, and handed over whole otherwise."""
from __future__ import annotations

import json

from ogust.entrypoints.errors import TITLES

DEFAULT_MAX_BYTES = 1024 * 1024  # 1 Mio: an order of 100 items or an invoice of 500 lines is far smaller
MEDIA_TYPE = b"application/problem+json"


def _problem(path: str, max_bytes: int) -> bytes:
    return json.dumps({
        "type": "https://ogust.fr/problems/payload_too_large", "title": TITLES[413], "status": 413,
        "detail": f"Corps de requête trop volumineux (au plus {max_bytes} octets).",
        "code": "payload_too_large", "instance": path, "max_bytes": max_bytes,
    }, ensure_ascii=False).encode()


class BodySizeLimit:
    def __init__(self, app, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False  # the server refuses a malformed Content-Length itself
            if too_large:
                await self._refuse(scope, send)
                return

            await self.app(scope, receive, send)
            return
        # no Content-Length (chunked): read the body here, up to the limit, then hand it over
        messages, received = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(scope, send)
                return
            if not message.get("more_body", False):
                break

        async def replay():
            if messages:
                return messages.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope, send) -> None:
        body = _problem(scope.get("path", ""), self.max_bytes)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", MEDIA_TYPE), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
