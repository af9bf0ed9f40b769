"""The outbox and remote-id tables (migration 0005) on SQLite and PostgreSQL: idempotency, order per key, requeue,
writes joined to the change's transaction, wake-ups only after commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from store.conftest import T0

from redalert_core.domain.incident import EventKind, OpenStep
from redalert_core.domain.outbox import OutboxMessage, State


def message(key: str, ordering: str = "pagerduty:incident:1", destination: str = "pagerduty") -> OutboxMessage:
    return OutboxMessage(destination, ordering, key, {"event_action": key}, incident_number=None)


def test_migration_creates_the_tables(store):
    names = set(sa.inspect(store.db.engine).get_table_names())
    assert {"outbox", "remote_links"} <= names


def test_an_idempotency_key_is_written_once_per_destination(store):
    assert store.outbox.add(message("k1"), T0) is True
    assert store.outbox.add(message("k1"), T0) is False
    assert store.outbox.add(message("k1", destination="webhook"), T0) is True
    store.outbox.add_all([message("k1"), message("k2")], T0)  # the repeat is skipped, the new one kept
    assert [(r.destination, r.idempotency_key) for r in store.outbox.rows()] == [
        ("pagerduty", "k1"),
        ("webhook", "k1"),
        ("pagerduty", "k2"),
    ]


def test_only_the_oldest_waiting_row_of_each_ordering_key_is_due(store):
    store.outbox.add_all([message("a1"), message("a2"), message("b1", ordering="other")], T0)
    first, second, other = store.outbox.rows()
    assert [r.id for r in store.outbox.due(T0)] == [first.id, other.id]
    store.outbox.failed(first.id, state=State.RETRYING, next_attempt_at=T0 + timedelta(minutes=1), error="HTTP 503")
    assert [r.id for r in store.outbox.due(T0)] == [other.id]  # a2 waits behind a1's retry
    assert store.outbox.next_due_at() == T0
    store.outbox.delivered(first.id, T0 + timedelta(minutes=1))
    assert [r.id for r in store.outbox.due(T0)] == [second.id, other.id]
    delivered = store.outbox.get(first.id)
    assert (delivered.state, delivered.attempts, delivered.last_error) == (State.DELIVERED, 2, None)


def test_dead_rows_do_not_block_and_requeue_starts_a_new_window(store):
    store.outbox.add_all([message("a1"), message("a2")], T0)
    first, second = store.outbox.rows()
    store.outbox.failed(first.id, state=State.DEAD, next_attempt_at=T0, error="HTTP 400: bad")
    assert [r.id for r in store.outbox.due(T0)] == [second.id]
    assert store.outbox.counts() == {("pagerduty", State.DEAD): 1, ("pagerduty", State.PENDING): 1}
    later = T0 + timedelta(hours=30)
    assert store.outbox.requeue(None, later) == [first.id]
    requeued = store.outbox.get(first.id)
    assert (requeued.state, requeued.attempts, requeued.attempts_since) == (State.PENDING, 0, later)
    assert requeued.last_error == "HTTP 400: bad"  # kept until the next attempt says otherwise
    assert store.outbox.requeue(first.id, later) == []  # not dead any more


def test_rows_written_by_an_event_hook_commit_or_roll_back_with_the_change(store, new_incident):
    woken = []
    store.outbox.on_added(lambda: woken.append(True))
    store.events.subscribe(lambda connection, event, incident: store.outbox.add(message(f"e{event.id}"), event.at))
    number = new_incident().number
    assert len(store.outbox.rows()) == 1 and woken == [True]
    with pytest.raises(RuntimeError), store.transaction():
        store.events.add(number, EventKind.NOTE_ADDED, data={"text": "x"}, at=T0)
        raise RuntimeError("the change fails after its event")
    assert len(store.outbox.rows()) == 1 and woken == [True]  # no row, no wake-up


def test_an_open_step_hands_its_hooks_the_incident_a_read_would_return(store, new_incident):
    # The outbox feed trusts the handed incident instead of reading it (the chat path of an open): it must be exact.
    handed = []

    def compare(connection, event, incident):
        if event.kind in (EventKind.STEP_DONE, EventKind.STEP_FAILED):
            handed.append((event.data["step"], incident, store.incidents.get(event.incident_number)))

    store.events.subscribe(compare)
    number = new_incident().number
    store.steps.failed(number, OpenStep.CHANNEL, "ratelimited")
    store.steps.set_channel(number, "C_NEW", "inc-1")
    store.steps.done_many(number, [OpenStep.TOPIC, OpenStep.INVITES], summary_ts="1.2")
    assert [step for step, _, _ in handed] == ["channel", "channel", "topic", "invites"]
    for _, incident, read in handed:
        assert incident == read
    assert handed[1][1].channel_id == "C_NEW" and handed[-1][1].summary_ts == "1.2"


def test_remote_links_remember_and_replace(store):
    assert store.remote.get("confluence:incident:1") is None
    store.remote.set("confluence:incident:1", {"page_id": "9", "version": 1}, T0)
    store.remote.set("confluence:incident:1", {"page_id": "9", "version": 2}, T0)
    assert store.remote.get("confluence:incident:1") == {"page_id": "9", "version": 2}
