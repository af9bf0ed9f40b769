"""Problems: the underlying cause of one or more incidents (ITIL). A problem moves from investigating to known-error
(cause and workaround known) to resolved, and keeps its own append-only event log. No I/O."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .incident import Event


class ProblemStatus(enum.StrEnum):
    INVESTIGATING = "investigating"
    KNOWN_ERROR = "known-error"
    RESOLVED = "resolved"


PROBLEM_STATUSES = tuple(status.value for status in ProblemStatus)
MAX_TITLE = 300


class ProblemEventKind(enum.StrEnum):
    """What can happen to a problem (its own log). Task kinds share their names with the incident log's."""

    OPENED = "problem_opened"
    INCIDENT_ADDED = "incident_added"
    INCIDENT_REMOVED = "incident_removed"
    STATUS_CHANGED = "status_changed"
    CAUSE_SET = "cause_set"
    WORKAROUND_SET = "workaround_set"
    TASK_CREATED = "task_created"
    TASK_DONE = "task_done"
    TASK_REOPENED = "task_reopened"
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE_CHANGED = "task_due_changed"
    TASK_NUDGED = "task_nudged"
    STALE_REMINDED = "stale_reminded"


@dataclass
class Problem:
    number: int
    title: str
    status: ProblemStatus
    opened_by: str
    opened_at: datetime
    status_changed_at: datetime
    cause: str | None = None
    workaround: str | None = None
    incidents: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label(self.number)


def label(number: int) -> str:
    return f"P{number}"


def parse_status(word: str) -> ProblemStatus | None:
    cleaned = word.strip().lower().replace("_", "-").replace(" ", "-")
    if cleaned == "knownerror":
        cleaned = "known-error"
    return next((status for status in ProblemStatus if status.value == cleaned), None)


Show = Callable[[str], str]


def describe(event: Event, person: Show, quote: Show) -> str | None:
    """One line of a problem's history (`!problem show`), or None for bookkeeping."""
    data, by = event.data, person(event.actor) if event.actor else "RedAlert"
    kind = event.kind
    if kind == ProblemEventKind.OPENED:
        return f"Opened by {by}: {quote(data.get('title', ''))}"
    if kind == ProblemEventKind.INCIDENT_ADDED:
        return f"Incident {data['incident']} linked by {by}"
    if kind == ProblemEventKind.INCIDENT_REMOVED:
        return f"Incident {data['incident']} unlinked by {by}"
    if kind == ProblemEventKind.STATUS_CHANGED:
        note = f": {quote(data['note'])}" if data.get("note") else ""
        return f"Status {data['from']} → {data['to']} by {by}{note}"
    if kind == ProblemEventKind.CAUSE_SET:
        return f"Cause set by {by}: {quote(data['text'])}"
    if kind == ProblemEventKind.WORKAROUND_SET:
        return f"Workaround set by {by}: {quote(data['text'])}"
    if kind == ProblemEventKind.TASK_CREATED:
        return f"Task T{data['task']} added by {by}: {quote(data.get('text', ''))}"
    if kind == ProblemEventKind.TASK_DONE:
        return f"Task T{data['task']} done by {by}"
    if kind == ProblemEventKind.TASK_REOPENED:
        return f"Task T{data['task']} reopened by {by}"
    if kind == ProblemEventKind.TASK_ASSIGNED:
        return f"Task T{data['task']} assigned to {person(data['owner'])} by {by}"
    if kind == ProblemEventKind.TASK_DUE_CHANGED:
        return f"Task T{data['task']} due {data.get('due') or 'whenever'} (set by {by})"
    if kind == ProblemEventKind.STALE_REMINDED:
        return "Reminder sent: still investigating with every incident closed"
    return None
