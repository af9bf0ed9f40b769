"""Health check for one RedAlert replica: is its heartbeat row in the `replicas` table fresh?

Run inside the replica's container (Docker HEALTHCHECK, Kubernetes exec probe):

    python -m redalert_core.store.healthcheck              # readiness: heartbeat fresh, database reachable
    python -m redalert_core.store.healthcheck --liveness   # liveness: an unreachable database does not count against it

Exit 0 with one line on stdout when healthy; exit 1 with one line on stderr otherwise. The line never carries the
database password. Environment:

- REDALERT_REPLICA_ID       this replica's row (default: the host name, which is the pod or container name)
- REDALERT_HEALTH_MAX_AGE   seconds a heartbeat stays fresh (default 30)
- REDALERT_DATABASE_URL     the bot's database (default: the SQLite file config.py uses, in REDALERT_DATA_DIR)

This module depends on nothing else in the project: it must start fast and keep working whatever the bot does.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

DEFAULT_MAX_AGE_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5

_HEARTBEAT_QUERY = sa.text("SELECT heartbeat_at FROM replicas WHERE replica_id = :replica_id")


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    message: str


class _Unreachable(Exception):
    """No connection to the database could be made."""


class _Unreadable(Exception):
    """The database answered but the heartbeat could not be read (no `replicas` table, permissions...)."""


def database_url(env: Mapping[str, str]) -> str:
    """The URL the bot itself uses: REDALERT_DATABASE_URL, else config.py's SQLite file in REDALERT_DATA_DIR."""
    url = env.get("REDALERT_DATABASE_URL", "").strip()
    if url:
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                # Bare URLs as hosting platforms hand them out; the bot uses psycopg 3 for them too.
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    data_dir = Path(env.get("REDALERT_DATA_DIR", "").strip() or "data").resolve()
    return f"sqlite:///{data_dir / 'redalert.sqlite3'}"


def max_age_seconds(env: Mapping[str, str]) -> float:
    raw = env.get("REDALERT_HEALTH_MAX_AGE", "").strip()
    if not raw:
        return DEFAULT_MAX_AGE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"REDALERT_HEALTH_MAX_AGE must be a positive number of seconds, not {raw!r}")
    return value


def replica_id(env: Mapping[str, str]) -> str:
    return env.get("REDALERT_REPLICA_ID", "").strip() or socket.gethostname()


def _as_utc(value: object) -> datetime:
    # PostgreSQL hands back aware datetimes; SQLite hands back text (naive text is UTC, as the bot writes it).
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise TypeError(f"heartbeat_at holds {type(value).__name__}, not a timestamp")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _redact(text: str, url: sa.URL) -> str:
    if url.password:
        text = text.replace(str(url.password), "***")
    return " ".join(text.split())  # one line, whatever the driver printed


def _read_heartbeat(url: sa.URL, replica: str) -> object | None:
    database = url.database or ""
    on_disk = url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if on_disk and not Path(database).exists():
        # Connecting would create an empty file and hide a wrong path or volume.
        raise _Unreachable(f"SQLite database {url.database} does not exist")
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.get_backend_name() == "postgresql" else {}
    engine = sa.create_engine(url, connect_args=connect_args, poolclass=sa.pool.NullPool)
    try:
        try:
            connection = engine.connect()
        except sa.exc.DBAPIError as error:
            raise _Unreachable(f"{type(error.orig).__name__}: {error.orig}") from error
        with connection:
            try:
                return connection.execute(_HEARTBEAT_QUERY, {"replica_id": replica}).scalar_one_or_none()
            except sa.exc.DBAPIError as error:
                raise _Unreadable(f"{type(error.orig).__name__}: {error.orig}") from error
    finally:
        engine.dispose()


def check(
    env: Mapping[str, str], *, liveness: bool = False, now: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Verdict:
    """Judge this replica's heartbeat. `now` is injectable so tests need no real waiting."""
    try:
        limit = max_age_seconds(env)
        url = sa.make_url(database_url(env))
    except (ValueError, sa.exc.ArgumentError) as error:
        return Verdict(False, f"RedAlert health check misconfigured: {error}")
    replica = replica_id(env)
    where = url.render_as_string(hide_password=True)
    try:
        value = _read_heartbeat(url, replica)
    except (sa.exc.ArgumentError, ImportError) as error:
        return Verdict(False, f"RedAlert health check misconfigured: {where}: {_redact(str(error), url)}")
    except _Unreachable as error:
        reason = _redact(str(error), url)
        if liveness:
            # Restarting the bot cannot bring the database back; readiness reports this instead.
            return Verdict(True, f"replica {replica}: database unreachable ({reason}); alive as far as can be told")
        return Verdict(False, f"replica {replica}: database {where} unreachable: {reason}")
    except _Unreadable as error:
        return Verdict(False, f"replica {replica}: cannot read the heartbeat from {where}: {_redact(str(error), url)}")
    if value is None:
        return Verdict(False, f"replica {replica}: no heartbeat row in {where}")
    try:
        beat = _as_utc(value)
    except (TypeError, ValueError) as error:
        return Verdict(False, f"replica {replica}: unreadable heartbeat_at {value!r}: {error}")
    age = (now() - beat).total_seconds()
    if age > limit:
        return Verdict(False, f"replica {replica}: heartbeat is stale, {age:.0f}s old (limit {limit:g}s)")
    if age < -limit:
        return Verdict(False, f"replica {replica}: heartbeat is {-age:.0f}s in the future; the clocks disagree")
    return Verdict(True, f"replica {replica}: heartbeat {max(age, 0.0):.1f}s old (limit {limit:g}s)")


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m redalert_core.store.healthcheck", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--liveness",
        action="store_true",
        help="pass when the database cannot be reached (only a stale or missing heartbeat fails)",
    )
    args = parser.parse_args(argv)
    verdict = check(os.environ if env is None else env, liveness=args.liveness)
    print(verdict.message, file=sys.stdout if verdict.healthy else sys.stderr)
    return 0 if verdict.healthy else 1


if __name__ == "__main__":
    sys.exit(main())
