"""Commands claimed by a replica: the first insert of a Slack message's key wins, every other attempt loses.

Slack may deliver one message to two replicas (a redelivery after a lost ack, or to another connection); the
primary key, not a lookup, decides which one runs it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import command_claims


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
