"""`!incident invite` records its participants and their timeline event in one commit: neither without the other."""

from __future__ import annotations

import pytest
from slack_workspace import ALICE

from redalert_core.domain.commands import Mentions
from redalert_core.domain.incident import EventKind
from redalert_core.services.incidents import OpenRequest

from .conftest import DAVE, ERIN


def test_participants_and_their_event_are_written_together(stack, monkeypatch):
    store = stack.incidents.store
    number = stack.incidents.open(OpenRequest("sev2", "db slow", ALICE)).incident.number
    before = store.participants.list(number)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(store.events, "add", fail)
    with pytest.raises(RuntimeError):
        stack.incidents.invite(number=number, here=None, mentions=Mentions(users=[DAVE]), actor=ALICE)
    monkeypatch.undo()
    assert store.participants.list(number) == before  # the event failed: the participant rolled back with it

    stack.incidents.invite(number=number, here=None, mentions=Mentions(users=[ERIN]), actor=ALICE)
    assert store.participants.list(number) == [*before, ERIN]
    invited = [e for e in store.events.list(number) if e.kind == EventKind.INVITED]
    assert invited[-1].data == {"users": [ERIN]}
    stack.done()
