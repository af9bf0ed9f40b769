"""Standard Webhooks signatures (spec v1): `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, standard library only.

Secrets look like `whsec_<base64>` (the bytes after the prefix are the key); any other text is used as UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def key_bytes(secret: str) -> bytes:
    if secret.startswith(PREFIX):
        try:
            return base64.b64decode(secret[len(PREFIX) :], validate=True)
        except (binascii.Error, ValueError):
            pass
    return secret.encode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for these exact body bytes."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, now: int) -> bool:
    """What a receiver does (docs/webhooks.md): recompute, compare in constant time, refuse stale timestamps."""
    lowered = {k.lower(): v for k, v in headers.items()}
    webhook_id, timestamp = lowered.get("webhook-id", ""), lowered.get("webhook-timestamp", "")
    if not webhook_id or not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, webhook_id, int(timestamp), body)
    offered = lowered.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)
