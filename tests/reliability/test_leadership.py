"""Leadership and the hand-over of interrupted opens, at the service level (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from pg import postgres_url_or_skip, throwaway_schema
from service_support import make_service
from slack_workspace import ALICE

from redalert_core.application.clock import Clock
from redalert_core.domain.incident import Phase
from redalert_core.services import recovery
from redalert_core.services.incidents import OpenRequest
from redalert_core.services.leadership import Leadership, Timing, identify
from redalert_core.store import Store, healthcheck

FAST = Timing(heartbeat=0.05, stale_after=0.5, leader_poll=0.05)


def test_a_single_sqlite_process_leads_beats_and_hands_over_on_stop(tmp_path):
    url = f"sqlite:///{tmp_path / 'redalert.sqlite3'}"
    store = Store(url)
    store.migrate()
    leader = Leadership(store, identify("solo"), FAST, clock=Clock())
    gained = threading.Event()
    leader.on_gain(gained.set)
    ran = threading.Event()
    leader.every(0.05, ran.set, "probe")
    leader.start()
    assert gained.wait(5) and leader.is_leader() and ran.wait(5)
    row = store.replicas.get("solo")
    assert row is not None and row.leader_since is not None and row.instance == leader.identity.instance
    verdict = healthcheck.check({"REDALERT_DATABASE_URL": url, "REDALERT_REPLICA_ID": "solo"})
    assert verdict.healthy, verdict.message
    leader.stop()
    assert not leader.is_leader() and store.replicas.get("solo") is None
    store.dispose()


@pytest.mark.postgres
def test_one_of_two_leads_and_the_other_takes_over_when_it_stops():
    url = postgres_url_or_skip()
    with throwaway_schema(url) as schema:
        stores = [Store(url, schema=schema) for _ in range(2)]
        stores[0].migrate()
        first, second = (Leadership(s, identify(f"r{i}"), FAST, clock=Clock()) for i, s in enumerate(stores, 1))
        first.start()
        assert first.is_leader()
        second_gained = threading.Event()
        second.on_gain(second_gained.set)
        jobs: list[str] = []
        first.every(0.05, lambda: jobs.append("r1"), "probe")
        second.every(0.05, lambda: jobs.append("r2"), "probe")
        second.start()
        assert not second.is_leader() and not second_gained.is_set()
        assert first.live_instances() == {first.identity.instance, second.identity.instance}
        first.stop()
        assert second_gained.wait(5) and second.is_leader()
        seen = len(jobs)
        threading.Event().wait(0.3)  # a few job periods
        assert set(jobs[seen:]) == {"r2"}, "only the leader runs the jobs"
        second.stop()
        for store in stores:
            store.dispose()


def test_the_leader_finishes_opens_of_dead_owners_only(emulator, tmp_path):
    ops = emulator.channel_by_name("ops").id
    service = make_service(emulator, tmp_path)
    alive, dead = identify("alive"), identify("dead")
    owned_by = {}
    for owner in (alive, dead):
        incident = service.store.incidents.create(
            severity="sev2",
            description=f"opened by {owner.replica_id}",
            opened_by=ALICE,
            opened_at=service._clock(),
            origin_channel=ops,
            owner={"instance": owner.instance, "replica_id": owner.replica_id},
        )
        owned_by[owner.replica_id] = incident.number
    unowned = service.store.incidents.create(
        severity="sev2", description="unowned", opened_by=ALICE, opened_at=service._clock(), origin_channel=ops
    )
    finished = recovery.finish_orphaned(service, {alive.instance}, include_unowned=False)
    assert [r.incident.number for r in finished] == [owned_by["dead"]]
    assert service.store.incidents.get(owned_by["dead"]).phase is Phase.OPEN
    assert service.store.incidents.get(owned_by["alive"]).phase is Phase.OPENING
    assert service.store.open_owners.owners() == {owned_by["alive"]: alive.instance}
    finished = recovery.finish_orphaned(service, {alive.instance}, include_unowned=True)  # on becoming the leader
    assert [r.incident.number for r in finished] == [unowned.number]
    service.shutdown()


def test_an_open_records_its_owner_until_it_is_answered(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    service.replica = identify("r1")
    report = service.open(OpenRequest("sev2", "owned open", ALICE, emulator.channel_by_name("ops").id))
    assert service.store.open_owners.owners() == {report.incident.number: service.replica.instance}
    service.mark_replied(report.incident.number)
    assert service.store.open_owners.owners() == {}
    service.shutdown()
