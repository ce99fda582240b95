"""Sending an online order to ogust: raw JSON body, timestamp and HMAC-SHA256 signature headers.

The signature is computed here independently of ogust's code, as any shop would, so that the
integration tests check the contract rather than one implementation against itself.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Delivery:
    status: int
    body: object


class WebhookUnreachable(Exception):
    """ogust's webhook did not answer."""


def signature(secret: str, timestamp: int, raw_body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + raw_body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def deliver(url: str, secret: str, order: dict, timestamp: int | None = None, timeout: float = 15.0,
            transport: httpx.BaseTransport | None = None) -> Delivery:
    raw_body = json.dumps(order, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "X-Ogust-Timestamp": str(timestamp),
        "X-Ogust-Signature": signature(secret, timestamp, raw_body),
        "X-Ogust-Account": str(order["account_id"]),  # ogust checks the signature before reading the body
    }
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.post(url, content=raw_body, headers=headers)
    except httpx.TransportError as error:
        raise WebhookUnreachable(f"{type(error).__name__}: {error}") from error
    try:
        body: object = response.json()
    except ValueError:
        body = response.text
    return Delivery(response.status_code, body)
