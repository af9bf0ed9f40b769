"""Which reminders are due: a pure function of the incidents, their event logs, the time and the settings.

Two nudges exist. An open incident whose severity has REMINDER_MINUTES and that has had no status update for that
long reminds its commander to post one; an incident resolved for a day but not closed is nudged to close. A gap is
identified by the moment it started (the last update, the opening, or the resolution), and a reminder sent for a
gap is itself logged (a `reminded` event with that start), so it never fires twice, restarts included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .events import Reminded, RoleAssigned, StatusChanged, payload_as
from .incident import Event, EventKind, Incident
from .response_state import COMMANDER
from .settings import Settings

CLOSE_NUDGE_AFTER = timedelta(days=1)
UPDATE = "update"
CLOSE = "close"


@dataclass(frozen=True)
class Reminder:
    incident_number: int
    kind: str  # UPDATE or CLOSE
    gap_start: datetime
    commander: str


def _reminded(events: Sequence[Event]) -> set[tuple[str | None, datetime]]:
    sent: set[tuple[str | None, datetime]] = set()
    for event in events:
        reminded = payload_as(event, Reminded)
        if reminded is not None and reminded.gap_start is not None:
            sent.add((reminded.reminder, datetime.fromisoformat(reminded.gap_start)))
    return sent


def _last(events: Sequence[Event], kind: EventKind) -> Event | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


def commander_of(incident: Incident, events: Sequence[Event]) -> str:
    for event in reversed(events):
        assigned = payload_as(event, RoleAssigned)
        if assigned is not None and assigned.role == COMMANDER:
            return assigned.user
    return incident.opened_by


def due_reminders(
    incidents: Iterable[Incident], events: Mapping[int, Sequence[Event]], now: datetime, settings: Settings
) -> list[Reminder]:
    """The reminders to send now, oldest incident first. `events` maps incident numbers to their logs, oldest first."""
    due = []
    for incident in incidents:
        if incident.is_closed or not incident.channel_id:
            continue
        log = events.get(incident.number, ())
        sent = _reminded(log)
        status_change = _last(log, EventKind.STATUS_CHANGED)
        changed = payload_as(status_change, StatusChanged) if status_change is not None else None
        if status_change is not None and changed is not None and changed.resolved:
            gap_start, wait, kind = status_change.at, CLOSE_NUDGE_AFTER, CLOSE
        else:
            minutes = settings.reminder_minutes.get(incident.severity)
            if not minutes:
                continue
            update = _last(log, EventKind.UPDATE_POSTED)
            gap_start = update.at if update is not None else incident.opened_at
            wait, kind = timedelta(minutes=minutes), UPDATE
        if now - gap_start >= wait and (kind, gap_start) not in sent:
            due.append(Reminder(incident.number, kind, gap_start, commander_of(incident, log)))
    return due
