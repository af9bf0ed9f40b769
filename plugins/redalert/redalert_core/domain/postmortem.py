"""The post-mortem draft: Markdown built from the stored incident, with the parts only people know left to fill in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from . import outside_actors, timeline
from .incident import Event, Incident
from .links import Link
from .problems import Problem
from .response_state import ResponseState
from .settings import Settings
from .tasks import Task
from .text import WORD_JOINER, duration, severity_label, when

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


@dataclass
class FollowUp:
    """Problem management's part of the post-mortem: linked incidents, the incident's problem, its tasks."""

    links: list[Link] = field(default_factory=list)
    problem: Problem | None = None
    tasks: list[Task] = field(default_factory=list)
    problem_tasks: list[Task] = field(default_factory=list)  # the problem's own and its other incidents' tasks
    names: dict[str, str] = field(default_factory=dict)  # outside actors (jira:<accountId>) -> the name Jira gave


def _task_line(task: Task, now: datetime, names: dict[str, str]) -> str:
    owner = _person(task.owner) if task.owner else "no owner"
    due = ""
    if task.due:
        due = f", due {task.due.isoformat()}" + (" (overdue)" if task.is_overdue(now.date()) else "")
    if task.done_at is None:  # open
        return f"- [ ] T{task.number} {_plain(task.text)} ({owner}{due})"
    by, place = _person(task.done_by or "?"), outside_actors.place(task.done_by)
    if place:
        by = f"{_plain(outside_actors.named(names.get(task.done_by or '')))} in {place}"
    done = f"done {task.done_at.strftime('%Y-%m-%d')} by {by}"
    note = f": {_plain(task.done_note)}" if task.done_note else ""
    return f"- [x] T{task.number} {_plain(task.text)} ({owner}{due}; {done}{note})"


def _where(task: Task) -> str:
    return f" [{task.belongs_to}]"


def _follow_up_sections(number: int, follow_up: FollowUp, now: datetime) -> list[str]:
    lines = ["## Related incidents", ""]
    lines += [f"- {link.describe_from(number).capitalize()}" for link in follow_up.links] or ["- None linked."]
    lines += ["", "## Problem", ""]
    problem = follow_up.problem
    if problem is None:
        lines.append("No problem linked (`!problem open <title>` in the incident channel creates one).")
    else:
        others = [n for n in problem.incidents if n != number]
        lines += [
            f"- **P{problem.number}:** {_plain(problem.title)} ({problem.status.value})",
            f"- **Cause:** {_plain(problem.cause) if problem.cause else 'not known yet'}",
            f"- **Workaround:** {_plain(problem.workaround) if problem.workaround else 'none known yet'}",
            f"- **Other incidents:** {', '.join(str(n) for n in others) or 'none'}",
        ]
        if follow_up.problem_tasks:
            lines += ["", "Follow-up work on the problem and its other incidents:", ""]
            lines += [_task_line(task, now, follow_up.names) + _where(task) for task in follow_up.problem_tasks]
    return [*lines, ""]


def filename(incident: Incident) -> str:
    return f"postmortem-incident-{incident.number}.md"


def render(
    incident: Incident,
    state: ResponseState,
    events: Sequence[Event],
    participants: Sequence[str],
    settings: Settings,
    now: datetime,
    follow_up: FollowUp | None = None,
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
    follow_up = follow_up or FollowUp()
    cause = follow_up.problem.cause if follow_up.problem and follow_up.problem.cause else None
    lines += ["", *_follow_up_sections(incident.number, follow_up, now)]
    lines += [
        "## Root cause",
        "",
        _plain(cause) if cause else TO_FILL,
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
        *([_task_line(task, now, follow_up.names) for task in follow_up.tasks] or [f"- [ ] {TO_FILL}"]),
        "",
    ]
    return "\n".join(lines)
