"""One process per SQLite database: a second RedAlert on the same file is refused at start.

SQLite cannot coordinate replicas (no advisory locks, no shared leadership), so two processes on one file would
both send reminders and both resume opens. The first process holds an exclusive lock on `<database>.lock` for as
long as it runs; the operating system releases it when the process ends, however it ends.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from .database import normalise_database_url

try:
    import fcntl
except ImportError:  # not on Linux or macOS: nothing to hold the lock with
    fcntl = None  # type: ignore[assignment]  # mypy types the name as the module; None says it is absent

_held: dict[str, IO[str]] = {}  # lock files this process holds, kept open for its lifetime


class AnotherProcess(Exception):
    """Another live process uses the SQLite database; the message says which and what to do."""


def sqlite_path(url: str) -> Path | None:
    """The file of an on-disk SQLite URL, None for PostgreSQL or an in-memory database."""
    parsed = make_url(normalise_database_url(url))
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser().resolve()


def claim(url: str) -> Path | None:
    """Hold the database's lock file for this process; raises AnotherProcess when someone else holds it."""
    path = sqlite_path(url)
    if path is None or fcntl is None:
        return None
    lock_path = path.with_name(path.name + ".lock")
    if str(lock_path) in _held:
        return lock_path
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")  # noqa: SIM115 — held open until the process ends
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise AnotherProcess(
            f"{holder} already runs RedAlert on the SQLite database {path}. SQLite allows one process only: stop "
            "the other one, or run several replicas on PostgreSQL (set REDALERT_DATABASE_URL)."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
    handle.flush()
    _held[str(lock_path)] = handle
    return lock_path
