"""Personal links to the web report: `<user>.<expiry>.<signature>`, an HMAC-SHA256 of the user and expiry (no I/O).

The signature also covers the user's salt (store/web_links.py; "" until they first revoke): a new salt ends every
link made before it.

The secret (REDALERT_WEB_SECRET) never leaves the server; a link names who it was made for and until when it works.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LINK_LIFETIME = timedelta(hours=12)
MIN_SECRET_LENGTH = 16
_TOKEN = re.compile(r"^([UW][A-Z0-9]{2,})\.(\d{1,12})\.([0-9a-f]{64})$")


@dataclass(frozen=True)
class Access:
    user: str
    expires: datetime


def _signature(secret: str, user: str, expiry: int, salt: str = "") -> str:
    message = f"redalert-web:{user}:{expiry}" + (f":{salt}" if salt else "")  # no salt: links made before revoke
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def make_token(secret: str, user: str, now: datetime, lifetime: timedelta = LINK_LIFETIME, salt: str = "") -> str:
    expiry = int((now + lifetime).timestamp())
    return f"{user}.{expiry}.{_signature(secret, user, expiry, salt)}"


def token_user(token: str | None) -> str | None:
    """Whom a well-formed token names (not checked yet: look up their salt, then `check_token`)."""
    match = _TOKEN.match(token or "")
    return match.group(1) if match else None


def check_token(secret: str, token: str | None, now: datetime, salt: str = "") -> Access | None:
    """Who the token was made for, if it is well-formed, signed with `secret` and `salt`, and not expired; else None."""
    match = _TOKEN.match(token or "")
    if not match or not secret:
        return None
    user, expiry_text, signature = match.groups()
    expiry = int(expiry_text)
    if not hmac.compare_digest(signature, _signature(secret, user, expiry, salt)):
        return None
    expires = datetime.fromtimestamp(expiry, UTC)
    return Access(user, expires) if now < expires else None
