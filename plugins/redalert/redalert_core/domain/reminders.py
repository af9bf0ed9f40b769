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

from .incident import Event, EventKind, Incident
from .settings import Settings
from .workflow_state import COMMANDER

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
        if event.kind == EventKind.REMINDED and "gap_start" in event.data:
            sent.add((event.data.get("reminder"), datetime.fromisoformat(event.data["gap_start"])))
    return sent


def _last(events: Sequence[Event], kind: EventKind) -> Event | None:
    return next((e for e in reversed(events) if e.kind == kind), None)


def commander_of(incident: Incident, events: Sequence[Event]) -> str:
    for event in reversed(events):
        if event.kind == EventKind.ROLE_ASSIGNED and event.data.get("role") == COMMANDER:
            return event.data["user"]
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
        if status_change is not None and status_change.data.get("resolved"):
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
