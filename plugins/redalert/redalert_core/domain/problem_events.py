"""Typed payloads of problem management's events (see event_payload.py): links between incidents, problems, and
follow-up tasks. Task events read the same whichever log they are in, an incident's or a problem's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .event_payload import FROM, OMIT_NONE, Payload
from .incident import EventKind


# --- links between incidents (both incidents' logs) ---------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class IncidentLinked(Payload):
    kind = EventKind.INCIDENT_LINKED
    other: int
    link_kind: str = field(metadata={"key": "kind"})  # a LinkKind value
    source: int  # the incident the link reads from ("12 caused 13": 12)
    previous_kind: str | None = field(default=None, metadata=OMIT_NONE)  # the link replaced one of this kind


@dataclass(frozen=True, kw_only=True)
class IncidentUnlinked(Payload):
    kind = EventKind.INCIDENT_UNLINKED
    other: int
    link_kind: str = field(metadata={"key": "kind"})
    source: int


# --- an incident's problem (the incident's log) -------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ProblemLinked(Payload):
    kind = EventKind.PROBLEM_LINKED
    problem: int
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class ProblemUnlinked(Payload):
    kind = EventKind.PROBLEM_UNLINKED
    problem: int
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class ProblemUpdated(Payload):
    """The incident's problem changed: its status (from, to, note) or its cause or workaround (text)."""

    kind = EventKind.PROBLEM_UPDATED
    problem: int
    title: str = ""
    change: str  # "status", "cause" or "workaround"
    from_: str | None = field(default=None, metadata=FROM)
    to: str | None = None
    note: str | None = None
    text: str | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"problem": self.problem, "title": self.title, "change": self.change}
        if self.change == "status":
            return {**data, "from": self.from_, "to": self.to, "note": self.note}
        return {**data, "text": self.text}


# --- a problem's own log ------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ProblemOpened(Payload):
    kind = EventKind.PROBLEM_OPENED
    title: str = ""
    incidents: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class IncidentAdded(Payload):
    kind = EventKind.INCIDENT_ADDED
    incident: int
    # The linker was one of the problem's owners (services/follow_up.py); None in links made before that rule.
    commander_counts: bool | None = None


@dataclass(frozen=True, kw_only=True)
class IncidentRemoved(Payload):
    kind = EventKind.INCIDENT_REMOVED
    incident: int


@dataclass(frozen=True, kw_only=True)
class CauseSet(Payload):
    kind = EventKind.CAUSE_SET
    text: str
    previous: str | None = None


@dataclass(frozen=True, kw_only=True)
class WorkaroundSet(Payload):
    kind = EventKind.WORKAROUND_SET
    text: str
    previous: str | None = None


@dataclass(frozen=True, kw_only=True)
class StaleReminded(Payload):
    kind = EventKind.STALE_REMINDED
    to: list[str] = field(default_factory=list)


# --- follow-up tasks (the log of the task's incident or problem) --------------------------------------------------
# `by_name`: who made the change as the outside system that reported it named them (a change from Jira, whose
# actor is `jira:<accountId>`); absent for changes made in Slack or through the API.
@dataclass(frozen=True, kw_only=True)
class TaskCreated(Payload):
    kind = EventKind.TASK_CREATED
    task: int
    text: str = ""
    owner: str | None = None
    due: str | None = None  # ISO date


@dataclass(frozen=True, kw_only=True)
class TaskDone(Payload):
    kind = EventKind.TASK_DONE
    task: int
    text: str = ""
    note: str | None = None
    owner: str | None = None
    by_name: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class TaskReopened(Payload):
    kind = EventKind.TASK_REOPENED
    task: int
    text: str = ""
    by_name: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class TaskAssigned(Payload):
    kind = EventKind.TASK_ASSIGNED
    task: int
    text: str = ""
    owner: str
    previous: str | None = None
    by_name: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class TaskDueChanged(Payload):
    kind = EventKind.TASK_DUE_CHANGED
    task: int
    text: str = ""
    due: str  # ISO date
    previous: str | None = None
    by_name: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class TaskNudged(Payload):
    """The owner was sent a DM about the overdue task (once a day)."""

    kind = EventKind.TASK_NUDGED
    task: int
    day: str  # ISO date
    to: str


# The events of a task (each names it): they read the same in an incident's log and a problem's.
TASK_EVENTS = (TaskCreated, TaskDone, TaskReopened, TaskAssigned, TaskDueChanged, TaskNudged)

PROBLEM_MANAGEMENT: tuple[type[Payload], ...] = (
    IncidentLinked,
    IncidentUnlinked,
    ProblemLinked,
    ProblemUnlinked,
    ProblemUpdated,
    ProblemOpened,
    IncidentAdded,
    IncidentRemoved,
    CauseSet,
    WorkaroundSet,
    StaleReminded,
    TaskCreated,
    TaskDone,
    TaskReopened,
    TaskAssigned,
    TaskDueChanged,
    TaskNudged,
)
