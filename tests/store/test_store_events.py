"""The event log: ordered, typed, and append-only down to the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from redalert_core.domain.incident import EventKind

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_events_are_oldest_first_then_in_append_order(store, new_incident) -> None:
    number = new_incident(opened_at=T0).number
    later = store.events.add(number, EventKind.INVITED, actor="U_A", data={"users": ["U_B"]}, at=T0 + timedelta(2))
    earlier = store.events.add(number, "invite_failed", data={"user": "U_C"}, at=T0 + timedelta(1))
    same_time = store.events.add(number, EventKind.INVITED, at=T0 + timedelta(2))
    assert [e.id for e in store.events.list(number)[1:]] == [earlier.id, later.id, same_time.id]
    assert earlier.kind is EventKind.INVITE_FAILED
    assert (later.actor, later.data, later.incident_number) == ("U_A", {"users": ["U_B"]}, number)


def test_event_defaults_and_unknown_kinds(store, new_incident) -> None:
    number = new_incident().number
    before = datetime.now(UTC)
    event = store.events.add(number, "note")
    assert event.kind == "note"
    assert (event.actor, event.data) == (None, {})
    assert before - timedelta(seconds=1) <= event.at <= datetime.now(UTC) + timedelta(seconds=1)
    assert event.at.tzinfo is UTC
    assert store.events.list(number)[-1] == event


def test_adding_events_leaves_earlier_ones_untouched(store, new_incident) -> None:
    number = new_incident().number
    before = store.events.list(number)
    store.events.add(number, EventKind.INVITED, data={"users": ["U_A"]})
    assert store.events.list(number)[: len(before)] == before


@pytest.mark.parametrize("statement", ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"])
def test_database_refuses_to_edit_or_delete_events(store, new_incident, statement: str) -> None:
    number = new_incident().number
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.db.engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert len(store.events.list(number)) == 1


def test_latest_of_kind_is_the_newest_event_of_that_kind_per_incident(store, new_incident) -> None:
    first, second, none = (new_incident(opened_at=T0).number for _ in range(3))
    for hours in (3, 1, 2):  # appended out of time order: the latest by time counts
        store.events.add(first, EventKind.UPDATE_POSTED, data={"text": "x"}, at=T0 + timedelta(hours=hours))
    store.events.add(second, EventKind.UPDATE_POSTED, data={"text": "x"}, at=T0 + timedelta(minutes=5))
    store.events.add(none, EventKind.INVITED, data={"users": ["U_A"]}, at=T0 + timedelta(hours=9))
    latest = store.events.latest_of_kind(EventKind.UPDATE_POSTED, [first, second, none])
    assert latest == {first: T0 + timedelta(hours=3), second: T0 + timedelta(minutes=5)}
    assert latest[first].tzinfo is not None and latest[first].utcoffset() == timedelta(0)
    assert store.events.latest_of_kind(EventKind.UPDATE_POSTED, [second]) == {second: T0 + timedelta(minutes=5)}
    assert store.events.latest_of_kind(EventKind.UPDATE_POSTED, []) == {}
