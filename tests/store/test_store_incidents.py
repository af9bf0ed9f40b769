"""Creating, finding, listing and opening incidents."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from redalert_core.domain.incident import OPEN_STEPS, EventKind, OpenStep, Phase
from redalert_core.store import DuplicateCommand, IncidentNotFound

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # the default opened_at of the new_incident fixture


def test_create_records_the_incident_and_an_opened_event(store, new_incident) -> None:
    incident = new_incident(severity="sev1", description="payments failing", is_private=True, dedup_key="k1")
    assert incident.number == 1
    assert incident.phase is Phase.OPENING
    assert incident.steps_done == ["recorded"]
    assert (incident.severity, incident.description, incident.is_private) == (
        "sev1",
        "payments failing",
        True,
    )
    assert store.incidents.get(1) == incident
    [opened] = store.events.list(1)
    assert opened.kind is EventKind.OPENED
    assert opened.actor == "U_OPENER"
    assert opened.at == T0
    assert opened.data == {
        "severity": "sev1",
        "description": "payments failing",
        "origin_channel": "C_ORIGIN",
    }


def test_numbers_increment(new_incident) -> None:
    assert [new_incident().number for _ in range(3)] == [1, 2, 3]


def test_lookups(store, new_incident) -> None:
    incident = new_incident(dedup_key="evt-1")
    store.steps.set_channel(incident.number, "C_INC1", "inc-1-checkout")
    assert store.incidents.get(99) is None
    assert store.incidents.get_by_channel("C_INC1").number == incident.number
    assert store.incidents.get_by_channel("C_OTHER") is None
    assert store.incidents.get_by_dedup_key("evt-1").number == incident.number
    assert store.incidents.get_by_dedup_key("evt-2") is None


def test_same_dedup_key_raises_duplicate_with_the_existing_incident(new_incident) -> None:
    first = new_incident(dedup_key="evt-1")
    with pytest.raises(DuplicateCommand) as raised:
        new_incident(dedup_key="evt-1", description="retry")
    assert raised.value.incident == first
    assert new_incident(dedup_key="evt-2").number == first.number + 1


def test_dedup_race_between_threads_has_one_winner(store, new_incident) -> None:
    racers = 4
    start = threading.Barrier(racers)
    created: list[int] = []
    duplicates: list[int] = []

    def open_incident() -> None:
        start.wait()
        try:
            created.append(new_incident(dedup_key="slack-event-42").number)
        except DuplicateCommand as duplicate:
            duplicates.append(duplicate.incident.number)

    threads = [threading.Thread(target=open_incident) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1
    assert duplicates == created * (racers - 1)
    assert store.incidents.list(include_closed=True)[1] == 1


def test_list_open_and_all_newest_first_with_total_and_limit(store, new_incident) -> None:
    for _ in range(3):
        new_incident()
    store.incidents.close(2, closed_by="U", closed_at=T0, resolution=None)
    page, total = store.incidents.list()
    assert ([i.number for i in page], total) == ([3, 1], 2)
    page, total = store.incidents.list(include_closed=True)
    assert ([i.number for i in page], total) == ([3, 2, 1], 3)
    page, total = store.incidents.list(include_closed=True, limit=2)
    assert ([i.number for i in page], total) == ([3, 2], 3)


def test_all_steps_done_makes_the_incident_open(store, new_incident) -> None:
    number = new_incident().number
    incident = store.steps.set_channel(number, "C_INC", "inc-1")
    assert incident.steps_done == ["recorded", "channel"]
    assert (incident.channel_id, incident.channel_name) == ("C_INC", "inc-1")
    for step in OPEN_STEPS[2:-1]:
        incident = store.steps.done(number, step, {"detail": step.value})
        assert incident.phase is Phase.OPENING
    assert [i.number for i in store.incidents.unfinished()] == [number]
    incident = store.steps.done(number, OpenStep.REPLY)
    assert incident.phase is Phase.OPEN
    assert incident.pending_steps() == []
    assert store.incidents.unfinished() == []
    step_events = [e for e in store.events.list(number) if e.kind is EventKind.STEP_DONE]
    assert [e.data["step"] for e in step_events] == [s.value for s in OPEN_STEPS[1:]]
    assert step_events[0].data == {"step": "channel", "channel_id": "C_INC", "channel_name": "inc-1"}
    assert step_events[1].data == {"step": "topic", "detail": "topic"}


def test_mark_step_done_is_idempotent(store, new_incident) -> None:
    number = new_incident().number
    store.steps.done(number, OpenStep.TOPIC)
    again = store.steps.done(number, OpenStep.TOPIC)
    assert again.steps_done == ["recorded", "topic"]
    assert [e.kind for e in store.events.list(number)] == [EventKind.OPENED, EventKind.STEP_DONE]


def test_finishing_steps_does_not_reopen_a_closed_incident(store, new_incident) -> None:
    number = new_incident().number
    store.incidents.close(number, closed_by="U", closed_at=T0, resolution=None)
    for step in OPEN_STEPS:
        incident = store.steps.done(number, step)
    assert incident.phase is Phase.CLOSED


def test_unfinished_is_oldest_first(store, new_incident) -> None:
    numbers = [new_incident().number for _ in range(3)]
    for step in OPEN_STEPS:
        store.steps.done(numbers[1], step)
    assert [i.number for i in store.incidents.unfinished()] == [numbers[0], numbers[2]]


def test_step_failed_and_summary_ts(store, new_incident) -> None:
    number = new_incident().number
    store.steps.done_many(number, [OpenStep.SUMMARY], summary_ts="1714564800.000100")
    store.steps.failed(number, OpenStep.INVITES, "ratelimited")
    assert store.incidents.get(number).summary_ts == "1714564800.000100"
    failed = store.events.list(number)[-1]
    assert (failed.kind, failed.data) == (EventKind.STEP_FAILED, {"step": "invites", "error": "ratelimited"})


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.steps.set_channel(7, "C", "c"),
        lambda s: s.steps.done(7, OpenStep.TOPIC),
        lambda s: s.steps.failed(7, OpenStep.TOPIC, "boom"),
        lambda s: s.steps.done_many(7, [OpenStep.SUMMARY], summary_ts="1.2"),
        lambda s: s.participants.add(7, ["U1"], source="mention"),
        lambda s: s.events.add(7, EventKind.INVITED),
        lambda s: s.incidents.close(7, closed_by="U", closed_at=T0, resolution=None),
    ],
)
def test_missing_incident_raises_not_found(store, call) -> None:
    with pytest.raises(IncidentNotFound) as raised:
        call(store)
    assert raised.value.number == 7


def test_datetimes_come_back_timezone_aware_utc(store, new_incident) -> None:
    paris_summer = timezone(timedelta(hours=2))
    opened_at = datetime(2024, 5, 1, 14, 30, 15, 123456, tzinfo=paris_summer)
    number = new_incident(opened_at=opened_at).number
    closed = store.incidents.close(number, closed_by="U", closed_at=opened_at + timedelta(hours=1), resolution="ok")
    incident = store.incidents.get(number)
    assert incident.opened_at == opened_at
    assert incident.opened_at.tzinfo is UTC
    assert incident.opened_at.hour == 12
    assert incident.closed_at.tzinfo is UTC
    assert closed == incident
    assert all(event.at.tzinfo is UTC for event in store.events.list(number))


def test_naive_datetimes_are_refused(new_incident) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        new_incident(opened_at=datetime(2024, 5, 1, 12, 0))


def test_a_channel_belongs_to_one_incident(store, new_incident) -> None:
    store.steps.set_channel(new_incident().number, "C_INC", "inc-1")
    with pytest.raises(sa.exc.IntegrityError):
        store.steps.set_channel(new_incident().number, "C_INC", "inc-2")
