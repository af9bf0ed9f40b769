"""Standard Webhooks signatures (spec v1): `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, standard library only.

Secrets are `whsec_<base64 of 24-64 random bytes>` and the key is the decoded part (domain/webhook_rules.py); any
other value is refused (ValueError), as the spec's reference libraries refuse it: what they could not verify is
never signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ...domain.webhook_rules import secret_key

TOLERANCE_SECONDS = 5 * 60


def key_bytes(secret: str) -> bytes:
    return secret_key(secret)


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
