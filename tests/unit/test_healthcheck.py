"""The replica health check reads this replica's heartbeat row and judges it against a controllable clock."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from pg import postgres_url_or_skip, throwaway_schema

from redalert_core.store import healthcheck

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)

# The contract the replica feature writes to.
REPLICAS_DDL = """
CREATE TABLE replicas (
    replica_id TEXT PRIMARY KEY,
    hostname TEXT,
    pid INTEGER,
    started_at TIMESTAMP WITH TIME ZONE,
    heartbeat_at TIMESTAMP WITH TIME ZONE
)
"""


def _clock():
    return NOW


def make_db(path: Path, rows: dict[str, object] | None = None, *, table: bool = True) -> str:
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if table:
            connection.execute(sa.text(REPLICAS_DDL))
        for replica, beat in (rows or {}).items():
            connection.execute(
                sa.text(
                    "INSERT INTO replicas (replica_id, hostname, pid, started_at, heartbeat_at)"
                    " VALUES (:id, :host, 4242, :started, :beat)"
                ),
                {"id": replica, "host": replica, "started": str(NOW - timedelta(hours=1)), "beat": beat},
            )
    engine.dispose()
    return url


def env_for(url: str, **extra: str) -> dict[str, str]:
    return {"REDALERT_DATABASE_URL": url, "REDALERT_REPLICA_ID": "bot-a", **extra}


@pytest.mark.parametrize(
    "stored",
    [
        "2026-11-30 11:59:50.000000",  # SQLAlchemy's SQLite format: naive, UTC
        "2026-11-30T11:59:50+00:00",
        "2026-11-30T12:59:50+01:00",  # same instant, another offset
        "2026-11-30T11:59:50Z",
    ],
)
def test_a_fresh_heartbeat_is_healthy_in_every_stored_format(tmp_path, stored):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": stored})
    verdict = healthcheck.check(env_for(url), now=_clock)
    assert verdict == healthcheck.Verdict(True, "replica bot-a: heartbeat 10.0s old (limit 30s)")


def test_a_heartbeat_older_than_the_limit_is_stale(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(NOW - timedelta(seconds=31))})
    verdict = healthcheck.check(env_for(url), now=_clock)
    assert verdict == healthcheck.Verdict(False, "replica bot-a: heartbeat is stale, 31s old (limit 30s)")


def test_the_limit_comes_from_the_environment_and_is_inclusive(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(NOW - timedelta(seconds=90))})
    assert healthcheck.check(env_for(url, REDALERT_HEALTH_MAX_AGE="90"), now=_clock).healthy
    assert not healthcheck.check(env_for(url, REDALERT_HEALTH_MAX_AGE="89.5"), now=_clock).healthy


@pytest.mark.parametrize("bad", ["0", "-5", "soon", "nan", "inf"])
def test_a_bad_limit_is_reported_not_guessed(tmp_path, bad):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(NOW)})
    verdict = healthcheck.check(env_for(url, REDALERT_HEALTH_MAX_AGE=bad), now=_clock)
    assert not verdict.healthy
    assert verdict.message == (
        "RedAlert health check misconfigured: "
        f"REDALERT_HEALTH_MAX_AGE must be a positive number of seconds, not {bad!r}"
    )


def test_only_this_replicas_row_counts(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-b": str(NOW)})
    verdict = healthcheck.check(env_for(url), now=_clock)
    assert not verdict.healthy
    assert verdict.message.startswith("replica bot-a: no heartbeat row in sqlite:///")


def test_the_replica_id_defaults_to_the_host_name(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {socket.gethostname(): str(NOW)})
    verdict = healthcheck.check({"REDALERT_DATABASE_URL": url}, now=_clock)
    assert verdict.healthy, verdict.message
    assert verdict.message.startswith(f"replica {socket.gethostname()}: ")


def test_a_heartbeat_far_in_the_future_means_the_clocks_disagree(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(NOW + timedelta(minutes=5))})
    verdict = healthcheck.check(env_for(url), now=_clock)
    assert verdict == healthcheck.Verdict(False, "replica bot-a: heartbeat is 300s in the future; the clocks disagree")


def test_an_unreadable_heartbeat_value_is_reported(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": "yesterday"})
    verdict = healthcheck.check(env_for(url), now=_clock)
    assert not verdict.healthy
    assert verdict.message.startswith("replica bot-a: unreadable heartbeat_at 'yesterday'")


def test_a_database_without_the_replicas_table_fails_readiness_and_liveness(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", table=False)
    for liveness in (False, True):
        verdict = healthcheck.check(env_for(url), liveness=liveness, now=_clock)
        assert not verdict.healthy
        assert "cannot read the heartbeat" in verdict.message
        assert "no such table: replicas" in verdict.message


def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path):
    path = tmp_path / "nowhere.sqlite3"
    verdict = healthcheck.check(env_for(f"sqlite:///{path}"), now=_clock)
    assert not verdict.healthy
    assert f"SQLite database {path} does not exist" in verdict.message
    assert not path.exists()


def test_without_a_url_it_reads_the_sqlite_file_config_py_uses(tmp_path):
    make_db(tmp_path / "redalert.sqlite3", {"bot-a": str(NOW)})
    verdict = healthcheck.check({"REDALERT_DATA_DIR": str(tmp_path), "REDALERT_REPLICA_ID": "bot-a"}, now=_clock)
    assert verdict.healthy, verdict.message


def test_an_unreachable_database_fails_readiness_without_showing_the_password():
    # Nothing listens on port 1 of the loopback address: the connection is refused at once.
    url = "postgresql://redalert:pa55-w0rd-secret@127.0.0.1:1/redalert"
    verdict = healthcheck.check(env_for(url), now=_clock)
    assert not verdict.healthy
    assert verdict.message.startswith(
        "replica bot-a: database postgresql+psycopg://redalert:***@127.0.0.1:1/redalert unreachable: OperationalError:"
    )
    assert "pa55-w0rd-secret" not in verdict.message
    assert "\n" not in verdict.message


def test_an_unreachable_database_does_not_fail_liveness():
    url = "postgresql://redalert:pa55-w0rd-secret@127.0.0.1:1/redalert"
    verdict = healthcheck.check(env_for(url), liveness=True, now=_clock)
    assert verdict.healthy
    assert "database unreachable" in verdict.message
    assert "pa55-w0rd-secret" not in verdict.message


def test_liveness_still_fails_on_a_stale_heartbeat(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(NOW - timedelta(minutes=10))})
    assert not healthcheck.check(env_for(url), liveness=True, now=_clock).healthy


def test_an_unknown_database_driver_is_a_configuration_error():
    verdict = healthcheck.check(env_for("nosuchdb://u:secret-pw@host/db"), now=_clock)
    assert not verdict.healthy
    assert verdict.message.startswith("RedAlert health check misconfigured:")
    assert "secret-pw" not in verdict.message


def _run_module(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT / "plugins" / "redalert"), **env}
    return subprocess.run(
        [sys.executable, "-m", "redalert_core.store.healthcheck", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=str(ROOT),
        timeout=60,
    )


def test_the_module_exits_0_with_one_line_on_stdout_when_fresh(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(datetime.now(UTC))})
    result = _run_module(env_for(url))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith("replica bot-a: heartbeat ")


def test_the_module_exits_1_with_one_line_on_stderr_when_stale(tmp_path):
    url = make_db(tmp_path / "db.sqlite3", {"bot-a": str(datetime.now(UTC) - timedelta(hours=1))})
    result = _run_module(env_for(url, REDALERT_HEALTH_MAX_AGE="60"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("replica bot-a: heartbeat is stale, ")


def test_the_module_never_prints_the_password_of_an_unreachable_database():
    result = _run_module(env_for(f"postgresql://redalert:{quote('p@ss/w0rd')}@127.0.0.1:1/redalert"))
    assert result.returncode == 1
    assert "p@ss" not in result.stderr and "p%40ss" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.postgres
def test_a_postgresql_heartbeat_row_is_read_with_its_time_zone():
    url = postgres_url_or_skip()
    with throwaway_schema(url) as schema:
        scoped = f"{url}?options=-csearch_path%3D{schema}"
        engine = sa.create_engine(healthcheck.database_url({"REDALERT_DATABASE_URL": scoped}))
        with engine.begin() as connection:
            connection.execute(sa.text(REPLICAS_DDL))
            connection.execute(
                sa.text("INSERT INTO replicas VALUES ('bot-a', 'bot-a', 1, :t, :t), ('bot-b', 'bot-b', 2, :t, :old)"),
                {"t": NOW - timedelta(seconds=5), "old": NOW - timedelta(seconds=45)},
            )
        engine.dispose()
        assert healthcheck.check(env_for(scoped), now=_clock) == healthcheck.Verdict(
            True, "replica bot-a: heartbeat 5.0s old (limit 30s)"
        )
        stale = healthcheck.check({**env_for(scoped), "REDALERT_REPLICA_ID": "bot-b"}, now=_clock)
        assert stale == healthcheck.Verdict(False, "replica bot-b: heartbeat is stale, 45s old (limit 30s)")
