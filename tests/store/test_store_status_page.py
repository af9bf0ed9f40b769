"""The status page's repository on SQLite and PostgreSQL: entries, updates, events, withdrawal, the one prompt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store.conftest import T0

from redalert_core.domain.incident import EventKind
from redalert_core.store import PrivateIncident


def publish(store, number, **overrides):
    fields = {
        "title": None,
        "status": "investigating",
        "components": {"api": "major_outage"},
        "body": "We are looking into errors.",
        "actor": "U_CMD",
        "at": T0,
    }
    fields.update(overrides)
    return store.status_page.publish(number, **fields)


def test_first_publish_creates_the_entry_and_later_ones_add_updates(store, new_incident):
    incident = new_incident()
    entry, first = publish(store, incident.number, title="API errors")
    assert first and entry.title == "API errors" and entry.is_open
    entry, first = publish(
        store,
        incident.number,
        status="identified",
        components={"web": "degraded_performance"},
        body="Found it.",
        at=T0 + timedelta(minutes=5),
    )
    assert not first and entry.title == "API errors"
    assert entry.components == {"api": "major_outage", "web": "degraded_performance"}
    assert [u.body for u in entry.updates] == ["Found it.", "We are looking into errors."]
    kinds = [e.kind for e in store.events.list(incident.number)]
    assert kinds.count(EventKind.STATUS_PUBLISHED) == 2


def test_resolved_update_puts_components_back_to_operational(store, new_incident):
    incident = new_incident()
    publish(store, incident.number)
    entry, _ = publish(store, incident.number, status="resolved", components={}, body="Fixed.", at=T0 + timedelta(1))
    assert entry.components == {"api": "operational"} and entry.resolved_at is not None and not entry.is_open


def test_a_private_incident_is_refused_and_nothing_is_stored(store, new_incident):
    incident = new_incident(is_private=True)
    with pytest.raises(PrivateIncident):
        publish(store, incident.number)
    assert store.status_page.get(incident.number) is None
    assert not [e for e in store.events.list(incident.number) if e.kind == EventKind.STATUS_PUBLISHED]


def test_withdrawn_and_old_resolved_entries_leave_the_page(store, new_incident):
    shown, withdrawn, old = new_incident(), new_incident(description="b"), new_incident(description="c")
    for incident in (shown, withdrawn, old):
        publish(store, incident.number)
    publish(store, old.number, status="resolved", body="Fixed.", at=T0 + timedelta(days=1))
    assert store.status_page.unpublish(withdrawn.number, actor="U_CMD", at=T0)
    assert not store.status_page.unpublish(withdrawn.number, actor="U_CMD", at=T0)
    assert {e.number for e in store.status_page.shown(T0)} == {shown.number, old.number}
    assert {e.number for e in store.status_page.shown(T0 + timedelta(days=2))} == {shown.number}
    again, first = publish(store, withdrawn.number, body="Back on the page.")
    assert first and again.withdrawn_at is None


def test_the_final_update_prompt_is_recorded_once(store, new_incident):
    incident = new_incident()
    assert not store.status_page.ask_final_once(incident.number, T0)  # never published: nobody to ask
    publish(store, incident.number)
    assert store.status_page.ask_final_once(incident.number, T0)
    assert not store.status_page.ask_final_once(incident.number, T0)
    asked = [e for e in store.events.list(incident.number) if e.kind == EventKind.STATUS_FINAL_ASKED]
    assert len(asked) == 1
