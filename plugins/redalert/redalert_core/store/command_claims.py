"""Claims that one replica wins: Slack messages to run (`CommandClaims`) and outside effects to make (`SentOnce`).

Slack may deliver one message to two replicas (a redelivery after a lost ack, or to another connection), and two
replicas may both believe they lead for a moment; the primary key, not a lookup, decides which one goes ahead.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import command_claims, sent_once


class CommandClaims:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, key: str, *, replica_id: str, at: datetime) -> bool:
        """True for the one caller that claimed `key` first."""
        statement = (
            self._db.insert(command_claims)
            .values(key=key[:255], replica_id=replica_id, claimed_at=at)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(command_claims.c.key)  # a row comes back only when this insert landed
        )
        with self._db.write() as connection:
            return connection.execute(statement).first() is not None

    def purge(self, before: datetime) -> int:
        """Forget claims older than any redelivery can be (Slack retries for minutes, not days)."""
        with self._db.write() as connection:
            return connection.execute(sa.delete(command_claims).where(command_claims.c.claimed_at < before)).rowcount


class SentOnce:
    """`if store.sent_once.claim(f"digest:{week}", at=now): post_digest()` — recorded before the effect, so a crash in
    between loses it once rather than sending it twice, and of two replicas only one gets True."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, key: str, *, at: datetime) -> bool:
        statement = (
            self._db.insert(sent_once)
            .values(key=key[:255], sent_at=at)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(sent_once.c.key)
        )
        with self._db.write() as connection:
            return connection.execute(statement).first() is not None

    def purge(self, before: datetime) -> int:
        with self._db.write() as connection:
            return connection.execute(sa.delete(sent_once).where(sent_once.c.sent_at < before)).rowcount
