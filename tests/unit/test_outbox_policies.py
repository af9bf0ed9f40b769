"""Every mapping from a logged event to outside calls (domain/outbox_policies.py), without any I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from redalert_core.domain import outbox_policies as policies
from redalert_core.domain.incident import Event, EventKind, Incident, Phase
from redalert_core.domain.outbox import CONFLUENCE, PAGERDUTY, WEBHOOK
from redalert_core.domain.settings import validate

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
KEY1, KEY2 = "A" * 32, "env:PD_SEV2"
HOOK = {"url": "https://hooks.example.com/in", "events": ["incident.opened", "incident.updated", "incident.closed"]}
SETTINGS = validate(
    {
        "PAGERDUTY_ROUTING_KEYS": {"sev1": KEY1, "sev2": KEY2},
        "WEBHOOKS": [{**HOOK, "secret": "env:HOOK_SECRET"}],
        "CONFLUENCE_SPACE_KEY": "OPS",
    }
)
INCIDENT = Incident(
    number=12,
    severity="sev1",
    description="Checkout is down",
    opened_by="U1",
    opened_at=T0,
    phase=Phase.OPEN,
    channel_id="C12",
    channel_name="sev1-checkout",
)
OPEN_PAGE = {"routing_key": KEY1, "open": True, "acknowledged": False}


def event(kind: EventKind, data: dict | None = None, event_id: int = 7, actor: str | None = "U1") -> Event:
    return Event(incident_number=12, kind=kind, at=T0, actor=actor, data=data or {}, id=event_id)


def plan(ev: Event, incident: Incident = INCIDENT, **context) -> policies.Plan:
    fields = {"incident": incident, "settings": SETTINGS, "status": "investigating", **context}
    return policies.plan(ev, policies.Context(**fields))


def pd(result: policies.Plan) -> list[dict]:
    return [m.payload for m in result.messages if m.destination == PAGERDUTY]


def webhook_types(result: policies.Plan) -> list[str]:
    return [m.payload["body"]["type"] for m in result.messages if m.destination == WEBHOOK]


CHANNEL_DONE = event(EventKind.STEP_DONE, {"step": "channel", "channel_id": "C12"})


def test_opening_triggers_with_the_incidents_details():
    result = plan(CHANNEL_DONE)
    [trigger] = pd(result)
    assert trigger["event_action"] == "trigger"
    assert trigger["routing_key"] == KEY1 and trigger["dedup_key"] == "redalert-incident-12"
    body = trigger["payload"]
    assert body["summary"] == "Checkout is down" and body["source"] == "redalert" and body["severity"] == "critical"
    assert body["custom_details"] == {"number": 12, "severity": "sev1", "channel": "#sev1-checkout", "opener": "U1"}
    assert trigger["links"][0]["href"] == "https://slack.com/app_redirect?channel=C12"
    assert policies.alert_state(pd(result)) == OPEN_PAGE
    assert webhook_types(result) == ["incident.opened"]


def test_a_failed_channel_step_still_pages_without_a_link_and_only_once():
    failed = event(EventKind.STEP_FAILED, {"step": "channel", "error": "ratelimited"})
    [trigger] = pd(plan(failed, replace(INCIDENT, channel_id=None)))
    assert "links" not in trigger and trigger["payload"]["custom_details"]["channel"] is None
    assert pd(plan(CHANNEL_DONE, paging=OPEN_PAGE)) == []  # the later channel step pages no second time


def test_the_summary_is_clipped_to_1024_characters():
    [trigger] = pd(plan(CHANNEL_DONE, replace(INCIDENT, description="x" * 2000)))
    assert len(trigger["payload"]["summary"]) == 1024


def test_other_open_steps_do_nothing():
    assert plan(event(EventKind.STEP_DONE, {"step": "topic"})).messages == []


def test_a_severity_without_routing_key_does_not_page():
    assert pd(plan(CHANNEL_DONE, replace(INCIDENT, severity="sev3"))) == []


@pytest.mark.parametrize(("position", "level"), [("sev1", "critical"), ("sev2", "error"), ("sev3", "warning")])
def test_default_pagerduty_severities_follow_the_order(position, level):
    assert SETTINGS.integrations.pagerduty_severity(position) == level


def test_configured_pagerduty_severity_wins():
    settings = validate({"PAGERDUTY_ROUTING_KEYS": {"sev4": KEY1}, "PAGERDUTY_SEVERITIES": {"sev4": "info"}})
    ctx = policies.Context(incident=replace(INCIDENT, severity="sev4"), settings=settings, status="investigating")
    [trigger] = pd(policies.plan(CHANNEL_DONE, ctx))
    assert trigger["payload"]["severity"] == "info"


def test_first_status_change_acknowledges_once():
    change = event(EventKind.STATUS_CHANGED, {"from": "investigating", "to": "identified"})
    result = plan(change, paging=OPEN_PAGE)
    [ack] = pd(result)
    assert (ack["event_action"], ack["routing_key"], ack["dedup_key"]) == ("acknowledge", KEY1, "redalert-incident-12")
    assert set(ack) == {"routing_key", "event_action", "dedup_key"}
    acknowledged = policies.alert_state(pd(result), start=OPEN_PAGE)
    assert acknowledged["acknowledged"] is True
    again = event(EventKind.STATUS_CHANGED, {"from": "identified", "to": "monitoring"}, event_id=8)
    assert pd(plan(again, paging=acknowledged)) == []
    assert webhook_types(result) == ["incident.updated"]


def test_resolved_status_resolves_and_close_then_sends_nothing_more():
    resolved = event(EventKind.STATUS_CHANGED, {"from": "identified", "to": "resolved", "resolved": True})
    result = plan(resolved, paging=OPEN_PAGE)
    assert [p["event_action"] for p in pd(result)] == ["resolve"]
    after = policies.alert_state(pd(result), start=OPEN_PAGE)
    assert after == {**OPEN_PAGE, "open": False}
    closed = replace(INCIDENT, phase=Phase.CLOSED, closed_at=T0, closed_by="U1")
    assert pd(plan(event(EventKind.CLOSED, {"resolution": "ok"}), closed, paging=after)) == []


def test_close_resolves_an_open_page_with_the_triggers_routing_key():
    paging = {**OPEN_PAGE, "routing_key": KEY2}  # triggered at sev2; the severity has changed since
    closed = replace(INCIDENT, phase=Phase.CLOSED, closed_at=T0, closed_by="U1")
    result = plan(event(EventKind.CLOSED, {"resolution": "ok"}), closed, paging=paging)
    [resolve] = pd(result)
    assert (resolve["event_action"], resolve["routing_key"]) == ("resolve", KEY2)
    assert webhook_types(result) == ["incident.closed"]


def test_status_changes_without_a_page_send_nothing_to_pagerduty():
    change = event(EventKind.STATUS_CHANGED, {"from": "investigating", "to": "identified"})
    assert pd(plan(change, replace(INCIDENT, severity="sev3"))) == []


def test_a_severity_change_gaining_a_routing_key_triggers():
    raised = replace(INCIDENT, severity="sev1")
    result = plan(event(EventKind.SEVERITY_CHANGED, {"from": "sev3", "to": "sev1"}), raised)
    [trigger] = pd(result)
    assert trigger["event_action"] == "trigger" and trigger["routing_key"] == KEY1
    assert webhook_types(result) == ["incident.updated"]


def test_a_severity_change_to_another_routing_key_moves_the_page():
    lowered = replace(INCIDENT, severity="sev2")
    result = plan(event(EventKind.SEVERITY_CHANGED, {"from": "sev1", "to": "sev2"}), lowered, paging=OPEN_PAGE)
    assert [(p["event_action"], p["routing_key"]) for p in pd(result)] == [("resolve", KEY1), ("trigger", KEY2)]
    assert policies.alert_state(pd(result), start=OPEN_PAGE) == {**OPEN_PAGE, "routing_key": KEY2}


def test_a_severity_change_keeping_the_key_or_losing_it_sends_nothing():
    assert pd(plan(event(EventKind.SEVERITY_CHANGED, {"from": "sev1", "to": "sev3"}), paging=OPEN_PAGE)) == []
    resolved = event(EventKind.SEVERITY_CHANGED, {"from": "sev3", "to": "sev1"})
    assert pd(plan(resolved, status="resolved")) == []  # a resolved incident is not paged again


def test_page_by_hand_triggers_for_the_severity_given():
    result = plan(event(EventKind.PAGED, {"severity": "sev2"}), replace(INCIDENT, severity="sev3"))
    [trigger] = pd(result)
    assert trigger["routing_key"] == KEY2 and trigger["payload"]["severity"] == "error"
    assert result.messages[0].idempotency_key == "12:trigger:7"


def test_webhook_updates_carry_the_change_and_the_incident_as_stored():
    roles = {"commander": "U2"}
    result = plan(event(EventKind.ROLE_ASSIGNED, {"role": "commander", "user": "U2", "previous": None}), roles=roles)
    [message] = [m for m in result.messages if m.destination == WEBHOOK]
    body = message.payload["body"]
    assert body["type"] == "incident.updated" and body["timestamp"] == "2026-11-30T12:00:00Z"
    assert body["data"]["roles"] == roles and body["data"]["number"] == 12
    assert body["data"]["change"] == {"what": "role", "by": "U1", "role": "commander", "user": "U2", "previous": None}
    assert message.payload["id"] == "event-7" and message.payload["secret"] == "env:HOOK_SECRET"
    update = plan(event(EventKind.UPDATE_POSTED, {"text": "rolling back"}))
    assert [m.payload["body"]["data"]["change"]["text"] for m in update.messages] == ["rolling back"]


def test_webhooks_only_get_the_events_they_subscribe_to_and_never_private_incidents():
    settings = validate({"WEBHOOKS": [{**HOOK, "events": ["incident.closed"], "secret": "env:S"}]})
    ctx = policies.Context(incident=INCIDENT, settings=settings, status="investigating")
    assert policies.plan(CHANNEL_DONE, ctx).messages == []
    assert plan(CHANNEL_DONE, replace(INCIDENT, is_private=True, severity="sev3")).messages == []


def test_every_postmortem_publishes_to_confluence_but_not_for_private_incidents():
    uploaded = event(EventKind.POSTMORTEM_UPLOADED, {"file": "F1"})
    [message] = plan(uploaded, postmortem="<p>x</p>").messages
    assert message.destination == CONFLUENCE and message.ordering_key == "confluence:incident:12"
    assert message.payload["title"] == "Post-mortem: incident 12: Checkout is down"
    assert message.payload["space_key"] == "OPS" and message.payload["body"] == "<p>x</p>"
    assert plan(uploaded, replace(INCIDENT, is_private=True), postmortem="<p>x</p>").messages == []


def test_ordering_keys_group_one_incident_per_destination():
    result = plan(CHANNEL_DONE)
    assert {m.ordering_key for m in result.messages if m.destination == PAGERDUTY} == {"pagerduty:incident:12"}
    [hook] = [m for m in result.messages if m.destination == WEBHOOK]
    assert hook.ordering_key.startswith("webhook:") and hook.ordering_key.endswith(":incident:12")


def test_the_alert_state_is_read_from_its_messages_in_order():
    trigger = {"event_action": "trigger", "routing_key": KEY1}
    assert policies.alert_state([]) is None  # never paged
    assert policies.alert_state([{"event_action": "resolve", "routing_key": KEY1}]) is None
    acknowledged = policies.alert_state([trigger, {"event_action": "acknowledge", "routing_key": KEY1}])
    assert acknowledged == {**OPEN_PAGE, "acknowledged": True}
    # A resolve of another key (the alert moved) leaves the current alert open; a new trigger starts afresh.
    moved = [
        trigger,
        {"event_action": "trigger", "routing_key": KEY2},
        {"event_action": "resolve", "routing_key": KEY1},
    ]
    assert policies.alert_state(moved) == {**OPEN_PAGE, "routing_key": KEY2}
    assert policies.alert_state([trigger], start={**OPEN_PAGE, "open": False}) == OPEN_PAGE
