"""Which outside calls a change causes: pure policies from one logged event to outbox messages.

The event hook (services/outbox_feed.py) runs these inside the change's transaction and writes what they return,
so a change and its calls commit together. Mappings:

- PagerDuty (incidents whose severity has a routing key): the incident opened (its channel step done or failed)
  → trigger; the first status change away from the initial status → acknowledge; the resolved status or closing
  → resolve; a severity change that gains a routing key → trigger (a changed key: resolve on the old, trigger on
  the new); `!incident page` → trigger. All with one dedup_key per incident and the routing key of the trigger.
- Webhooks (not for private incidents): incident.opened, incident.updated (status, severity, roles, update),
  incident.closed.
- Confluence (not for private incidents): every post-mortem → publish (create, later update, the page).
- Jira, with JIRA_INCIDENT_ISSUE_TYPE (not for private incidents): see jira_incident_policies.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .events import Paged, RoleAssigned, SeverityChanged, StatusChanged, StepDone, StepFailed, UpdatePosted, payload_of
from .incident import Event, EventKind, Incident, OpenStep
from .integrations_config import Webhook
from .outbox import CONFLUENCE, PAGERDUTY, WEBHOOK, OutboxMessage, Plan
from .settings import Settings
from .text import clip, severity_label

SUMMARY_LIMIT = 1024
SOURCE = "redalert"
CLIENT = "RedAlert"


@dataclass(frozen=True)
class Context:
    """The incident after the change, plus what the policies need to know besides the event."""

    incident: Incident
    settings: Settings
    status: str  # the workflow status now (the first configured status if nobody set one)
    roles: dict[str, str] = field(default_factory=dict)
    paging: dict | None = None  # the alert's state so far (alert_state): {"routing_key", "open", "acknowledged"}
    postmortem: str | None = None  # Confluence storage body, for POSTMORTEM_UPLOADED


def paging_link(number: int) -> str:
    return f"pagerduty:incident:{number}"


def confluence_link(number: int) -> str:
    return f"confluence:incident:{number}"


def dedup_key(number: int) -> str:
    """PagerDuty's dedup_key of an incident: stable, so every redelivery lands on the same alert."""
    return f"redalert-incident-{number}"


def channel_url(channel_id: str) -> str:
    return f"https://slack.com/app_redirect?channel={channel_id}"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def opened(event: Event) -> bool:
    """The moment an incident counts as opened for outside systems: its channel step ended (done or failed), so the
    page and the webhook carry the channel whenever there is one, and a Slack failure still pages. An open Slack has
    not finished within the front end's wait (SLACK_PENDING) counts too: outside systems never wait for Slack."""
    if event.kind == EventKind.SLACK_PENDING:
        return True
    if event.kind not in (EventKind.STEP_DONE, EventKind.STEP_FAILED):
        return False
    step = payload_of(event)
    return isinstance(step, StepDone | StepFailed) and step.step == OpenStep.CHANNEL.value


# Event kinds any policy reacts to: the event hook skips every other event without a query.
RELEVANT = frozenset(
    {
        EventKind.STEP_DONE,
        EventKind.STEP_FAILED,
        EventKind.SLACK_PENDING,
        EventKind.STATUS_CHANGED,
        EventKind.SEVERITY_CHANGED,
        EventKind.ROLE_ASSIGNED,
        EventKind.UPDATE_POSTED,
        EventKind.CLOSED,
        EventKind.PAGED,
        EventKind.POSTMORTEM_UPLOADED,
    }
)


def plan(event: Event, context: Context) -> Plan:
    result = Plan()
    _pagerduty(event, context, result)
    _webhooks(event, context, result)
    _confluence(event, context, result)
    _jira(event, context, result)
    return result


def _jira(event: Event, ctx: Context, result: Plan) -> None:
    from . import jira_incident_policies  # imported here: it is optional, and small

    incident = ctx.incident
    url = channel_url(incident.channel_id) if incident.channel_id else None
    result.messages += jira_incident_policies.messages(event, incident, ctx.settings, ctx.status, opened(event), url)


# --- PagerDuty ------------------------------------------------------------------------------------------------
def _pagerduty(event: Event, ctx: Context, result: Plan) -> None:
    integrations = ctx.settings.integrations
    incident, paging = ctx.incident, dict(ctx.paging or {})
    number = incident.number
    is_open = bool(paging.get("open"))
    kind = event.kind
    resolved_status = ctx.settings.resolved_status
    payload = payload_of(event)
    if opened(event):
        key = integrations.routing_key(incident.severity)
        if key and not paging:
            _trigger(result, ctx, key, incident.severity, f"{number}:trigger:opened")
    elif isinstance(payload, Paged):
        severity = payload.severity or incident.severity
        key = payload.routing_key or integrations.routing_key(severity)
        if key:
            if is_open and paging.get("routing_key") != key:
                _resolve(result, ctx, paging, f"{number}:resolve:{event.id}")
            _trigger(result, ctx, key, severity, f"{number}:trigger:{event.id}", payload.summary)
    elif isinstance(payload, SeverityChanged):
        key = integrations.routing_key(payload.to)
        if not key or incident.is_closed or ctx.status == resolved_status:
            return
        if not is_open:
            _trigger(result, ctx, key, incident.severity, f"{number}:trigger:{event.id}")
        elif paging.get("routing_key") != key:
            _resolve(result, ctx, paging, f"{number}:resolve:{event.id}")
            _trigger(result, ctx, key, incident.severity, f"{number}:trigger:{event.id}")
    elif isinstance(payload, StatusChanged) and is_open:
        to = payload.to
        if to == resolved_status:
            _resolve(result, ctx, paging, f"{number}:resolve:{event.id}")
        elif to != ctx.settings.statuses[0] and not paging.get("acknowledged"):
            result.messages.append(_message(ctx, paging["routing_key"], "acknowledge", f"{number}:ack:{event.id}"))
    elif kind == EventKind.CLOSED and is_open:
        _resolve(result, ctx, paging, f"{number}:resolve:{event.id}")


def _message(ctx: Context, routing_key: str, action: str, idempotency: str, body: dict | None = None) -> OutboxMessage:
    number = ctx.incident.number
    payload = {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key(number), **(body or {})}
    return OutboxMessage(
        destination=PAGERDUTY,
        ordering_key=paging_link(number),
        idempotency_key=idempotency,
        payload=payload,
        incident_number=number,
    )


def _trigger(
    result: Plan, ctx: Context, routing_key: str, severity: str, idempotency: str, summary: str | None = None
) -> None:
    incident = ctx.incident
    details = {
        "number": incident.number,
        "severity": severity,
        "channel": f"#{incident.channel_name}" if incident.channel_name and incident.channel_id else None,
        "opener": incident.opened_by,
    }
    body: dict = {
        "payload": {
            "summary": clip(summary or incident.description, SUMMARY_LIMIT),
            "source": SOURCE,
            "severity": ctx.settings.integrations.pagerduty_severity(severity),
            "timestamp": iso(incident.opened_at),
            "component": f"incident-{incident.number}",
            "group": severity_label(ctx.settings, severity),
            "custom_details": details,
        },
        "client": CLIENT,
    }
    if incident.channel_id:
        body["client_url"] = channel_url(incident.channel_id)
        body["links"] = [{"href": channel_url(incident.channel_id), "text": f"Slack channel #{incident.channel_name}"}]
    result.messages.append(_message(ctx, routing_key, "trigger", idempotency, body))


def _resolve(result: Plan, ctx: Context, paging: dict, idempotency: str) -> None:
    result.messages.append(_message(ctx, paging["routing_key"], "resolve", idempotency))


def alert_state(payloads: Iterable[dict], start: dict | None = None) -> dict | None:
    """An incident's PagerDuty alert after these messages' payloads (oldest first), from the state `start`.

    The outbox rows of an incident's alert are its history, so its state is read from them rather than kept
    apart: the open writes no second row for it. None: never triggered.
    """
    state = dict(start) if start else None
    for payload in payloads:
        action = payload.get("event_action")
        if action == "trigger":
            state = {"routing_key": payload["routing_key"], "open": True, "acknowledged": False}
        elif state is None or payload.get("routing_key") != state["routing_key"]:
            continue  # nothing triggered on that key
        elif action == "acknowledge":
            state["acknowledged"] = True
        elif action == "resolve":
            state["open"] = False
    return state


# --- webhooks -------------------------------------------------------------------------------------------------
def incident_data(ctx: Context) -> dict:
    """The incident as stored, as webhooks carry it."""
    incident = ctx.incident
    return {
        "number": incident.number,
        "severity": incident.severity,
        "description": incident.description,
        "status": "closed" if incident.is_closed else ctx.status,
        "channel_id": incident.channel_id,
        "channel_name": incident.channel_name,
        "opened_by": incident.opened_by,
        "opened_at": iso(incident.opened_at),
        "roles": dict(ctx.roles),
        "closed_at": iso(incident.closed_at),
        "closed_by": incident.closed_by,
        "resolution": incident.resolution,
    }


_UPDATES = {
    EventKind.STATUS_CHANGED: "status",
    EventKind.SEVERITY_CHANGED: "severity",
    EventKind.ROLE_ASSIGNED: "role",
    EventKind.UPDATE_POSTED: "update",
}


def _change(event: Event) -> dict:
    change: dict = {"what": _UPDATES[event.kind], "by": event.actor}
    match payload_of(event):
        case StatusChanged() as status:
            change.update({"from": status.from_, "to": status.to, "note": status.note})
        case SeverityChanged() as severity:
            change.update({"from": severity.from_, "to": severity.to})
        case RoleAssigned() as role:
            change.update({"role": role.role, "user": role.user, "previous": role.previous})
        case UpdatePosted() as update:
            change["text"] = update.text
    return change


def _webhooks(event: Event, ctx: Context, result: Plan) -> None:
    if ctx.incident.is_private or not ctx.settings.integrations.webhooks:
        return
    number = ctx.incident.number
    data = incident_data(ctx)
    if opened(event):
        event_type, webhook_id = "incident.opened", f"incident-{number}-opened"
    elif event.kind in _UPDATES:
        event_type, webhook_id = "incident.updated", f"event-{event.id}"
        data["change"] = _change(event)
    elif event.kind == EventKind.CLOSED:
        event_type, webhook_id = "incident.closed", f"event-{event.id}"
    else:
        return
    add_webhooks(result, ctx.settings, event_type, webhook_id, data, event.at, f"incident:{number}", number)


def add_webhooks(
    result: Plan,
    settings: Settings,
    event_type: str,
    webhook_id: str,
    data: dict,
    at: datetime,
    subject: str,
    incident_number: int | None = None,
) -> None:
    """One message per webhook subscribed to `event_type`; `webhook-id` is the same for every endpoint."""
    for hook in settings.integrations.webhooks_for(event_type):
        result.messages.append(webhook_message(hook, event_type, webhook_id, data, at, subject, incident_number))


def webhook_message(
    hook: Webhook,
    event_type: str,
    webhook_id: str,
    data: dict,
    at: datetime,
    subject: str,
    incident_number: int | None = None,
) -> OutboxMessage:
    """One delivery to `hook`: ordered with the other deliveries about `subject` to that endpoint, written once per
    (endpoint, `webhook_id`)."""
    endpoint = hashlib.sha256(hook.url.encode()).hexdigest()[:12]
    body = {"type": event_type, "timestamp": iso(at), "data": data}
    return OutboxMessage(
        destination=WEBHOOK,
        ordering_key=f"webhook:{endpoint}:{subject}",
        idempotency_key=f"{endpoint}:{webhook_id}",
        payload={"url": hook.url, "name": hook.name, "secret": hook.secret, "id": webhook_id, "body": body},
        incident_number=incident_number,
    )


# --- Confluence -----------------------------------------------------------------------------------------------
def postmortem_title(incident: Incident) -> str:
    return clip(f"Post-mortem: incident {incident.number}: {' '.join(incident.description.split())}", 255)


def _confluence(event: Event, ctx: Context, result: Plan) -> None:
    integrations = ctx.settings.integrations
    incident = ctx.incident
    if event.kind != EventKind.POSTMORTEM_UPLOADED or not integrations.confluence or incident.is_private:
        return
    if ctx.postmortem is None:
        return
    result.messages.append(
        OutboxMessage(
            destination=CONFLUENCE,
            ordering_key=confluence_link(incident.number),
            idempotency_key=f"{incident.number}:postmortem:{event.id}",
            payload={
                "space_key": integrations.confluence_space_key,
                "parent_id": integrations.confluence_parent_page_id or None,
                "title": postmortem_title(incident),
                "body": ctx.postmortem,
                "link": confluence_link(incident.number),
                "channel_id": incident.channel_id,
            },
            incident_number=incident.number,
        )
    )
