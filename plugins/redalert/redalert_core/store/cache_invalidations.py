"""Identifier-cache entries one replica learnt are stale, for the other replicas to forget too.

Slack sends a rename or user_change event to one connection only; the replica that gets it records it here and
every replica reads what is new since its last look.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import cache_invalidations


class CacheInvalidations:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, kind: str, key: str | None, *, replica_id: str, at: datetime) -> None:
        with self._db.write() as connection:
            connection.execute(sa.insert(cache_invalidations).values(kind=kind, key=key, replica_id=replica_id, at=at))

    def latest_id(self) -> int:
        with self._db.read() as connection:
            return int(connection.scalar(sa.select(sa.func.max(cache_invalidations.c.id))) or 0)

    def since(self, last_id: int, *, other_than: str) -> tuple[list[tuple[str, str | None]], int]:
        """(kind, key) recorded by other replicas after `last_id`, and the newest id seen."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(cache_invalidations)
                .where(cache_invalidations.c.id > last_id)
                .order_by(cache_invalidations.c.id)
            ).all()
        newest = rows[-1].id if rows else last_id
        return [(row.kind, row.key) for row in rows if row.replica_id != other_than], newest

    def purge(self, before: datetime) -> int:
        with self._db.write() as connection:
            return connection.execute(sa.delete(cache_invalidations).where(cache_invalidations.c.at < before)).rowcount
