"""Open, list, invite, join, close and retry, each one call into the application."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_workspace import ADMIN, ALICE, BOB, CAROL

from redalert_core.application.app import RedAlertApp
from redalert_core.application.errors import ServiceError
from redalert_core.application.results import OpenRequest
from redalert_core.domain.commands import Mentions
from redalert_core.domain.incident import EventKind
from redalert_core.domain.requester import FrontEnd, Requester


def opened(app: RedAlertApp, *, by: str = ALICE, private: bool = False, dedup: str | None = None):
    request = OpenRequest(
        severity="sev2", description="Search is slow", opened_by=by, is_private=private, dedup_key=dedup
    )
    return app.open_incident(request)


def test_open_records_sets_up_announces_and_marks_the_answer_given(app, emulator):
    report = opened(app)
    incident = report.incident
    assert not report.duplicate and report.complete
    channel = emulator.channel(incident.channel_id)
    assert channel.name.startswith("sev2-") and ALICE in channel.members
    kinds = [e.kind for e in app.store.events.list(incident.number)]
    assert EventKind.OPENED in kinds and EventKind.ANNOUNCED not in kinds  # announced only where configured
    app.drain()  # the pin runs after the answer
    # The answer counts as given: a restart does not post "was interrupted" for it.
    assert app.store.incidents.get(incident.number).pending_steps() == []


def test_the_same_open_again_is_a_duplicate_and_changes_nothing(app, emulator):
    first = opened(app, dedup="C1:1.0")
    channels = len(emulator.channels())
    again = opened(app, dedup="C1:1.0")
    assert again.duplicate and again.incident.number == first.incident.number
    assert len(emulator.channels()) == channels


def test_a_recorded_open_is_finished_by_open_incident(app):
    request = OpenRequest(severity="sev3", description="Queue backlog", opened_by=BOB)
    recorded = app.record_open(request)
    assert recorded.incident.channel_id is None
    report = app.open_incident(request, recorded)
    assert report.incident.number == recorded.incident.number and report.incident.channel_id


def test_private_incidents_are_listed_to_their_people_and_admins_only(app):
    opened(app, private=True)
    opened(app, by=BOB)
    alice = Requester(ALICE, here="D0ALICE")
    carol = Requester(CAROL, here="D0CAROL")
    admin = Requester(ADMIN, here="D0ADMIN", is_admin=True)
    assert app.list_incidents(alice, include_closed=False)[1] == 2
    assert app.list_incidents(carol, include_closed=False)[1] == 1
    assert app.list_incidents(admin, include_closed=False)[1] == 2
    with pytest.raises(ServiceError, match="There is no incident 1"):
        app.find(carol, 1, "show")


def test_invite_join_and_close(app, emulator):
    incident = opened(app).incident
    alice = Requester(ALICE, here=incident.channel_id)
    invited = app.invite(alice, None, Mentions(users=[CAROL]))
    assert invited.outcome.invited == [CAROL] and CAROL in emulator.channel(incident.channel_id).members
    _, already = app.join(Requester(BOB, front_end=FrontEnd.INTERACTIVITY), incident.number)
    assert not already and BOB in emulator.channel(incident.channel_id).members
    app.clock.advance(timedelta(minutes=42))
    closed = app.close(alice, None, "Rolled back")
    assert closed.incident.is_closed and closed.incident.closed_at - closed.incident.opened_at == timedelta(minutes=42)
    assert emulator.channel(incident.channel_id).is_archived


def test_a_refusal_changes_nothing(app):
    incident = opened(app).incident
    app.drain()  # the pin runs after the answer; it is not part of what the refusal must leave alone
    events = len(app.store.events.list(incident.number))
    with pytest.raises(ServiceError, match="is not a status"):
        app.set_status(Requester(ALICE, here=incident.channel_id), None, "exploded", None)
    assert len(app.store.events.list(incident.number)) == events


def test_retry_of_a_complete_incident_says_so(app):
    incident = opened(app).incident
    retried = app.retry(Requester(ALICE), incident.number)
    assert retried.closed is None and retried.report is not None and retried.report.complete
