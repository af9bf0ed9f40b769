"""Slack interactions already handled (buttons, modal submissions): claimed once by key."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from .database import Database
from .tables import processed_interactions


class InteractionLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, key: str, at: datetime, *, stale_after: timedelta | None = None) -> bool:
        """True for the first claim of `key`; False when it was claimed before (a double click, a redelivery).

        With `stale_after`, a claim older than that no longer counts and is taken over. The primary key (and the
        conditional update) decide, so two envelopes handled at the same moment cannot both win.
        """
        key = key[:255]
        table = processed_interactions
        # RETURNING, not rowcount: a row comes back only if it was written (rowcount is not reliable on every driver).
        statement = (
            self._db.insert(table)
            .values(key=key, at=at)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(table.c.key)
        )
        with self._db.write() as connection:
            if connection.execute(statement).first() is not None:
                return True
            if stale_after is None:
                return False
            renewed = connection.execute(
                sa.update(table)
                .where(table.c.key == key, table.c.at < at - stale_after)
                .values(at=at)
                .returning(table.c.key)
            )
            return renewed.first() is not None

    def release(self, key: str) -> None:
        """Forget a claim whose work was refused before anything changed, so that a corrected retry can run."""
        with self._db.write() as connection:
            connection.execute(sa.delete(processed_interactions).where(processed_interactions.c.key == key[:255]))

    def purge(self, before: datetime) -> int:
        """Drop claims older than `before` (a redelivery or double click comes within seconds)."""
        table = processed_interactions
        with self._db.write() as connection:
            return len(connection.execute(sa.delete(table).where(table.c.at < before).returning(table.c.key)).all())
