"""The append-only event logs: each incident's (table events) and each problem's (table problem_events).

Database triggers refuse UPDATE and DELETE on both. Subscribers see the events of both logs: a problem's event
reaches them with `incident_number` None and `problem_number` set.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime

import sqlalchemy as sa

from ..domain.event_payload import Payload
from ..domain.incident import Event, EventKind, Incident
from .database import Database, inserted_id
from .incident_rows import require
from .tables import events, problem_events


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

# What a writer appends: a typed payload (domain/events.py), or a kind with its data as a dict (older callers).
Appended = Payload | EventKind | str


def _kind_and_data(what: Appended, data: dict | None) -> tuple[str, dict]:
    if isinstance(what, Payload):
        if data:
            raise ValueError("a typed payload carries its own data")
        return what.kind.value, what.to_data()
    return str(what), dict(data or {})


def _insert(
    connection: sa.Connection,
    number: int,
    what: Appended,
    *,
    actor: str | None = None,
    data: dict | None = None,
    at: datetime | None = None,
) -> Event:
    kind_value, payload = _kind_and_data(what, data)
    when = at or utcnow()
    values = {
        "incident_number": number,
        "kind": kind_value,
        "actor": actor,
        "at": when,
        "data": payload,
    }
    result = connection.execute(_INSERT, values)  # parameters apart from the statement: compiled once, cached
    # Built from what was written rather than read back: one query less for every event.
    return Event(
        incident_number=number,
        kind=kind_from_db(kind_value),  # type: ignore[arg-type]
        at=when.astimezone(UTC),
        actor=actor,
        data=payload,
        id=inserted_id(result),
    )


# Called with the open transaction, the new event and, when the writer has it in hand, the incident as this
# transaction leaves it (else None: the hook reads it, inside the same transaction). What must happen with the
# change (an outbox row) does so in the same commit, or not at all.
EventHook = Callable[[sa.Connection, Event, Incident | None], None]


class EventLog:
    """Every repository appends through one EventLog, so its subscribers see every change."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._hooks: list[EventHook] = []
        self.clock = clock  # the time of an event whose writer gives none (the application's clock)

    def subscribe(self, hook: EventHook) -> None:
        """Run `hook(connection, event, incident)` inside the transaction of every event appended from now on."""
        self._hooks.append(hook)

    def append(
        self,
        connection: sa.Connection,
        number: int,
        what: Appended,
        *,
        actor: str | None = None,
        data: dict | None = None,
        at: datetime | None = None,
        incident: Incident | None = None,
    ) -> Event:
        """Append one event inside the caller's transaction: `what` is its typed payload (or a kind and `data`).
        `incident`: the incident after this change, if the caller has it (it spares the subscribers a read on the
        chat path)."""
        event = _insert(connection, number, what, actor=actor, data=data, at=at or self.clock())
        for hook in self._hooks:
            hook(connection, event, incident)
        return event

    def add(
        self,
        number: int,
        what: Appended,
        *,
        actor: str | None = None,
        data: dict | None = None,
        at: datetime | None = None,
    ) -> Event:
        with self._db.write() as connection:
            require(connection, number)
            return self.append(connection, number, what, actor=actor, data=data, at=at)

    def append_problem(
        self,
        connection: sa.Connection,
        problem_number: int,
        what: Appended,
        *,
        actor: str | None = None,
        data: dict | None = None,
        at: datetime | None = None,
    ) -> Event:
        """Append one event to a problem's log inside the caller's transaction; the same subscribers run."""
        kind_value, payload = _kind_and_data(what, data)
        when = at or self.clock()
        values = {
            "problem_number": problem_number,
            "kind": kind_value,
            "actor": actor,
            "at": when,
            "data": payload,
        }
        result = connection.execute(sa.insert(problem_events).values(**values))
        event = Event(
            incident_number=None,
            kind=kind_from_db(kind_value),  # type: ignore[arg-type]
            at=when.astimezone(UTC),
            actor=actor,
            data=payload,
            id=inserted_id(result),
            problem_number=problem_number,
        )
        for hook in self._hooks:
            hook(connection, event, None)
        return event

    def list_problem(self, problem_number: int) -> list[Event]:
        """A problem's log, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(problem_events)
                .where(problem_events.c.problem_number == problem_number)
                .order_by(problem_events.c.at, problem_events.c.id)
            ).all()
        return [
            Event(
                incident_number=None,
                kind=kind_from_db(row.kind),  # type: ignore[arg-type]
                at=row.at,
                actor=row.actor,
                data=dict(row.data or {}),
                id=row.id,
                problem_number=row.problem_number,
            )
            for row in rows
        ]

    def of_kind_since(self, kind: str, since: datetime) -> list[Event]:
        """Events of one kind from both logs at or after `since` (reminders look up what they already sent)."""
        with self._db.read() as connection:
            incident_rows = connection.execute(
                sa.select(events).where(events.c.kind == str(kind), events.c.at >= since)
            ).all()
            problem_rows = connection.execute(
                sa.select(problem_events).where(problem_events.c.kind == str(kind), problem_events.c.at >= since)
            ).all()
        found = [event_from_row(row) for row in incident_rows]
        for row in problem_rows:
            found.append(
                Event(None, kind_from_db(row.kind), row.at, row.actor, dict(row.data or {}), row.id, row.problem_number)  # type: ignore[arg-type]
            )
        return found

    def latest_of_kind(self, kind: str, numbers: Collection[int]) -> dict[int, datetime]:
        """For each incident of `numbers` with an event of `kind`, when its latest one was: one query for them all
        (the workflows' `quiet` asks it for every open incident each round)."""
        if not numbers:
            return {}
        query = (
            sa.select(events.c.incident_number, sa.func.max(events.c.at))
            .where(events.c.kind == str(kind), events.c.incident_number.in_(list(numbers)))
            .group_by(events.c.incident_number)
        )
        with self._db.read() as connection:
            return {number: at for number, at in connection.execute(query)}

    def list(self, number: int) -> list[Event]:
        """Oldest first (by time, then by the order they were appended)."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(events).where(events.c.incident_number == number).order_by(events.c.at, events.c.id)
            ).all()
        return [event_from_row(row) for row in rows]
