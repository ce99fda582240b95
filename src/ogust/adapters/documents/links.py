"""Signed, expiring download links. The token names a document, never a person."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass


class BadLink(Exception):
    """Tampered, expired or unknown link: the API answers 404."""


@dataclass(frozen=True)
class LinkTarget:
    company_id: str
    kind: str  # "invoice" | "attestation" | "pay"
    document_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SignedDocumentLinks:
    def __init__(self, base_url: str, secret: str, ttl_seconds: int = 90 * 24 * 3600, now=time.time) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret.encode()
        self.ttl = ttl_seconds
        self._now = now

    def token(self, target: LinkTarget) -> str:
        body = json.dumps([target.company_id, target.kind, target.document_id, int(self._now()) + self.ttl],
                          separators=(",", ":")).encode()
        signature = hmac.new(self.secret, body, hashlib.sha256).digest()[:20]
        return f"{_b64(body)}.{_b64(signature)}"

    def read(self, token: str) -> LinkTarget:
        try:
            body_text, signature_text = token.split(".", 1)
            body, signature = _unb64(body_text), _unb64(signature_text)
        except (ValueError, TypeError) as error:
            raise BadLink("lien illisible") from error
        expected = hmac.new(self.secret, body, hashlib.sha256).digest()[:20]
        if not hmac.compare_digest(signature, expected):
            raise BadLink("signature invalide")
        company_id, kind, document_id, expires = json.loads(body)
        if expires < self._now():
            raise BadLink("lien expiré")
        return LinkTarget(company_id, kind, document_id)

    def download_url(self, company_id: str, kind: str, document_id: str) -> str:
        return f"{self.base_url}/documents/{self.token(LinkTarget(company_id, kind, document_id))}"

    def payment_url(self, company_id: str, invoice_id: str) -> str:
        return f"{self.base_url}/pay/{self.token(LinkTarget(company_id, 'pay', invoice_id))}"
