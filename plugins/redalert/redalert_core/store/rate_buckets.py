"""Slack's rate budgets shared by every replica on one PostgreSQL: a token bucket per key in a table.

Slack limits an app, not a connection, so replicas that each pace their own calls send together more than Slack
allows and meet 429s. With these buckets every replica takes its turns from the same budget
(slack/rate_pacing.py `RatePacer.share`). A reservation is one statement on an autocommit connection of its own,
never inside a caller's transaction (which would hold the row until it commits), and it reads the database's
clock, so replicas on hosts whose clocks disagree still agree on the budget. None on SQLite: one process is all
there is, and the pacer's own buckets suffice.
"""

from __future__ import annotations

import sqlalchemy as sa

from .database import Database

# Tokens may go negative: a queue of callers who each wait their turn, as in the pacer's own buckets.
_RESERVE = sa.text(
    """
    INSERT INTO rate_buckets AS bucket (key, tokens, stamp)
    VALUES (:key, :capacity - 1, EXTRACT(EPOCH FROM now())::float8)
    ON CONFLICT (key) DO UPDATE SET
        tokens = LEAST(:capacity, bucket.tokens + (EXTRACT(EPOCH FROM now())::float8 - bucket.stamp) * :rate) - 1,
        stamp = EXTRACT(EPOCH FROM now())::float8
    RETURNING tokens
    """
)
# A bulk caller's token: taken only when `headroom` more stay after it (nobody queued). Returns the tokens there
# were before; no row when the bucket does not exist yet.
_TAKE_IF_FREE = sa.text(
    """
    WITH current AS (
        SELECT LEAST(:capacity, tokens + (EXTRACT(EPOCH FROM now())::float8 - stamp) * :rate) AS tokens
        FROM rate_buckets WHERE key = :key FOR UPDATE
    )
    UPDATE rate_buckets AS bucket SET
        tokens = current.tokens - CASE WHEN current.tokens >= 1 + :headroom - 1e-9 THEN 1 ELSE 0 END,
        stamp = EXTRACT(EPOCH FROM now())::float8
    FROM current WHERE bucket.key = :key
    RETURNING current.tokens AS before
    """
)
_PURGE = sa.text("DELETE FROM rate_buckets WHERE stamp < EXTRACT(EPOCH FROM now())::float8 - :seconds")


class SharedRateBuckets:
    def __init__(self, db: Database) -> None:
        # A short connect timeout: while the database is unreachable the pacer falls back to its own buckets.
        engine = db.lock_engine(pool_size=4, max_overflow=16, connect_args={"connect_timeout": 2})
        if engine is None:
            raise ValueError("shared rate buckets need PostgreSQL")
        self._engine = engine

    def reserve(self, key: str, per_second: float, capacity: float) -> float:
        """Take a token from `key`'s bucket (created full); the seconds to wait before the call may go out."""
        with self._engine.connect() as connection:
            tokens = connection.execute(
                _RESERVE, {"key": key, "capacity": float(capacity), "rate": float(per_second)}
            ).scalar_one()
        return 0.0 if tokens >= 0 else -tokens / per_second

    def take_if_free(self, key: str, per_second: float, capacity: float, headroom: float) -> float:
        """A bulk caller's token (slack/rate_pacing.py Priority.BULK): 0.0 when taken, else seconds to look again."""
        params = {"key": key, "capacity": float(capacity), "rate": float(per_second), "headroom": float(headroom)}
        with self._engine.connect() as connection:
            before = connection.execute(_TAKE_IF_FREE, params).scalar()
        if before is None:  # no bucket yet: it starts full, so take from it as an urgent caller would
            return self.reserve(key, per_second, capacity)
        needed = 1.0 + headroom
        return 0.0 if before >= needed - 1e-9 else (needed - before) / per_second

    def purge(self, idle_seconds: float) -> int:
        """Forget buckets unused for `idle_seconds` (one per channel posted to accumulates otherwise)."""
        with self._engine.connect() as connection:
            return connection.execute(_PURGE, {"seconds": float(idle_seconds)}).rowcount

    def dispose(self) -> None:
        self._engine.dispose()
