"""Standard Webhooks signatures (spec v1): `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, standard library only.

Secrets look like `whsec_<base64>`: the key is the base64-decoded part. As in the spec's reference library
(`standardwebhooks`), the prefix is optional and the base64 is read leniently, so a receiver using that library
verifies what we sign with any secret it accepts; a secret that is not base64 at all is used as UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


def key_bytes(secret: str) -> bytes:
    encoded = secret.removeprefix(PREFIX)
    try:
        # Padding added as the reference library does: b64decode ignores any surplus.
        key = base64.b64decode(encoded + "==")
    except (binascii.Error, ValueError):
        key = b""
    return key or secret.encode()


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
