"""Alert groups: a group's incident (newest row first), its alerts by fingerprint, and which the channel was told."""

from __future__ import annotations

from datetime import timedelta

from store.conftest import T0

from redalert_core.store import Store

KEY = '{}:{alertname="DiskRunningFull", instance="example1"}'


def test_a_group_its_alerts_and_a_later_incident(store: Store, new_incident) -> None:
    first = new_incident().number
    assert store.alert_groups.latest("alertmanager", KEY) is None
    group = store.alert_groups.create("alertmanager", KEY, first, None, T0)
    assert store.alert_groups.latest("grafana", KEY) is None  # the source is part of the key
    store.alert_groups.add(group.id, "a1", "firing", {"name": "DiskRunningFull", "labels": {"dev": "sda1"}}, T0)
    store.alert_groups.add(group.id, "a2", "firing", {"name": "DiskRunningFull"}, T0 + timedelta(seconds=1))
    store.alert_groups.set_status(group.id, "a1", "resolved", T0 + timedelta(minutes=5))
    seen = store.alert_groups.seen(group.id)
    assert {fp: s.status for fp, s in seen.items()} == {"a1": "resolved", "a2": "firing"}
    assert seen["a1"].detail["labels"] == {"dev": "sda1"}
    assert [s.fingerprint for s in store.alert_groups.unposted(first)] == ["a1", "a2"]
    store.alert_groups.mark_posted(group.id, "a1")
    assert [s.fingerprint for s in store.alert_groups.unposted(first)] == ["a2"]
    store.alert_groups.set_firing(group.id, False)
    assert store.alert_groups.latest("alertmanager", KEY).firing is False

    second = new_incident(description="again").number
    later = store.alert_groups.create("alertmanager", KEY, second, first, T0 + timedelta(hours=1))
    latest = store.alert_groups.latest("alertmanager", KEY)
    assert (latest.id, latest.incident_number, latest.previous_incident) == (later.id, second, first)
    assert store.alert_groups.seen(later.id) == {}
    assert store.alert_groups.count_alerts() == 2
