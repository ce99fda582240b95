"""The order webhook's signature: HMAC-SHA256 over "{timestamp}." + raw body, ±300 s, rotation."""
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from ogust.adapters.shop.signing import BadSignature, sign, verify

BODY = b'{"order_id":"ord_1","items":[{"unit_price_ttc_cents":2750}]}'
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
TIMESTAMP = str(int(NOW.timestamp()))


def test_a_body_signed_with_the_secret_is_accepted():
    verify(["s3cret"], TIMESTAMP, sign("s3cret", TIMESTAMP, BODY), BODY, now=NOW)


def test_the_signature_is_the_hex_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(b"s3cret", b"1774000800.{}", hashlib.sha256).hexdigest()
    assert sign("s3cret", 1774000800, b"{}") == f"sha256={expected}"
    assert sign("s3cret", 1774000800, b"{}") != sign("s3cret", 1774000801, b"{}")


def test_a_tampered_body_is_refused():
    signature = sign("s3cret", TIMESTAMP, BODY)
    with pytest.raises(BadSignature, match="ne correspond pas"):
        verify(["s3cret"], TIMESTAMP, signature, BODY.replace(b"2750", b"2500"), now=NOW)


def test_a_tampered_timestamp_is_refused():
    signature = sign("s3cret", TIMESTAMP, BODY)
    with pytest.raises(BadSignature):
        verify(["s3cret"], str(int(TIMESTAMP) + 1), signature, BODY, now=NOW)


def test_another_secret_is_refused():
    with pytest.raises(BadSignature, match="ne correspond pas"):
        verify(["s3cret"], TIMESTAMP, sign("other", TIMESTAMP, BODY), BODY, now=NOW)


def test_during_a_rotation_both_the_old_and_the_new_secret_are_accepted():
    for secret in ("old-secret", "new-secret"):
        verify(["new-secret", "old-secret"], TIMESTAMP, sign(secret, TIMESTAMP, BODY), BODY, now=NOW)
    with pytest.raises(BadSignature):
        verify(["new-secret"], TIMESTAMP, sign("old-secret", TIMESTAMP, BODY), BODY, now=NOW)


@pytest.mark.parametrize("offset, accepted", [(-300, True), (300, True), (-301, False), (301, False)])
def test_the_timestamp_must_be_within_300_seconds_of_now(offset, accepted):
    timestamp = str(int(TIMESTAMP) + offset)
    signature = sign("s3cret", timestamp, BODY)
    if accepted:
        verify(["s3cret"], timestamp, signature, BODY, now=NOW)
    else:
        with pytest.raises(BadSignature, match="périmé" if offset < 0 else "futur"):
            verify(["s3cret"], timestamp, signature, BODY, now=NOW)


def test_now_may_be_given_as_unix_seconds_and_the_tolerance_changed():
    signature = sign("s3cret", TIMESTAMP, BODY)
    verify(["s3cret"], TIMESTAMP, signature, BODY, now=NOW.timestamp() + 50, tolerance=60)
    with pytest.raises(BadSignature, match="périmé"):
        verify(["s3cret"], TIMESTAMP, signature, BODY, now=NOW.timestamp() + 61, tolerance=60)


@pytest.mark.parametrize("timestamp, signature", [
    (None, "sha256=" + "0" * 64),
    ("", "sha256=" + "0" * 64),
    ("12e3", "sha256=" + "0" * 64),
    (TIMESTAMP, None),
    (TIMESTAMP, "0" * 64),
    (TIMESTAMP, "sha256=xyz"),
    (TIMESTAMP, "sha1=" + "0" * 40),
])
def test_missing_or_malformed_headers_are_refused(timestamp, signature):
    with pytest.raises(BadSignature, match="absent|illisible"):
        verify(["s3cret"], timestamp, signature, BODY, now=NOW)


def test_no_configured_secret_refuses_everything():
    with pytest.raises(BadSignature, match="aucun secret"):
        verify(["", ""], TIMESTAMP, sign("", TIMESTAMP, BODY), BODY, now=NOW)


def test_the_signature_header_is_compared_case_insensitively():
    signature = sign("s3cret", TIMESTAMP, BODY)
    verify(["s3cret"], TIMESTAMP, "sha256=" + signature.removeprefix("sha256=").upper(), BODY, now=NOW)
