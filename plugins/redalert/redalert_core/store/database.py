"""The database: one engine per process, migrations, and short transactions that repositories can share.

Works on SQLite (single host) and PostgreSQL. `write()` opens a transaction on a pooled connection; a `write()`
or `read()` inside it on the same thread joins it, so a use case can put several repository calls (an incident
change, its event and an outbox row) in one commit with `with store.transaction(): ...`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from .tables import command_inbox

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Arbitrary constant shared by every RedAlert process: serialises migrations across processes on PostgreSQL.
PG_MIGRATION_LOCK_KEY = 0x5EDA1E47
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Alembic's command API is not re-entrant; two stores in one process must not migrate at the same moment.
_MIGRATION_LOCK = threading.Lock()


def normalise_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs (as hosting platforms hand them out) at the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def inserted_id(result: sa.CursorResult) -> int:
    """The key of the row a single-row INSERT wrote. SQLAlchemy types the key Optional: it is None only after
    an executemany, which no repository uses for a row it needs the id of."""
    key = result.inserted_primary_key
    assert key is not None, "a single-row INSERT always reports its primary key"
    return key[0]


def _create_sqlite_engine(url: sa.URL) -> sa.Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    # An in-memory database lives in one connection; share it (fine for single-threaded tests only).
    engine = sa.create_engine(url, connect_args=connect_args, poolclass=StaticPool if in_memory else None)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (see _begin) instead of sqlite3's implicit, DDL-skipping one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        # NORMAL in WAL mode: a commit survives a killed process and never corrupts the file; only an OS crash or
        # power cut may drop the last commits (use PostgreSQL where that matters). FULL costs an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then writes can fail
        # with SQLITE_BUSY instead of waiting when another thread committed in between.
        immediate = connection.get_execution_options().get("redalert_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_postgres_engine(url: sa.URL, schema: str | None, **engine_args: Any) -> sa.Engine:
    connect_args = dict(engine_args.pop("connect_args", {}))
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"invalid schema name {schema!r}")
        connect_args["options"] = f"-csearch_path={schema}"
    # pre_ping: the bot runs for weeks; a database restart must not surface as errors on the next command.
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True, **engine_args)


class Database:
    """An engine for SQLite or PostgreSQL and the transactions the repositories run in.

    `url` is any SQLAlchemy URL for SQLite or PostgreSQL (bare postgres:// URLs are accepted). `schema`, on
    PostgreSQL only, sets the connections' search_path so that everything (tables and Alembic's version table)
    lives in that schema; the schema must already exist. It is ignored on SQLite.
    """

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        parsed = make_url(normalise_database_url(url))
        dialect = parsed.get_backend_name()
        self.insert: Callable[..., Any]
        self._url = parsed
        if dialect == "sqlite":
            self.engine = _create_sqlite_engine(parsed)
            self.insert = sqlite.insert
        elif dialect == "postgresql":
            self.engine = _create_postgres_engine(parsed, schema)
            self.insert = postgresql.insert
        else:
            raise ValueError(f"unsupported database {dialect!r}: use sqlite or postgresql")
        self.dialect = dialect
        self.schema = schema if dialect == "postgresql" else None
        self._local = threading.local()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read-only transaction, or the write transaction this thread is already in."""
        current = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction committed on leaving; nested calls on the same thread join the outer one."""
        current = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        with self.engine.connect() as connection:
            connection.execution_options(redalert_write=True)
            self._local.after_commit = []
            with connection.begin():
                self._local.connection = connection
                marked = self._mark_command_applied(connection)
                try:
                    yield connection
                except BaseException:
                    self._local.command_key = marked or getattr(self._local, "command_key", None)  # rolled back
                    raise
                finally:
                    self._local.connection = None
            callbacks, self._local.after_commit = self._local.after_commit, []
            for callback in callbacks:
                callback()

    @contextmanager
    def command_scope(self, key: str | None) -> Iterator[None]:
        """While a chat command runs on this thread, its first write transaction also marks its inbox row applied
        (store/command_inbox.py): a re-run after a crash then knows whether the command's change happened."""
        self._local.command_key = key
        try:
            yield
        finally:
            self._local.command_key = None

    def _mark_command_applied(self, connection: sa.Connection) -> str | None:
        key = getattr(self._local, "command_key", None)
        if key is None:
            return None
        self._local.command_key = None  # the first transaction only: later ones belong to the same command
        c = command_inbox.c
        connection.execute(sa.update(command_inbox).where(c.key == key, c.state == "received").values(state="applied"))
        return key

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the current write transaction (on this thread) has committed; never on rollback."""
        pending = getattr(self._local, "after_commit", None)
        if getattr(self._local, "connection", None) is None or pending is None:
            callback()  # not inside a transaction: whatever it follows is already committed
            return
        if callback not in pending:
            pending.append(callback)

    def advisory_lock(self, connection: sa.Connection, key: int | str) -> None:
        """Serialise writers on `key` until commit (PostgreSQL); SQLite's BEGIN IMMEDIATE already does."""
        if self.dialect != "postgresql":
            return
        lock_key = sa.func.hashtext(key) if isinstance(key, str) else key
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_key)))

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic `upgrade head`); a no-op when already there."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        with _MIGRATION_LOCK, self.write() as connection:
            # Held until commit, so a second process waits and then finds the schema up to date.
            self.advisory_lock(connection, PG_MIGRATION_LOCK_KEY)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def lock_engine(self, **engine_args: Any) -> sa.Engine | None:
        """A separate autocommit engine on the same PostgreSQL database for session-level advisory locks.

        Locks held across Slack calls keep their connection for seconds; a pool of their own means they can never
        starve the short transactions the holder itself needs. None on SQLite, where one process is all there is.
        """
        if self.dialect != "postgresql":
            return None
        return _create_postgres_engine(self._url, self.schema, isolation_level="AUTOCOMMIT", **engine_args)

    def dispose(self) -> None:
        self.engine.dispose()
