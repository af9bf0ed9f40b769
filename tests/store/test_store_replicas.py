"""The replicas' part of the store (migration 0008): heartbeats, open owners, claims, reminders, locks."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from pg import postgres_url_or_skip, throwaway_schema
from store.conftest import T0

from redalert_core.domain.events import Reminded
from redalert_core.store import Store
from redalert_core.store.single_process import AnotherProcess, claim


def beat(store: Store, replica_id: str, instance: str, at, leader_since=None) -> None:
    store.replicas.beat(
        replica_id=replica_id, instance=instance, hostname="h", pid=1, started_at=T0, at=at, leader_since=leader_since
    )


def test_heartbeats_upsert_and_tell_live_from_stale(store):
    beat(store, "a", "i1", T0)
    beat(store, "b", "i2", T0 + timedelta(seconds=50), leader_since=T0)
    beat(store, "a", "i3", T0 + timedelta(seconds=60))  # replica a restarted: its row is the new process's
    rows = {row.replica_id: row for row in store.replicas.all()}
    assert (rows["a"].instance, rows["a"].heartbeat_at, rows["b"].leader_since) == (
        "i3",
        T0 + timedelta(seconds=60),
        T0,
    )
    assert store.replicas.live_instances(T0 + timedelta(seconds=55)) == {"i3"}
    store.replicas.leave("a", "i1")  # an old instance cannot remove its successor's row
    assert store.replicas.get("a") is not None
    store.replicas.leave("a", "i3")
    assert store.replicas.get("a") is None


def test_open_owner_is_recorded_with_the_incident_and_released(store, new_incident):
    number = new_incident(owner={"instance": "i1", "replica_id": "a"}).number
    assert store.open_owners.owners() == {number: "i1"}
    store.open_owners.take(number, instance="i2", replica_id="b", at=T0)
    assert store.open_owners.owners() == {number: "i2"}
    store.open_owners.release(number)
    assert store.open_owners.owners() == {}


def test_a_command_is_claimed_once_even_by_racing_threads(store):
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        results.append(store.command_claims.claim("C1:1.000", replica_id="r", at=T0))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.command_claims.purge(T0 + timedelta(seconds=1)) == 1
    assert store.command_claims.claim("C1:1.000", replica_id="r", at=T0)


def test_a_reminder_is_recorded_once(store, new_incident):
    number = new_incident().number
    args = {"kind": "update", "gap_start": T0, "reminded": Reminded(reminder="update"), "at": T0}
    assert store.response.record_reminder(number, **args) is True
    assert store.response.record_reminder(number, **args) is False
    assert [e.kind.value for e in store.events.list(number)].count("reminded") == 1


def test_cache_invalidations_from_other_replicas(store):
    start = store.cache_invalidations.latest_id()
    store.cache_invalidations.add("channel", "C1", replica_id="a", at=T0)
    store.cache_invalidations.add("user", "U1", replica_id="b", at=T0)
    found, newest = store.cache_invalidations.since(start, other_than="a")
    assert found == [("user", "U1")] and newest == store.cache_invalidations.latest_id()
    assert store.cache_invalidations.since(newest, other_than="a") == ([], newest)


def test_named_locks_exclude_across_stores_and_nest(database):
    first, second = (Store(database.url, schema=database.schema) for _ in range(2))
    first.migrate()
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def hold() -> None:
        with first.locks.hold("incident:1"), first.locks.hold("incident:1"):  # nesting on one thread is fine
            inside.set()
            release.wait(5)
            order.append("first")

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    waiter = threading.Thread(target=lambda: (second.locks.hold("incident:1").__enter__(), order.append("second")))
    waiter.start()
    waiter.join(0.3)
    release.set()
    holder.join(5)
    waiter.join(5)
    if first.dialect == "postgresql":  # one process on SQLite: the stores' in-process locks are separate
        assert order == ["first", "second"]
    first.dispose()
    second.dispose()


@pytest.mark.postgres
def test_one_leader_at_a_time_and_the_next_takes_over():
    # PostgreSQL only: on SQLite the single process always leads.
    with throwaway_schema(postgres_url_or_skip()) as schema:
        stores = [Store(postgres_url_or_skip(), schema=schema) for _ in range(2)]
        _leader_lock_passes_between(stores)


def _leader_lock_passes_between(stores: list[Store]) -> None:
    locks = [store.leader_lock() for store in stores]
    assert locks[0].try_hold() is True
    assert locks[1].try_hold() is False
    assert locks[0].try_hold() is True  # still held
    locks[0].release()
    assert locks[1].try_hold() is True
    locks[1].release()
    for store in stores:
        store.dispose()


def test_sqlite_refuses_a_second_process(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    import redalert_core

    url = f"sqlite:///{tmp_path / 'redalert.sqlite3'}"
    assert claim(url) == tmp_path / "redalert.sqlite3.lock"
    assert claim(url) == tmp_path / "redalert.sqlite3.lock"  # this process again: fine
    code = (
        "import sys; from redalert_core.store.single_process import claim, AnotherProcess\n"
        f"try:\n    claim({url!r})\nexcept AnotherProcess as e:\n    print(e); sys.exit(3)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(redalert_core.__file__).parents[1])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    assert result.returncode == 3, result.stderr
    assert "already runs RedAlert on the SQLite database" in result.stdout
    assert "PostgreSQL" in result.stdout
    assert claim("postgresql://x@127.0.0.1/db") is None
    assert AnotherProcess.__doc__


def test_sent_once_lets_one_caller_through(store):
    assert store.sent_once.claim("digest:2030-W01", at=T0) is True
    assert store.sent_once.claim("digest:2030-W01", at=T0) is False
    assert store.sent_once.claim("digest:2030-W02", at=T0) is True
    assert store.sent_once.purge(T0 + timedelta(seconds=1)) == 2
