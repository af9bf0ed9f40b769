"""Standard Webhooks 1.0 rules for outgoing webhooks: the secret's form, the delivery timeout, endpoint names.

- A secret is `whsec_` + the standard base64 (with `=` padding) of 24 to 64 random bytes, as the spec and its
  reference libraries expect; anything else is refused with the reason, never with the value.
- The spec recommends a delivery timeout of 15 to 30 s (WEBHOOK_TIMEOUT_SECONDS, default 15).
- A `410 Gone` answer disables the endpoint until an admin enables it again; it is known by its `name`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"  # noqa: S105 (the spec's prefix, not a secret)
MIN_KEY_BYTES, MAX_KEY_BYTES = 24, 64
DEFAULT_TIMEOUT_SECONDS = 15
MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS = 15, 30
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,59}\Z")
GENERATE = "python -c \"import base64,os; print('whsec_' + base64.b64encode(os.urandom(32)).decode())\""


def secret_problem(secret: str) -> str | None:
    """Why `secret` is not a Standard Webhooks secret (None when it is). Never quotes the secret."""
    if not secret.startswith(SECRET_PREFIX):
        return f"it must start with {SECRET_PREFIX}"
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return f"the part after {SECRET_PREFIX} must be standard base64 (A-Z, a-z, 0-9, +, /, with = padding)"
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        return f"it must encode {MIN_KEY_BYTES} to {MAX_KEY_BYTES} random bytes, not {len(key)}"
    return None


def secret_key(secret: str) -> bytes:
    """The HMAC key of a valid secret; ValueError with the reason for anything else."""
    problem = secret_problem(secret)
    if problem is not None:
        raise ValueError(f"the webhook secret is not valid: {problem}")
    return base64.b64decode(secret[len(SECRET_PREFIX) :])


def endpoint_key(url: str) -> str:
    """What the endpoint's state (enabled or not) is stored under: the URL, which may hold a token, hashed."""
    return hashlib.sha256(url.encode()).hexdigest()


def default_name(url: str, taken: set[str]) -> str:
    """host[:port] of the URL (no user info, no path: either may hold a token), made unique with -2, -3, …"""
    parts = urlsplit(url)
    base = (parts.hostname or "webhook") + (f":{parts.port}" if parts.port else "")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def timeout_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "WEBHOOK_TIMEOUT_SECONDS must be a number of seconds."
    if not MIN_TIMEOUT_SECONDS <= value <= MAX_TIMEOUT_SECONDS:
        return (
            f"WEBHOOK_TIMEOUT_SECONDS must be from {MIN_TIMEOUT_SECONDS} to {MAX_TIMEOUT_SECONDS} seconds, "
            "as the Standard Webhooks spec recommends."
        )
    return None
