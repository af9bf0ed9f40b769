"""The append-only event log of each incident (a database trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from ..domain.incident import Event, EventKind
from .database import Database
from .incident_rows import require
from .tables import events


def utcnow() -> datetime:
    return datetime.now(UTC)


def kind_from_db(value: str) -> EventKind | str:
    # Kinds written by a newer version stay readable as plain strings.
    try:
        return EventKind(value)
    except ValueError:
        return value


def event_from_row(row: sa.Row) -> Event:
    return Event(
        incident_number=row.incident_number,
        kind=kind_from_db(row.kind),  # type: ignore[arg-type]
        at=row.at,
        actor=row.actor,
        data=dict(row.data or {}),
        id=row.id,
    )


_INSERT = sa.insert(events)


def _insert(
    connection: sa.Connection,
    number: int,
    kind: EventKind | str,
    *,
    actor: str | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    kind_value = kind.value if isinstance(kind, EventKind) else str(kind)
    values = {
        "incident_number": number,
        "kind": kind_value,
        "actor": actor,
        "at": at or utcnow(),
        "data": dict(data or {}),
    }
    result = connection.execute(_INSERT, values)  # parameters apart from the statement: compiled once, cached
    # Built from what was written rather than read back: one query less for every event.
    return Event(
        incident_number=number,
        kind=kind_from_db(kind_value),  # type: ignore[arg-type]
        at=values["at"].astimezone(UTC),
        actor=actor,
        data=values["data"],
        id=result.inserted_primary_key[0],
    )


# Called with the open transaction and the new event: what must happen with the change (an outbox row) does so in
# the same commit, or not at all.
EventHook = Callable[[sa.Connection, Event], None]


class EventLog:
    """Every repository appends through one EventLog, so its subscribers see every change."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._hooks: list[EventHook] = []

    def subscribe(self, hook: EventHook) -> None:
        """Run `hook(connection, event)` inside the transaction of every event appended from now on."""
        self._hooks.append(hook)

    def append(
        self,
        connection: sa.Connection,
        number: int,
        kind: EventKind | str,
        *,
        actor: str | None = None,
        data: dict | None = None,
        at: datetime | None = None,
    ) -> Event:
        """Append one event inside the caller's transaction."""
        event = _insert(connection, number, kind, actor=actor, data=data, at=at)
        for hook in self._hooks:
            hook(connection, event)
        return event

    def add(
        self,
        number: int,
        kind: EventKind | str,
        *,
        actor: str | None = None,
        data: dict | None = None,
        at: datetime | None = None,
    ) -> Event:
        with self._db.write() as connection:
            require(connection, number)
            return self.append(connection, number, kind, actor=actor, data=data, at=at)

    def list(self, number: int) -> list[Event]:
        """Oldest first (by time, then by the order they were appended)."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(events).where(events.c.incident_number == number).order_by(events.c.at, events.c.id)
            ).all()
        return [event_from_row(row) for row in rows]
