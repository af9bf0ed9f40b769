"""An incident's timeline: the events people care about, each told in one line (no Errbot, no Slack).

Used by `!incident timeline` (Slack markup) and by the post-mortem (Markdown); the caller says how to show a person
and how to make user text safe for where it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from .incident import Event, EventKind

Show = Callable[[str], str]


def describe(event: Event, person: Show, quote: Show) -> str | None:
    """One line for the event, or None for bookkeeping events (steps, mentions, announcements)."""
    data, by = event.data, person(event.actor) if event.actor else "RedAlert"
    kind = event.kind
    if kind == EventKind.OPENED:
        return f"Opened by {by} as {quote(str(data.get('severity', '?')))}: {quote(str(data.get('description', '')))}"
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
    if kind == EventKind.CLOSED:
        resolution = f": {quote(data['resolution'])}" if data.get("resolution") else ""
        return f"Closed by {by}{resolution}"
    return None


def entries(events: Sequence[Event], person: Show, quote: Show) -> list[tuple[datetime, str]]:
    """(time, line) for every event worth showing, oldest first."""
    lines = []
    for event in events:
        text = describe(event, person, quote)
        if text is not None:
            lines.append((event.at, text))
    return lines
