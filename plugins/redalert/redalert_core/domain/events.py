"""Typed event payloads: one frozen dataclass per EventKind, for both logs (an incident's and a problem's).

Writers build one and the log stores its `to_data()`; readers call `payload_of(event)` and match on the class
instead of reading `event.data` by convention. The stored JSON is what it always was (see event_payload.py).
This file holds an incident's own kinds; problem_events.py those of links, problems and tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from .event_payload import FROM, OMIT_NONE, MissingField, Payload, Unknown
from .incident import Event, EventKind
from .problem_events import PROBLEM_MANAGEMENT


# --- opening and closing ------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Opened(Payload):
    kind = EventKind.OPENED
    severity: str
    description: str
    origin_channel: str | None = None


@dataclass(frozen=True, kw_only=True)
class Mentioned(Payload):
    """The people and groups the open command mentioned: kept so that a resumed open still invites them."""

    kind = EventKind.MENTIONS
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class StepDone(Payload):
    kind = EventKind.STEP_DONE
    step: str  # an OpenStep value
    channel_id: str | None = field(default=None, metadata=OMIT_NONE)  # the channel step's
    channel_name: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class StepFailed(Payload):
    kind = EventKind.STEP_FAILED
    step: str
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class SlackPending(Payload):
    """Slack had not finished the open within the front end's wait: its steps go on without it."""

    kind = EventKind.SLACK_PENDING


@dataclass(frozen=True, kw_only=True)
class AlertReceived(Payload):
    """A new alert (by fingerprint) in the incident's alert group (services/alert_intake.py)."""

    kind = EventKind.ALERT_RECEIVED
    source: str
    name: str
    status: str
    fingerprint: str


@dataclass(frozen=True, kw_only=True)
class Invited(Payload):
    kind = EventKind.INVITED
    users: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class InviteFailed(Payload):
    kind = EventKind.INVITE_FAILED
    failed: dict[str, str] = field(default_factory=dict)  # user id -> Slack error code


@dataclass(frozen=True, kw_only=True)
class CloseStarted(Payload):
    kind = EventKind.CLOSE_STARTED
    resolution: str | None = None


@dataclass(frozen=True, kw_only=True)
class CloseFailed(Payload):
    kind = EventKind.CLOSE_FAILED
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class Closed(Payload):
    kind = EventKind.CLOSED
    resolution: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClosingPosted(Payload):
    kind = EventKind.CLOSING_POSTED


# --- the workflow -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RoleAssigned(Payload):
    kind = EventKind.ROLE_ASSIGNED
    role: str
    user: str
    previous: str | None = None


@dataclass(frozen=True, kw_only=True)
class StatusChanged(Payload):
    """An incident's workflow status or a problem's status. `from_` None: the incident had none set yet."""

    kind = EventKind.STATUS_CHANGED
    from_: str | None = field(default=None, metadata=FROM)
    to: str
    note: str | None = None
    resolved: bool | None = field(default=None, metadata=OMIT_NONE)  # incidents only: `to` is the resolved status


@dataclass(frozen=True, kw_only=True)
class SeverityChanged(Payload):
    kind = EventKind.SEVERITY_CHANGED
    from_: str | None = field(default=None, metadata=FROM)
    to: str


@dataclass(frozen=True, kw_only=True)
class ChannelRenamed(Payload):
    kind = EventKind.CHANNEL_RENAMED
    from_: str | None = field(default=None, metadata=FROM)
    to: str


@dataclass(frozen=True, kw_only=True)
class UpdatePosted(Payload):
    kind = EventKind.UPDATE_POSTED
    text: str
    ts: str | None = None  # the posted message


@dataclass(frozen=True, kw_only=True)
class NoteAdded(Payload):
    """A note by command, or a pinned message (`ts`, and its `author` when Slack names one)."""

    kind = EventKind.NOTE_ADDED
    text: str
    ts: str | None = None
    author: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {"text": self.text} if self.ts is None else {"text": self.text, "ts": self.ts, "author": self.author}


@dataclass(frozen=True, kw_only=True)
class FieldSet(Payload):
    """A custom field (REDALERT_WORKFLOWS_FILE's `fields:`) given a value; a multi_select's is comma-separated.

    `at_open`: given with the open command, in the open's transaction; workflows `when: field_changed` leave it to
    `when: opened` (the value is part of the incident as it opened, not a change)."""

    kind = EventKind.FIELD_SET
    name: str
    value: str
    at_open: bool = False


@dataclass(frozen=True, kw_only=True)
class TypeChanged(Payload):
    """`!incident set type <name>`: the incident became another of REDALERT_WORKFLOWS_FILE's types."""

    kind = EventKind.TYPE_CHANGED
    from_: str | None = field(default=None, metadata=FROM)
    to: str


@dataclass(frozen=True, kw_only=True)
class Announced(Payload):
    kind = EventKind.ANNOUNCED
    channel: str
    ts: str


@dataclass(frozen=True, kw_only=True)
class Reminded(Payload):
    kind = EventKind.REMINDED
    reminder: str = ""  # reminders.UPDATE or CLOSE
    gap_start: str | None = None  # ISO time the quiet gap started (one reminder per gap)
    to: str | None = None


@dataclass(frozen=True, kw_only=True)
class PostmortemUploaded(Payload):
    kind = EventKind.POSTMORTEM_UPLOADED
    file: str
    # Uploaded while closing, before the close is stored: closed_at, closed_by, resolution.
    closing: dict[str, Any] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, kw_only=True)
class Paged(Payload):
    """`!incident page`, or a workflow's `page` action, which may name its own routing key (as the workflows file
    writes it: the key or `env:NAME`) and summary."""

    kind = EventKind.PAGED
    severity: str | None = None
    routing_key: str | None = field(default=None, metadata=OMIT_NONE)
    summary: str | None = field(default=None, metadata=OMIT_NONE)


# --- the public status page ---------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class StatusPublished(Payload):
    kind = EventKind.STATUS_PUBLISHED
    update: int | None = None
    first: bool = False
    title: str
    status: str
    body: str
    components: dict[str, str] = field(default_factory=dict)  # every component's state after this update
    changed: dict[str, str] = field(default_factory=dict)  # those this update set


@dataclass(frozen=True, kw_only=True)
class StatusUnpublished(Payload):
    kind = EventKind.STATUS_UNPUBLISHED


@dataclass(frozen=True, kw_only=True)
class StatusFinalAsked(Payload):
    kind = EventKind.STATUS_FINAL_ASKED


INCIDENT: tuple[type[Payload], ...] = (
    Opened,
    Mentioned,
    StepDone,
    StepFailed,
    SlackPending,
    AlertReceived,
    Invited,
    InviteFailed,
    CloseStarted,
    CloseFailed,
    Closed,
    ClosingPosted,
    RoleAssigned,
    StatusChanged,
    SeverityChanged,
    ChannelRenamed,
    UpdatePosted,
    NoteAdded,
    FieldSet,
    TypeChanged,
    Announced,
    Reminded,
    PostmortemUploaded,
    Paged,
    StatusPublished,
    StatusUnpublished,
    StatusFinalAsked,
)
BY_KIND: dict[str, type[Payload]] = {cls.kind.value: cls for cls in INCIDENT + PROBLEM_MANAGEMENT}


def read(kind: EventKind | str, data: dict[str, Any]) -> Payload | Unknown:
    """The typed payload of a stored event; Unknown for a kind this version does not know or a damaged payload."""
    cls = BY_KIND.get(str(kind))
    if cls is not None:
        try:
            return cls.from_data(data)
        except MissingField:
            pass
    return Unknown(str(kind), dict(data))


def payload_of(event: Event) -> Payload | Unknown:
    return read(event.kind, event.data)


P = TypeVar("P", bound=Payload)


def payload_as(event: Event, cls: type[P]) -> P | None:
    """The event's payload when the event is of `cls`'s kind (and readable), else None."""
    if str(event.kind) != cls.kind.value:
        return None
    payload = payload_of(event)
    return payload if isinstance(payload, cls) else None
