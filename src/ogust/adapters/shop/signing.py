"""Signature of the shop's order webhook: HMAC-SHA256 over ``f"{timestamp}." + raw_body``.

Headers: ``X-Ogust-Timestamp: <unix seconds>`` and ``X-Ogust-Signature: sha256=<hex>``.
Several secrets may be valid at once, so that a secret can be rotated without downtime.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime

PREFIX = "sha256="
TOLERANCE_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class BadSignature(Exception):
    """The webhook cannot be trusted (bad or missing signature, stale or future timestamp): 401."""


def sign(secret: str, timestamp: int | str, raw_body: bytes) -> str:
    """The ``X-Ogust-Signature`` header value for this body sent at ``timestamp``."""
    return PREFIX + _digest(secret, str(timestamp), raw_body)


def verify(
    secrets: Iterable[str],
    timestamp_header: str | None,
    signature_header: str | None,
    raw_body: bytes,
    now: datetime | float,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Raise BadSignature unless one of ``secrets`` signed ``raw_body`` within ``tolerance`` seconds of ``now``."""
    timestamp = _checked_timestamp(timestamp_header, now, tolerance)
    received = _received_digest(signature_header)
    usable = [secret for secret in secrets if secret]
    if not usable:
        raise BadSignature("aucun secret de signature configuré")
    matches = [hmac.compare_digest(_digest(secret, timestamp, raw_body), received) for secret in usable]
    if not any(matches):
        raise BadSignature("la signature ne correspond pas")


def _digest(secret: str, timestamp: str, raw_body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + raw_body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _checked_timestamp(header: str | None, now: datetime | float, tolerance: int) -> str:
    if header is None or not _TIMESTAMP.fullmatch(header):
        raise BadSignature("X-Ogust-Timestamp absent ou illisible")
    now_seconds = now.timestamp() if isinstance(now, datetime) else float(now)
    age = now_seconds - int(header)
    if age > tolerance:
        raise BadSignature(f"horodatage périmé (il y a {int(age)} s)")
    if age < -tolerance:
        raise BadSignature(f"horodatage dans le futur ({int(-age)} s d'avance)")
    return header


def _received_digest(header: str | None) -> str:
    if header is None or not header.startswith(PREFIX):
        raise BadSignature("X-Ogust-Signature absent ou illisible")
    received = header[len(PREFIX):].strip().lower()
    if not _HEX_DIGEST.fullmatch(received):
        raise BadSignature("X-Ogust-Signature illisible")
    return received
