"""An incident's timeline: the events people care about, each told in one line (no Errbot, no Slack).

Used by `!incident timeline` (Slack markup) and by the post-mortem (Markdown); the caller says how to show a person
and how to make user text safe for where it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from . import api_tokens
from .incident import Event, EventKind
from .links import Link, LinkKind

Show = Callable[[str], str]


def describe(event: Event, person: Show, quote: Show) -> str | None:
    """One line for the event, or None for bookkeeping events (steps, mentions, announcements)."""
    data, by = event.data, _who(event.actor, person)
    kind = event.kind
    if kind == EventKind.OPENED:
        if api_tokens.token_name(event.actor):
            by = f"through the API by {api_tokens.describe_actor(event.actor or '')}"
        return f"Opened {by} as {quote(str(data.get('severity', '?')))}: {quote(str(data.get('description', '')))}"
    if kind == EventKind.INVITED:
        return "Invited " + ", ".join(person(u) for u in data.get("users", []))
    if kind == EventKind.INVITE_FAILED:
        return "Could not invite " + ", ".join(person(u) for u in data.get("failed", {}))
    if kind == EventKind.ROLE_ASSIGNED:
        return f"{by} made {person(data['user'])} {quote(data['role'])}"
    if kind == EventKind.STATUS_CHANGED:
        note = f": {quote(data['note'])}" if data.get("note") else ""
        return f"Status {quote(data.get('from') or 'start')} → {quote(data['to'])} by {by}{note}"
    if kind == EventKind.SEVERITY_CHANGED:
        return f"Severity {quote(data['from'])} → {quote(data['to'])} by {by}"
    if kind == EventKind.CHANNEL_RENAMED:
        return f"Channel renamed to {quote(data['to'])}"
    if kind == EventKind.UPDATE_POSTED:
        return f"Update by {by}: {quote(data['text'])}"
    if kind == EventKind.NOTE_ADDED:
        author = f" (message by {person(data['author'])})" if data.get("author") else ""
        return f"Note by {by}{author}: {quote(data['text'])}"
    if kind == EventKind.REMINDED:
        return f"Reminder sent to {person(data['to'])} ({quote(data.get('reminder', ''))})" if data.get("to") else None
    if kind == EventKind.PAGED:
        return f"{by} paged PagerDuty ({quote(str(data.get('severity', '?')))})"
    if kind == EventKind.STATUS_PUBLISHED:
        status = quote(str(data.get("status", "?")))
        return f"Published on the status page by {by} ({status}): {quote(data.get('body', ''))}"
    if kind == EventKind.STATUS_UNPUBLISHED:
        return f"Withdrawn from the status page by {by}"
    if kind == EventKind.ALERT_RECEIVED:
        state = "resolved" if data.get("status") == "resolved" else "firing"
        return f"Alert {quote(str(data.get('name', '?')))} {state} (from {quote(str(data.get('source', '?')))})"
    problem_line = _problem_management(event, by, person, quote)
    if problem_line is not None:
        return problem_line
    if kind == EventKind.CLOSED:
        resolution = f": {quote(data['resolution'])}" if data.get("resolution") else ""
        return f"Closed by {by}{resolution}"
    return None


def _who(actor: str | None, person: Show) -> str:
    if not actor:
        return "RedAlert"
    return api_tokens.describe_actor(actor) if api_tokens.token_name(actor) else person(actor)


def _link_text(event: Event) -> str:
    data = event.data
    link = Link(
        data["source"],
        data["other"] if data["source"] == event.incident_number else event.incident_number,
        LinkKind(data["kind"]),
        None,
        event.at,
    )
    return link.describe_from(event.incident_number)


def _problem_management(event: Event, by: str, person: Show, quote: Show) -> str | None:
    """Links, the incident's problem and its tasks (problem management)."""
    data, kind = event.data, event.kind
    if kind == EventKind.INCIDENT_LINKED:
        return f"Linked by {by}: {_link_text(event)}"
    if kind == EventKind.INCIDENT_UNLINKED:
        return f"Unlinked from incident {data['other']} by {by}"
    if kind == EventKind.PROBLEM_LINKED:
        return f"Linked to problem P{data['problem']} ({quote(data.get('title', ''))}) by {by}"
    if kind == EventKind.PROBLEM_UNLINKED:
        return f"Unlinked from problem P{data['problem']} by {by}"
    if kind == EventKind.PROBLEM_UPDATED:
        change = data.get("change")
        if change == "status":
            note = f": {quote(data['note'])}" if data.get("note") else ""
            return f"Problem P{data['problem']} {data.get('from')} → {data.get('to')} by {by}{note}"
        return f"Problem P{data['problem']} {quote(str(change))} set by {by}: {quote(data.get('text', ''))}"
    if kind == EventKind.TASK_CREATED:
        extras = []
        if data.get("owner"):
            extras.append(f"owner {person(data['owner'])}")
        if data.get("due"):
            extras.append(f"due {data['due']}")
        tail = f" ({', '.join(extras)})" if extras else ""
        return f"Task T{data['task']} added by {by}: {quote(data.get('text', ''))}{tail}"
    if kind == EventKind.TASK_DONE:
        note = f": {quote(data['note'])}" if data.get("note") else ""
        return f"Task T{data['task']} done by {by}{note}"
    if kind == EventKind.TASK_REOPENED:
        return f"Task T{data['task']} reopened by {by}"
    if kind == EventKind.TASK_ASSIGNED:
        return f"Task T{data['task']} assigned to {person(data['owner'])} by {by}"
    if kind == EventKind.TASK_DUE_CHANGED:
        return f"Task T{data['task']} now due {data['due']} (set by {by})"
    if kind == EventKind.TASK_NUDGED:
        return f"Reminder sent to {person(data['to'])}: task T{data['task']} is overdue"
    return None


def entries(events: Sequence[Event], person: Show, quote: Show) -> list[tuple[datetime, str]]:
    """(time, line) for every event worth showing, oldest first."""
    lines = []
    for event in events:
        text = describe(event, person, quote)
        if text is not None:
            lines.append((event.at, text))
    return lines
