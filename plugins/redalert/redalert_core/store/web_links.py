"""Revoking personal links to the web report: a per-user salt that every link's signature covers.

`!incident web revoke` gives the user a new random salt, so every link (and cookie) made before it stops working,
on every replica at once. Kept in the key-value table (no schema change): one small row per user who ever revoked.
"""

from __future__ import annotations

import secrets

from .database import Database
from .kv import KeyValueStore

NAMESPACE = "redalert_web_links"


class WebLinkSalts:
    def __init__(self, db: Database) -> None:
        self._kv = KeyValueStore(db)

    def current(self, user: str) -> str:
        """The user's salt; "" until they first revoke (the links made before revocation existed stay valid)."""
        value = self._kv.get(NAMESPACE, user)
        return "" if value is None else value.decode()

    def revoke(self, user: str) -> None:
        """Every link made for `user` so far stops working."""
        self._kv.set(NAMESPACE, user, secrets.token_hex(16).encode())
