"""Locks that hold across processes: named locks for work that spans Slack calls, and the leadership lock.

On PostgreSQL both are session-level advisory locks on connections of their own: they are released when the
holder lets go or when its connection ends (a killed process, a lost network), never left behind. Keys are
scoped to the current schema, so separate RedAlert installations (or test schemas) in one database never meet.
On SQLite a single process is enforced at start (single_process.py), so an in-process lock is all it takes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import sqlalchemy as sa

from .database import Database

log = logging.getLogger(__name__)

# A holder stuck for longer than this is a bug; waiting forever would spread it to every replica.
LOCK_TIMEOUT_MS = 300_000
_KEY = "hashtext('redalert:' || current_schema() || ':' || :key)"
_LOCK = sa.text(f"SELECT pg_advisory_lock({_KEY})")
_UNLOCK = sa.text(f"SELECT pg_advisory_unlock({_KEY})")
_TRY_LOCK = sa.text(f"SELECT pg_try_advisory_lock({_KEY})")
# TCP keepalives: a leader whose host vanished loses its lock once PostgreSQL notices, within about 25 s.
_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 25_000,
    "connect_timeout": 5,
}


def _set_lock_timeout(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}")


class NamedLocks:
    """`with locks.hold("incident:12"): ...` — one holder at a time in this process and across processes."""

    def __init__(self, db: Database) -> None:
        # No "options" here: they would replace the search_path that the URL or the schema sets.
        self._engine = db.lock_engine(pool_size=4, max_overflow=60, connect_args=_KEEPALIVES)
        if self._engine is not None:
            sa.event.listen(self._engine, "connect", _set_lock_timeout)
        self._local: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._mine = threading.local()  # keys this thread holds: holding one again nests instead of deadlocking

    def _local_lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._local.setdefault(key, threading.Lock())

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        held: set[str] = self._mine.__dict__.setdefault("keys", set())
        if key in held:
            yield
            return
        # The in-process lock first: threads of one process queue here, not on database connections.
        with self._local_lock(key):
            held.add(key)
            try:
                if self._engine is None:
                    yield
                    return
                with self._engine.connect() as connection:
                    connection.execute(_LOCK, {"key": key})
                    try:
                        yield
                    finally:
                        try:
                            connection.execute(_UNLOCK, {"key": key})
                        except sa.exc.DBAPIError:
                            connection.invalidate()  # closing the session releases the lock
            finally:
                held.discard(key)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


class LeaderLock:
    """The leadership lock on one dedicated connection; on SQLite the single process always holds it."""

    KEY = "leader"

    def __init__(self, db: Database) -> None:
        self._engine = db.lock_engine(poolclass=sa.pool.NullPool, connect_args=_KEEPALIVES)
        self._connection: sa.Connection | None = None
        self._held = False

    def try_hold(self) -> bool:
        """Take the lock if free, or confirm it is still held; False when another process has it or on failure."""
        if self._engine is None:
            return True
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
                self._held = False
            if self._held:
                self._connection.execute(sa.text("SELECT 1"))  # the lock lives exactly as long as this session
            else:
                self._held = bool(self._connection.execute(_TRY_LOCK, {"key": self.KEY}).scalar())
        except sa.exc.DBAPIError as error:
            log.warning("Leadership check failed (%s); not leading until the database answers", error.orig)
            self._drop()
        return self._held

    def _drop(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is not None:
            try:
                connection.invalidate()
                connection.close()
            except sa.exc.DBAPIError:
                pass

    def release(self) -> None:
        if self._engine is None:
            return
        if self._held and self._connection is not None:
            with suppress(sa.exc.DBAPIError):
                self._connection.execute(_UNLOCK, {"key": self.KEY})
        self._drop()
        self._engine.dispose()
