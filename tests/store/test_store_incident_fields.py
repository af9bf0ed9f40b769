"""Custom field values in the store (issue 22): given at open, they are written with the incident, each with its
timeline entry, in one transaction; field filters choose incidents in SQL (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from redalert_core.domain.events import FieldSet, Opened, payload_of
from redalert_core.domain.field_filters import FieldFilter
from redalert_core.domain.incident import EventKind
from redalert_core.domain.visibility import Viewer
from redalert_core.store.analytics import Scope

T0_FIELDS = {"team": "identity", "regions": "eu,us"}
FAR = datetime(2100, 1, 1, tzinfo=UTC)
STATUSES = ("investigating", "resolved")


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


def _numbers(store, *filters: FieldFilter) -> list[int]:
    scope = Scope(None, FAR, fields=filters)
    return [row.number for row in store.history.incidents(scope, Viewer(None, True), statuses=STATUSES)]


def test_field_filters_choose_incidents_in_sql_all_must_match(store, new_incident) -> None:
    new_incident(fields={"team": "payments", "regions": "eu,us"})  # 1
    new_incident(fields={"team": "search", "regions": "us"})  # 2
    new_incident(fields={"team": "payments", "regions": "apac", "impact": "100% down_x"})  # 3
    new_incident()  # 4: no fields
    new_incident(fields={"team": "payments core", "regions": "use"})  # 5: neither payments nor us
    assert _numbers(store, FieldFilter("team", "payments")) == [1, 3]
    assert _numbers(store, FieldFilter("regions", "us", contains=True)) == [1, 2]  # not "use"
    assert _numbers(store, FieldFilter("regions", "eu", contains=True), FieldFilter("team", "payments")) == [1]
    assert _numbers(store, FieldFilter("team", "payments"), FieldFilter("team", "search")) == []
    assert _numbers(store, FieldFilter("impact", "100% down_x")) == [3]
    # LIKE's wildcards in a multi_select value are matched as the characters they are.
    assert _numbers(store, FieldFilter("regions", "%", contains=True)) == []
    assert _numbers(store, FieldFilter("regions", "u_", contains=True)) == []
    assert store.analytics.open_at(FAR, Viewer(None, True), fields=(FieldFilter("team", "payments"),)) == 2


def test_the_export_reads_every_value_of_the_incidents_in_scope_even_when_filtered(store, new_incident) -> None:
    new_incident(fields={"team": "payments", "regions": "eu,us"})
    new_incident(fields={"team": "search"})
    new_incident()
    assert store.history.field_values(Scope(None, FAR), Viewer(None, True)) == {
        1: {"team": "payments", "regions": "eu,us"},
        2: {"team": "search"},
    }
    filtered = Scope(None, FAR, fields=(FieldFilter("team", "payments"),))
    assert store.history.field_values(filtered, Viewer(None, True)) == {1: {"team": "payments", "regions": "eu,us"}}
