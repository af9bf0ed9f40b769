"""When Slack is down: opens are stored and numbered at once, outside systems are told without waiting for Slack,
and when Slack answers again every waiting open is finished once and the updates recorded meanwhile are posted in
order. Driven through the application against the Slack emulator (503 on every Web API method) and PagerDuty's."""

from __future__ import annotations

import time

import pytest
from integrations.outbox_support import ROUTING_KEY, make_core
from reliability.service_support import incident_channels
from slack_workspace import ADMIN

from outside_emulators import PagerDutyEmulator
from redalert_core.application.results import OpenRequest
from redalert_core.domain.incident import EventKind, OpenStep
from redalert_core.domain.outbox import SLACK
from redalert_core.store.analytics import Viewer

SLACK_DOWN = 1_000_000  # faults queued for every method: Slack answers 503 until the test clears them


@pytest.fixture
def pd():
    with PagerDutyEmulator(routing_keys=[ROUTING_KEY]) as emulator:
        yield emulator


@pytest.fixture
def core(emulator, tmp_path, pd):
    built = make_core(emulator, tmp_path, pagerduty=pd, config={"PAGERDUTY_ROUTING_KEYS": {"sev1": ROUTING_KEY}})
    yield built
    built.app.drain()
    built.app.incidents.shutdown()
    built.app.store.dispose()


def open_waiting(core, description: str, wait: float = 0.5):
    request = OpenRequest(severity="sev1", description=description, opened_by=ADMIN)
    return core.app.open_incident(request, wait=wait)


def test_an_open_while_slack_is_down_is_numbered_at_once_and_pages_without_waiting_for_slack(core, emulator, pd):
    emulator.inject_fault("*", "http503", times=SLACK_DOWN)
    started = time.monotonic()
    report = open_waiting(core, "Checkout is down")
    assert time.monotonic() - started < 1.5  # the wait, not Slack's retries
    assert report.slack_pending and report.incident.number == 1 and report.incident.channel_id is None
    core.deliver()
    assert pd.actions_for("redalert-incident-1") == ["trigger"]  # while Slack still fails
    kinds = [e.kind for e in core.store.events.list(1)]
    assert EventKind.SLACK_PENDING in kinds


def test_an_open_slack_finishes_within_the_wait_is_answered_with_its_channel(core, emulator):
    report = open_waiting(core, "Search is slow", wait=10.0)
    assert not report.slack_pending and report.incident.channel_id
    assert emulator.channel(report.incident.channel_id).name.startswith("sev1-")


def test_when_slack_is_back_waiting_opens_are_finished_once_and_updates_posted_in_order(core, emulator, pd):
    emulator.inject_fault("*", "http503", times=SLACK_DOWN)
    numbers = [open_waiting(core, f"Outage part {n}").incident.number for n in range(3)]
    asker = core.asker()
    assert core.app.post_update(asker, 1, "Rolling back the deploy").warnings  # recorded; posted later
    core.app.set_status(asker, 1, "identified", "Bad deploy")
    core.app.post_update(asker, 1, "Rollback finished")
    core.app.drain()  # the opens' own attempts have failed by now
    core.deliver()
    triggered = sorted(e.dedup_key for e in pd.events if e.event_action == "trigger")
    assert triggered == [f"redalert-incident-{n}" for n in numbers]  # paged while Slack is down
    assert core.app.retry_waiting_opens() == []  # Slack still down: nothing is tried beyond one probe
    assert not incident_channels(emulator)

    emulator.clear_faults()
    assert core.app.retry_waiting_opens() == []  # backing off: the next round is not due yet
    core.clock.advance(60)
    recovered = core.app.retry_waiting_opens()
    assert sorted(r.incident.number for r in recovered) == numbers and all(r.complete for r in recovered)
    assert core.app.retry_waiting_opens() == []  # nothing waits any more
    core.deliver()

    channels = incident_channels(emulator)
    assert len(channels) == 3 and len({c.name for c in channels}) == 3
    first = core.store.incidents.get(1)
    assert first.pending_steps() == [] and not core.app.waiting_opens.waiting()
    texts = [m.get("text", "") for m in emulator.messages(first.channel_id)]
    posted = [t for t in texts if "Rolling back" in t or "now *identified*" in t or "Rollback finished" in t]
    assert len(posted) == 3, texts
    assert "Rolling back" in posted[0] and "identified" in posted[1] and "Rollback finished" in posted[2]
    assert not [r for r in core.rows(SLACK) if r.state.value != "delivered"]
    assert [a for a in pd.actions_for("redalert-incident-1") if a == "trigger"] == ["trigger"]


def test_an_update_after_slack_returns_waits_behind_the_ones_still_queued(core, emulator):
    report = open_waiting(core, "Payments fail", wait=10.0)
    number = report.incident.number
    emulator.inject_fault("chat.postMessage", "http503", times=SLACK_DOWN)
    core.app.post_update(core.asker(), number, "First")
    emulator.clear_faults()
    outcome = core.app.post_update(core.asker(), number, "Second")
    assert outcome.warnings  # queued behind "First", not posted before it
    core.deliver()
    texts = [m.get("text", "") for m in emulator.messages(report.incident.channel_id)]
    order = [t for t in texts if "First" in t or "Second" in t]
    assert len(order) == 2 and "First" in order[0] and "Second" in order[1]


def test_the_web_report_shows_incidents_whose_slack_steps_are_pending(core, emulator):
    emulator.inject_fault("*", "http503", times=SLACK_DOWN)
    open_waiting(core, "Login broken")
    core.app.drain()
    viewer = Viewer(ADMIN, True)
    listing = core.app.web_report.incidents_page({}, viewer)
    assert "1 incident(s) wait for Slack" in listing and "Incident 1</a>: channel" in listing
    page = core.app.web_report.incident_page(1, viewer)
    assert page is not None and f"Slack pending: {OpenStep.CHANNEL.value}" in page
    emulator.clear_faults()
    core.clock.advance(60)
    core.app.retry_waiting_opens()
    assert "wait for Slack" not in core.app.web_report.incidents_page({}, viewer)
