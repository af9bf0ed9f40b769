"""The incident model: what an incident is and the rules of its lifecycle (no Errbot, no Slack)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Phase(enum.StrEnum):
    """Where an incident is in its life (its phase; the team's status, investigating → resolved, is another thing:
    domain/response_state.py).

    OPENING: the open sequence has not finished yet. CLOSING: its channel is being archived; it becomes CLOSED only
    with the archive's success (so nobody reads "open" for an archived channel) and goes back to OPEN or OPENING
    when the archive fails.
    """

    OPENING = "opening"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


# The phases `!incident list` shows (not closed yet).
OPEN_PHASES = (Phase.OPENING, Phase.OPEN, Phase.CLOSING)


def same_words(text: str) -> str:
    """A description compared case- and space-insensitively: "DB  down" and "db down" are the same request."""
    return " ".join(text.casefold().split())


class OpenStep(enum.StrEnum):
    """The steps of opening an incident, in order. Each is stored as it completes so a crash can resume."""

    RECORDED = "recorded"
    CHANNEL = "channel"
    TOPIC = "topic"
    PURPOSE = "purpose"
    INVITES = "invites"
    SUMMARY = "summary"
    PIN = "pin"
    REPLY = "reply"


OPEN_STEPS: tuple[OpenStep, ...] = tuple(OpenStep)
# The steps that make an incident OPEN. The pin runs after the reply and does not hold the phase back; an incident
# whose pin is missing is still resumed (IncidentRepository.unfinished).
STEPS_TO_OPEN: tuple[OpenStep, ...] = tuple(step for step in OPEN_STEPS if step is not OpenStep.PIN)


class EventKind(enum.StrEnum):
    """What can happen to an incident or a problem; every change is appended to its event log. One vocabulary for
    both logs: a kind that happens to both (a status change, the task kinds) has one name. Each kind's payload is a
    dataclass in events.py."""

    OPENED = "opened"
    MENTIONS = "mentions"
    STEP_DONE = "step_done"
    STEP_FAILED = "step_failed"
    # Slack did not finish the open within the short wait a front end allows (the HTTP API): the incident counts as
    # opened for outside systems now, and its Slack steps are retried until Slack answers (services/slack_outage.py).
    SLACK_PENDING = "slack_pending"
    INVITED = "invited"
    INVITE_FAILED = "invite_failed"
    CLOSE_STARTED = "close_started"  # phase CLOSING: the channel is being archived
    CLOSE_FAILED = "close_failed"  # the archive failed: back to open, the close can be finished with retry
    CLOSED = "closed"
    CLOSING_POSTED = "closing_posted"  # the closing message is in the channel (a retried close posts it once)
    # The incident workflow (workflow.py): roles, statuses, severity, updates, the timeline and reminders.
    ROLE_ASSIGNED = "role_assigned"
    STATUS_CHANGED = "status_changed"
    SEVERITY_CHANGED = "severity_changed"
    CHANNEL_RENAMED = "channel_renamed"
    UPDATE_POSTED = "update_posted"
    NOTE_ADDED = "note_added"
    FIELD_SET = "field_set"  # a custom field of the workflows file given a value
    TYPE_CHANGED = "type_changed"  # the incident became another type of the workflows file
    ANNOUNCED = "announced"
    REMINDED = "reminded"
    POSTMORTEM_UPLOADED = "postmortem_uploaded"
    # `!incident page`: a PagerDuty page by hand (outbox_policies.py).
    PAGED = "paged"
    # Problem management (problems.py, tasks.py, links.py): what happened to the incident's links, problem, tasks.
    INCIDENT_LINKED = "incident_linked"
    INCIDENT_UNLINKED = "incident_unlinked"
    PROBLEM_LINKED = "problem_linked"
    PROBLEM_UNLINKED = "problem_unlinked"
    PROBLEM_UPDATED = "problem_updated"
    TASK_CREATED = "task_created"
    TASK_DONE = "task_done"
    TASK_REOPENED = "task_reopened"
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE_CHANGED = "task_due_changed"
    TASK_NUDGED = "task_nudged"
    # The public status page (status_page.py): what was published, withdrawn, and the one final-update prompt.
    STATUS_PUBLISHED = "status_published"
    STATUS_UNPUBLISHED = "status_unpublished"
    STATUS_FINAL_ASKED = "status_final_asked"
    # A problem's own log (problems.py); its status changes and tasks use the kinds above.
    PROBLEM_OPENED = "problem_opened"
    INCIDENT_ADDED = "incident_added"
    INCIDENT_REMOVED = "incident_removed"
    CAUSE_SET = "cause_set"
    WORKAROUND_SET = "workaround_set"
    STALE_REMINDED = "stale_reminded"
    # Alert intake (alert_intake.py): a new alert (by fingerprint) in the incident's alert group.
    ALERT_RECEIVED = "alert_received"


@dataclass
class Incident:
    """One incident as stored. `number` is the human-facing id (`Incident 12`)."""

    number: int
    severity: str
    description: str
    opened_by: str
    opened_at: datetime
    phase: Phase = Phase.OPENING
    channel_id: str | None = None
    channel_name: str | None = None
    origin_channel: str | None = None
    is_private: bool = False
    dedup_key: str | None = None
    steps_done: list[str] = field(default_factory=list)
    closed_at: datetime | None = None
    closed_by: str | None = None
    resolution: str | None = None
    summary_ts: str | None = None
    incident_type: str | None = None  # a type of REDALERT_WORKFLOWS_FILE

    @property
    def is_closed(self) -> bool:
        return self.phase is Phase.CLOSED

    @property
    def is_closing_or_closed(self) -> bool:
        return self.phase in (Phase.CLOSING, Phase.CLOSED)

    def has_done(self, step: OpenStep) -> bool:
        return step.value in self.steps_done

    def pending_steps(self) -> list[OpenStep]:
        """The open steps still to run; none once the incident is closed (a closed incident gets no channel)."""
        if self.is_closed:
            return []
        return [step for step in OPEN_STEPS if not self.has_done(step)]

    def phase_when_not_closing(self) -> Phase:
        """The phase a failed close returns to: OPEN once the steps that open it are done, else OPENING."""
        return Phase.OPEN if all(self.has_done(step) for step in STEPS_TO_OPEN) else Phase.OPENING


@dataclass
class Event:
    """One entry of an incident's append-only event log, or of a problem's (then `incident_number` is None and
    `problem_number` says which problem; see store/events.py `append_problem`)."""

    incident_number: int | None
    kind: EventKind
    at: datetime
    actor: str | None = None
    data: dict = field(default_factory=dict)
    id: int | None = None
    problem_number: int | None = None
