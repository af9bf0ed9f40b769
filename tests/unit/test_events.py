"""Typed event payloads: every kind has one, each round-trips through the stored JSON, which keeps its keys."""

from datetime import UTC, datetime

import pytest

from redalert_core.domain import events as ev
from redalert_core.domain import problem_events as pe
from redalert_core.domain import timeline
from redalert_core.domain.event_payload import Payload, Unknown
from redalert_core.domain.incident import Event, EventKind

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

SAMPLES: list[Payload] = [
    ev.Opened(severity="sev2", description="db down", origin_channel="C1"),
    ev.Mentioned(users=["U1"], groups=["S1"]),
    ev.StepDone(step="channel", channel_id="C9", channel_name="inc-1"),
    ev.StepDone(step="topic"),
    ev.StepFailed(step="channel", error="ratelimited"),
    ev.SlackPending(),
    ev.AlertReceived(source="alertmanager", name="HighErrorRate", status="firing", fingerprint="a1b2"),
    ev.Invited(users=["U1", "U2"]),
    ev.InviteFailed(failed={"U3": "not_in_channel"}),
    ev.CloseStarted(resolution="fixed"),
    ev.CloseFailed(error="boom"),
    ev.Closed(resolution=None),
    ev.ClosingPosted(),
    ev.RoleAssigned(role="commander", user="U2", previous="U1"),
    ev.StatusChanged(from_=None, to="investigating", note="on it", resolved=False),
    ev.StatusChanged(from_="investigating", to="known-error", note=None),
    ev.SeverityChanged(from_="sev3", to="sev1"),
    ev.ChannelRenamed(from_="inc-1", to="inc-1-db"),
    ev.UpdatePosted(text="rolling back", ts="1.2"),
    ev.NoteAdded(text="a note"),
    ev.FieldSet(name="team", value="payments"),
    ev.TypeChanged(from_="outage", to="security"),
    ev.FieldSet(name="team", value="identity", at_open=True),
    ev.NoteAdded(text="pinned", ts="3.4", author=None),
    ev.Announced(channel="C2", ts="5.6"),
    ev.Reminded(reminder="update", gap_start=T0.isoformat(), to="U1"),
    ev.PostmortemUploaded(file="F1"),
    ev.PostmortemUploaded(file="F1", closing={"closed_at": T0.isoformat(), "closed_by": "U1", "resolution": None}),
    ev.Paged(severity="sev1"),
    ev.Paged(severity="sev2", routing_key="env:SECURITY_PD_KEY", summary="Leaked key"),
    ev.StatusPublished(
        update=4, first=True, title="Slow", status="investigating", body="b", components={"api": "degraded"}
    ),
    ev.StatusUnpublished(),
    ev.StatusFinalAsked(),
    pe.IncidentLinked(other=13, link_kind="caused-by", source=12, previous_kind="related"),
    pe.IncidentLinked(other=13, link_kind="caused-by", source=12),
    pe.IncidentUnlinked(other=13, link_kind="caused-by", source=12),
    pe.ProblemLinked(problem=3, title="disk"),
    pe.ProblemUnlinked(problem=3, title="disk"),
    pe.ProblemUpdated(problem=3, title="disk", change="status", from_="investigating", to="resolved", note=None),
    pe.ProblemUpdated(problem=3, title="disk", change="cause", text="logs"),
    pe.ProblemOpened(title="disk", incidents=[1, 2]),
    pe.IncidentAdded(incident=1, commander_counts=True),
    pe.IncidentRemoved(incident=1),
    pe.CauseSet(text="logs", previous=None),
    pe.WorkaroundSet(text="rotate", previous="old"),
    pe.StaleReminded(to=["U1"]),
    pe.TaskCreated(task=5, text="fix", owner="U1", due="2026-03-02"),
    pe.TaskDone(task=5, text="fix", note="done", owner="U1"),
    pe.TaskDone(task=5, text="fix", note=None, owner="U1", by_name="Alice in Jira"),
    pe.TaskReopened(task=5, text="fix"),
    pe.TaskAssigned(task=5, text="fix", owner="U2", previous="U1"),
    pe.TaskDueChanged(task=5, text="fix", due="2026-03-05", previous=None),
    pe.TaskNudged(task=5, day="2026-03-06", to="U2"),
]


def test_every_kind_has_one_payload_class():
    assert set(ev.BY_KIND) == {kind.value for kind in EventKind}
    assert {type(sample).kind for sample in SAMPLES} == set(EventKind)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: f"{s.kind}-{len(s.to_data())}")
def test_round_trip_through_the_stored_json(sample):
    event = Event(incident_number=1, kind=sample.kind, at=T0, data=sample.to_data())
    assert ev.payload_of(event) == sample


@pytest.mark.parametrize(
    ("sample", "stored"),
    [
        (
            ev.StatusChanged(from_="a", to="b", note=None, resolved=True),
            {"from": "a", "to": "b", "note": None, "resolved": True},
        ),
        (ev.StatusChanged(from_="a", to="b"), {"from": "a", "to": "b", "note": None}),  # a problem's
        (ev.StepDone(step="topic"), {"step": "topic"}),
        (ev.NoteAdded(text="x"), {"text": "x"}),
        (ev.NoteAdded(text="x", ts="1.2"), {"text": "x", "ts": "1.2", "author": None}),
        (pe.IncidentLinked(other=2, link_kind="caused-by", source=1), {"other": 2, "kind": "caused-by", "source": 1}),
        (
            pe.ProblemUpdated(problem=3, title="t", change="status", from_="a", to="b"),
            {"problem": 3, "title": "t", "change": "status", "from": "a", "to": "b", "note": None},
        ),
        (
            pe.ProblemUpdated(problem=3, title="t", change="workaround", text="w"),
            {"problem": 3, "title": "t", "change": "workaround", "text": "w"},
        ),
        (
            pe.TaskCreated(task=5, text="fix", owner=None, due=None),
            {"task": 5, "text": "fix", "owner": None, "due": None},
        ),
        (ev.ClosingPosted(), {}),
    ],
)
def test_the_stored_json_keeps_its_keys_and_their_order(sample, stored):
    data = sample.to_data()
    assert data == stored and list(data) == list(stored)


def test_older_payloads_without_optional_keys_still_read():
    event = Event(incident_number=1, kind=EventKind.ROLE_ASSIGNED, at=T0, data={"role": "commander", "user": "U1"})
    assert ev.payload_of(event) == ev.RoleAssigned(role="commander", user="U1", previous=None)


def test_a_kind_from_a_newer_version_stays_readable():
    event = Event(incident_number=1, kind="future_kind", at=T0, data={"x": 1})  # type: ignore[arg-type]
    payload = ev.payload_of(event)
    assert payload == Unknown("future_kind", {"x": 1}) and payload.to_data() == {"x": 1}


def test_a_payload_without_a_needed_key_reads_as_unknown():
    assert ev.read(EventKind.ROLE_ASSIGNED, {"role": "commander"}) == Unknown("role_assigned", {"role": "commander"})


def test_keys_a_newer_version_added_are_ignored():
    assert ev.read("task_reopened", {"task": 5, "text": "fix", "by_bot": True}) == pe.TaskReopened(task=5, text="fix")


@pytest.mark.parametrize("sample", [s for s in SAMPLES if isinstance(s, pe.TASK_EVENTS)], ids=lambda s: str(s.kind))
def test_a_task_event_reads_the_same_in_an_incident_and_a_problem_timeline(sample):
    in_incident = Event(incident_number=1, kind=sample.kind, at=T0, actor="U1", data=sample.to_data())
    in_problem = Event(
        incident_number=None, kind=sample.kind, at=T0, actor="U1", data=sample.to_data(), problem_number=3
    )
    told = timeline.describe(in_incident, str, str)
    assert told and told == timeline.describe(in_problem, str, str)


def test_the_timeline_tells_every_kind_or_skips_it_quietly():
    for sample in SAMPLES:
        event = Event(incident_number=12, kind=sample.kind, at=T0, actor="U1", data=sample.to_data())
        timeline.describe(event, str, str)  # no KeyError, whatever the kind
    assert timeline.describe(Event(1, "future_kind", T0, data={"x": 1}), str, str) is None  # type: ignore[arg-type]


def test_a_field_set_stored_before_at_open_existed_reads_as_a_later_change():
    event = Event(incident_number=1, kind=EventKind.FIELD_SET, at=T0, data={"name": "team", "value": "payments"})
    assert ev.payload_of(event) == ev.FieldSet(name="team", value="payments", at_open=False)
