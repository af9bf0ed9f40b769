"""CLOSING between the start of a close and the archive's success; open steps recorded a wave at a time."""

from __future__ import annotations

import pytest

from redalert_core.domain.incident import OPEN_STEPS, EventKind, OpenStep, Phase
from redalert_core.store import AlreadyClosed


def test_begin_close_marks_closing_and_lists_it_among_the_not_closed(store, new_incident) -> None:
    number = new_incident().number
    closing = store.incidents.begin_close(number, actor="U_C", resolution="fixed", also_log=("closing_posted",))
    assert closing.phase is Phase.CLOSING and store.incidents.get(number).phase is Phase.CLOSING
    listed, total = store.incidents.list(include_closed=False)
    assert total == 1 and listed[0].phase is Phase.CLOSING
    assert [i.number for i in store.incidents.closing()] == [number]
    kinds = [e.kind for e in store.events.list(number)]
    assert kinds[-2:] == ["closing_posted", EventKind.CLOSE_STARTED]
    assert store.events.list(number)[-1].data == {"resolution": "fixed"}


def test_abort_close_returns_to_the_phase_the_steps_give(store, new_incident) -> None:
    number = new_incident().number
    store.incidents.begin_close(number, actor="U_C", resolution=None)
    assert store.incidents.abort_close(number, error="restricted_action").phase is Phase.OPENING
    store.steps.done_many(number, [s for s in OPEN_STEPS if s is not OpenStep.PIN])
    store.incidents.begin_close(number, actor="U_C", resolution=None)
    reopened = store.incidents.abort_close(number, error="internal_error")
    assert reopened.phase is Phase.OPEN == store.incidents.get(number).phase
    assert store.events.list(number)[-1].data == {"error": "internal_error"}
    assert store.incidents.abort_close(number, error="x") == store.incidents.get(number)  # not closing: unchanged


def test_a_closing_or_closed_incident_gets_no_intended_channel(store, new_incident) -> None:
    number = new_incident().number
    store.incidents.begin_close(number, actor="U_C", resolution=None)
    with pytest.raises(AlreadyClosed):
        store.steps.set_intended_channel_name(number, "sev1-late")
    store.incidents.close(number, closed_by="U_C", closed_at=store.incidents.get(number).opened_at, resolution=None)
    with pytest.raises(AlreadyClosed):
        store.steps.set_intended_channel_name(number, "sev1-late")
    assert store.incidents.get(number).channel_name is None
    assert store.incidents.get(number).pending_steps() == []  # closed: nothing left to open


def test_a_wave_is_recorded_at_once_with_the_summary_ts(store, new_incident) -> None:
    number = new_incident().number
    store.steps.set_channel(number, "C1", "sev1-wave")
    wave = [OpenStep.TOPIC, OpenStep.PURPOSE, OpenStep.INVITES, OpenStep.SUMMARY]
    incident = store.steps.done_many(number, wave, summary_ts="123.456")
    assert incident == store.incidents.get(number)
    assert incident.summary_ts == "123.456" and incident.pending_steps() == [OpenStep.PIN, OpenStep.REPLY]
    store.steps.done_many(number, wave)  # again: no second event
    done = [e.data["step"] for e in store.events.list(number) if e.kind == EventKind.STEP_DONE]
    assert done == ["channel", "topic", "purpose", "invites", "summary"]
    assert store.steps.done(number, OpenStep.REPLY).phase is Phase.OPEN  # the pin does not hold OPEN back
    assert [i.number for i in store.incidents.unfinished()] == [number]  # but it is still to be resumed
    store.steps.done(number, OpenStep.PIN)
    assert store.incidents.unfinished() == []
