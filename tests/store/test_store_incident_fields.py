"""Custom field values in the store (issue 22): given at open, they are written with the incident, each with its
timeline entry, in one transaction."""

from __future__ import annotations

import pytest

from redalert_core.domain.events import FieldSet, Opened, payload_of
from redalert_core.domain.incident import EventKind

T0_FIELDS = {"team": "identity", "regions": "eu,us"}


def test_values_given_at_open_are_stored_with_one_timeline_entry_each_after_the_open(store, new_incident) -> None:
    incident = new_incident(incident_type="security", fields=T0_FIELDS)
    assert store.incident_fields.values(incident.number) == {"regions": "eu,us", "team": "identity"}
    events = store.events.list(incident.number)
    assert [type(payload_of(event)) for event in events] == [Opened, FieldSet, FieldSet]
    assert [payload_of(event) for event in events[1:]] == [
        FieldSet(name="team", value="identity", at_open=True),
        FieldSet(name="regions", value="eu,us", at_open=True),
    ]
    assert {event.at for event in events} == {incident.opened_at}
    assert {event.actor for event in events} == {incident.opened_by}


def test_a_value_set_later_is_not_at_open(store, new_incident) -> None:
    number = new_incident(fields={"team": "identity"}).number
    store.incident_fields.set(number, "team", "search", actor="U_SETTER", at=store.events.clock())
    latest = store.events.list(number)[-1]
    assert payload_of(latest) == FieldSet(name="team", value="search", at_open=False)
    assert latest.data == {"name": "team", "value": "search", "at_open": False}


def test_the_open_its_values_and_their_entries_are_one_transaction(store, new_incident) -> None:
    def refuse_field_entries(connection, event, incident) -> None:
        if event.kind is EventKind.FIELD_SET:
            raise RuntimeError("a subscriber failed inside the open's transaction")

    store.events.subscribe(refuse_field_entries)
    with pytest.raises(RuntimeError):
        new_incident(fields={"team": "identity"})
    assert store.incidents.get(1) is None
    assert store.incident_fields.values(1) == {}
    assert store.events.list(1) == []
