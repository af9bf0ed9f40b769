"""The post-mortem draft: Markdown built from the stored incident, with the parts only people know left to fill in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from . import timeline
from .incident import Event, Incident
from .settings import Settings
from .text import WORD_JOINER, duration, severity_label, when
from .workflow_state import WorkflowState

TO_FILL = "_To be filled in._"
_ENTITY_START = re.compile(r"&(?=#?\w+;)")  # typed "&lt;" must read as typed, not become "<"


def _person(user_id: str) -> str:
    return f"@{user_id}"


def _plain(text: str) -> str:
    # Markdown would read a leading "#" or stray HTML; keep user text literal on one line, and inert if pasted.
    # The joiners keep a pasted <!channel> or @here inert wherever the file's text is shown (see text.py).
    text = _ENTITY_START.sub("&amp;" + WORD_JOINER, text).replace("<", "&lt;" + WORD_JOINER).replace(">", "&gt;")
    text = text.replace("@", "@" + WORD_JOINER)
    return " ".join(text.split())


def filename(incident: Incident) -> str:
    return f"postmortem-incident-{incident.number}.md"


def render(
    incident: Incident,
    state: WorkflowState,
    events: Sequence[Event],
    participants: Sequence[str],
    settings: Settings,
    now: datetime,
) -> str:
    label = severity_label(settings, incident.severity)
    status = "closed" if incident.is_closed else state.current_status(settings.statuses)
    end = incident.closed_at
    lasted = duration(end - incident.opened_at) if end else f"{duration(now - incident.opened_at)} so far (still open)"
    resolved = state.resolved_at
    to_resolve = duration(resolved - incident.opened_at) if resolved else "not resolved yet"
    lines = [
        f"# Post-mortem: incident {incident.number}: {_plain(incident.description)}",
        "",
        f"- **Severity:** {_plain(label)}",
        f"- **Status:** {status}",
        f"- **Opened:** {when(incident.opened_at)} by {_person(incident.opened_by)}",
        f"- **Resolved:** {when(resolved) if resolved else 'not yet'}",
        f"- **Closed:** {when(end) + ' by ' + _person(incident.closed_by or '?') if end else 'not yet'}",
        f"- **Duration:** {lasted}",
        f"- **Time to resolve:** {to_resolve}",
        f"- **Channel:** #{incident.channel_name or '?'}" + (" (private)" if incident.is_private else ""),
        "",
        "## Summary",
        "",
        _plain(incident.description),
        *(["", f"Resolution: {_plain(incident.resolution)}"] if incident.resolution else []),
        "",
        "## Impact",
        "",
        f"- **Who and what was affected:** {TO_FILL}",
        f"- **How many customers or requests:** {TO_FILL}",
        f"- **How it was detected:** {TO_FILL}",
        "",
        "## Roles",
        "",
    ]
    commander = state.commander(incident.opened_by)
    for role in settings.roles:
        holder = commander if role == "commander" else state.roles.get(role)
        lines.append(f"- **{role.capitalize()}:** {_person(holder) if holder else 'unassigned'}")
    lines.append(f"- **Participants:** {', '.join(_person(p) for p in participants) or 'none recorded'}")
    lines += ["", "## Timeline (UTC)", ""]
    for at, text in timeline.entries(events, _person, _plain):
        lines.append(f"- {at.strftime('%Y-%m-%d %H:%M')} {text}")
    lines += [
        "",
        "## Root cause",
        "",
        TO_FILL,
        "",
        "## What went well",
        "",
        TO_FILL,
        "",
        "## What went badly",
        "",
        TO_FILL,
        "",
        "## Action items",
        "",
        f"- [ ] {TO_FILL}",
        "",
    ]
    return "\n".join(lines)
