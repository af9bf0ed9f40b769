"""PagerDuty and signed webhooks through the outbox, against the emulators: mappings end to end, order, retries,
dead rows and their requeue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from outbox_support import ROUTING_KEY, make_core, webhook_config

from outside_emulators import PagerDutyEmulator
from redalert_core.domain.outbox import PAGERDUTY, SLACK, WEBHOOK, State

ALL_EVENTS = ["incident.opened", "incident.updated", "incident.closed"]


@pytest.fixture
def pd():
    with PagerDutyEmulator(routing_keys=[ROUTING_KEY]) as emulator:
        yield emulator


@pytest.fixture
def core(emulator, tmp_path, pd, hooks):
    core = make_core(
        emulator,
        tmp_path,
        pagerduty=pd,
        config={"PAGERDUTY_ROUTING_KEYS": {"sev1": ROUTING_KEY}, "WEBHOOKS": [webhook_config(hooks, ALL_EVENTS)]},
    )
    hooks.clock = lambda: core.clock.now.timestamp()  # signatures are timed by the bot's clock
    return core


def test_nothing_is_sent_before_the_dispatcher_runs_and_the_lifecycle_arrives_in_order(core, pd, hooks):
    incident = core.open()
    core.status(incident.number, "identified")
    core.response.post_update(incident.number, core.asker(), "Rolling back")
    core.status(incident.number, "resolved")
    core.close(incident.number)
    assert pd.events == [] and hooks.deliveries == []  # the commands returned without any outside call
    core.deliver()
    key = f"redalert-incident-{incident.number}"
    assert pd.actions_for(key) == ["trigger", "acknowledge", "resolve"]
    assert pd.alert(key).status == "resolved"
    trigger = pd.events_for(key)[0].body
    assert trigger["payload"]["severity"] == "critical" and trigger["payload"]["summary"] == "Checkout is down"
    assert trigger["payload"]["custom_details"]["channel"].startswith("#sev1-")
    assert trigger["links"][0]["href"].endswith(incident.channel_id if incident.channel_id else "")
    received = hooks.deliveries
    assert all(d.verified and not d.duplicate for d in received)
    assert [d.type for d in received] == ["incident.opened"] + ["incident.updated"] * 3 + ["incident.closed"]
    changes = [d.json()["data"].get("change", {}).get("what") for d in received]
    assert changes == [None, "status", "update", "status", None]
    assert received[-1].json()["data"]["status"] == "closed"


def test_a_severity_gaining_a_routing_key_pages_and_by_hand_too(core, pd):
    incident = core.open(severity="sev3")
    core.deliver()
    assert pd.events == []
    core.response.change_severity(incident.number, core.asker(), "sev1")
    core.deliver()
    assert pd.actions_for(f"redalert-incident-{incident.number}") == ["trigger"]
    core.configure(PAGERDUTY_ROUTING_KEYS={"sev1": ROUTING_KEY, "sev2": "Q" * 32})
    pd.add_routing_key("Q" * 32)
    fresh = core.incidents.store.incidents.get(incident.number)
    paged = core.integrations.page(fresh, "U0ADMIN", "sev2")
    assert (paged.severity, paged.level, paged.already_open) == ("sev2", "error", False)
    core.deliver()
    events = pd.events_for(f"redalert-incident-{incident.number}")
    moves = [(e.event_action, e.routing_key[0]) for e in events]
    assert moves == [("trigger", "R"), ("resolve", "R"), ("trigger", "Q")]


@pytest.mark.parametrize("mode", ["503", "refuse", "drop"])
def test_a_ten_minute_outage_during_five_incidents_loses_nothing_and_duplicates_nothing(core, pd, hooks, mode):
    pd.outage(True, mode=mode)
    hooks.outage(True, mode=mode)
    numbers = []
    for i in range(5):
        incident = core.open(description=f"Outage test {i}")
        numbers.append(incident.number)
        core.deliver()
        core.clock.advance(60)
        core.status(incident.number, "identified")
        core.deliver()
        core.clock.advance(30)
        core.status(incident.number, "resolved")
        core.deliver()
        core.clock.advance(30)
    assert core.clock.now - core.store.outbox.rows()[0].created_at == timedelta(minutes=10)
    assert pd.events == [] and hooks.unique == []
    assert all(r.state in (State.PENDING, State.RETRYING) for r in core.store.outbox.rows())
    pd.outage(False)
    hooks.outage(False)
    core.clock.advance(60)  # the longest wait between two tries: a minute after the return, everything goes out
    for _ in range(10):
        if not core.deliver():
            break
    for number in numbers:
        assert pd.actions_for(f"redalert-incident-{number}") == ["trigger", "acknowledge", "resolve"]
    assert all(e.applied for e in pd.events)
    received = hooks.unique
    assert len(received) == len(hooks.deliveries) == 15  # once each, no redelivery
    for number in numbers:
        mine = [d for d in received if d.json()["data"]["number"] == number]
        assert [d.type for d in mine] == ["incident.opened", "incident.updated", "incident.updated"]
        assert [d.json()["data"]["change"]["to"] for d in mine[1:]] == ["identified", "resolved"]
    assert core.rows(state=State.DEAD) == []


def test_a_429_waits_for_retry_after(core, pd):
    pd.fail_next(1, status=429, retry_after=120)
    core.open()
    core.deliver()
    [row] = core.rows(PAGERDUTY)
    assert row.state is State.RETRYING and row.next_attempt_at == core.clock.now + timedelta(seconds=120)
    assert "HTTP 429" in row.last_error
    core.clock.advance(119)
    core.deliver()
    assert pd.events == []
    core.clock.advance(1)
    core.deliver()
    assert [e.event_action for e in pd.events] == ["trigger"]


def test_a_resolve_never_overtakes_its_trigger(core, pd):
    pd.fail_next(1, status=503)
    incident = core.open()
    core.deliver()  # the trigger fails and waits
    core.status(incident.number, "resolved")
    core.deliver()  # the resolve is due now, but its trigger is not: nothing is sent
    assert pd.events == []
    core.clock.advance(60)
    core.deliver()
    assert pd.actions_for(f"redalert-incident-{incident.number}") == ["trigger", "resolve"]


def test_gives_up_after_the_configured_time(core, pd, emulator):
    core.configure(OUTBOX_GIVE_UP_HOURS=1)
    pd.outage(True)
    incident = core.open()
    core.deliver_until_quiet(step=timedelta(minutes=5))
    [row] = core.rows(PAGERDUTY)
    assert row.state is State.DEAD and "gave up after 1 h" in row.last_error
    assert row.next_attempt_at - row.created_at <= timedelta(hours=1)  # dead (at next_attempt_at) within the hour
    warnings = [m for m in emulator.messages(incident.channel_id) if "could not deliver to pagerduty" in m["text"]]
    assert len(warnings) == 1


def test_a_400_is_dead_at_once_with_its_reason_warns_once_and_can_be_requeued(core, pd, emulator):
    pd.routing_keys = {"S" * 32}  # the configured key does not exist in PagerDuty
    incident = core.open()
    core.deliver()
    [row] = core.rows(PAGERDUTY)
    assert row.state is State.DEAD and row.attempts == 1
    assert row.error_reason == "HTTP 400 (Bad Request)"
    assert row.error_detail.startswith("Event object is invalid")
    assert ROUTING_KEY not in row.last_error
    [notice] = core.rows(SLACK)
    assert notice.state is State.DELIVERED
    texts = [m["text"] for m in emulator.messages(incident.channel_id)]
    assert sum("could not deliver to pagerduty" in t for t in texts) == 1
    report = core.integrations.report()
    assert report.counts["pagerduty"] == {State.DEAD: 1} and report.rows[0].id == row.id
    pd.add_routing_key(ROUTING_KEY)
    assert core.integrations.retry(str(row.id)) == [row.id]
    core.deliver()
    assert core.store.outbox.get(row.id).state is State.DELIVERED
    assert [e.event_action for e in pd.events] == ["trigger"]


def test_a_redelivery_after_a_crash_does_not_page_twice(core, pd, hooks):
    incident = core.open()
    for row in core.waiting():  # delivered, then the process dies before recording it
        core.integrations.deliverers.deliver(row)
    core.deliver()  # after the restart every row is delivered again
    assert pd.actions_for(f"redalert-incident-{incident.number}") == ["trigger", "trigger"]
    assert len(pd.alerts) == 1  # PagerDuty folds the second into the same alert: one page
    assert len(hooks.deliveries) == 2 and len(hooks.unique) == 1  # same webhook-id: the receiver drops it


def test_private_incidents_page_but_send_no_webhooks(core, pd, hooks):
    core.open(private=True)
    core.deliver()
    assert [e.event_action for e in pd.events] == ["trigger"]
    assert core.rows(WEBHOOK) == [] and hooks.deliveries == []


def test_a_channel_that_fails_still_pages_once_and_the_retry_does_not_page_again(core, pd, hooks, emulator):
    emulator.inject_fault("conversations.create", "error", error="restricted_action")
    incident = core.open()
    assert incident.channel_id is None
    core.deliver()
    [trigger] = pd.events
    assert "links" not in trigger.body and trigger.payload["custom_details"]["channel"] is None
    core.incidents.resume(incident.number)  # `!incident retry`: the channel now exists
    core.status(incident.number, "identified")
    core.deliver()
    assert pd.actions_for(f"redalert-incident-{incident.number}") == ["trigger", "acknowledge"]
    assert [d.type for d in hooks.unique] == ["incident.opened", "incident.updated"]
