"""The response state of each incident (table incident_workflow): the team's status, roles and where it was
announced (see services/response.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..domain.events import Announced, Reminded, RoleAssigned, StatusChanged
from ..domain.response_state import ResponseState
from .database import Database
from .events import EventLog
from .incident_rows import require
from .tables import incident_workflow, reminders_sent


class ResponseRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def get(self, number: int) -> ResponseState:
        """The incident's response state; an incident nobody has touched yet has the empty state."""
        with self._db.read() as connection:
            return self._load(connection, number)

    def _load(self, connection: sa.Connection, number: int) -> ResponseState:
        row = connection.execute(
            sa.select(incident_workflow).where(incident_workflow.c.incident_number == number)
        ).one_or_none()
        if row is None:
            return ResponseState(incident_number=number)
        return ResponseState(
            incident_number=number,
            status=row.status,
            resolved_at=row.resolved_at,
            roles=dict(row.roles or {}),
            announce_channel=row.announce_channel,
            announce_ts=row.announce_ts,
        )

    def _save(self, connection: sa.Connection, state: ResponseState) -> None:
        values = {
            "status": state.status,
            "resolved_at": state.resolved_at,
            "roles": dict(state.roles),
            "announce_channel": state.announce_channel,
            "announce_ts": state.announce_ts,
        }
        statement = self._db.insert(incident_workflow).values(incident_number=state.incident_number, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["incident_number"], set_=values))

    def assign_role(self, number: int, *, role: str, user_id: str, actor: str, at: datetime) -> str | None:
        """Give `role` to `user_id`; returns who held it before (None if nobody). Logged as role_assigned."""
        with self._db.write() as connection:
            require(connection, number, for_update=True)
            state = self._load(connection, number)
            previous = state.roles.get(role)
            state.roles[role] = user_id
            self._save(connection, state)
            assigned = RoleAssigned(role=role, user=user_id, previous=previous)
            self._events.append(connection, number, assigned, actor=actor, at=at)
        return previous

    def set_status(
        self,
        number: int,
        *,
        status: str,
        resolved: bool,
        actor: str,
        note: str | None,
        at: datetime,
        implicit_previous: str | None = None,
    ) -> str | None:
        """Move the incident to `status` (resolved: record the resolution time); returns the previous status.

        `implicit_previous` names the status an incident has before anyone set one (the first configured).
        """
        with self._db.write() as connection:
            require(connection, number, for_update=True)
            state = self._load(connection, number)
            previous = state.status or implicit_previous
            state.status = status
            state.resolved_at = at if resolved else None
            self._save(connection, state)
            changed = StatusChanged(from_=previous, to=status, note=note, resolved=resolved)
            self._events.append(connection, number, changed, actor=actor, at=at)
        return previous

    def set_announcement(self, number: int, *, channel_id: str, ts: str, at: datetime) -> None:
        """The first announcement in `channel_id`: later updates are threaded under `ts`."""
        with self._db.write() as connection:
            require(connection, number, for_update=True)
            state = self._load(connection, number)
            state.announce_channel, state.announce_ts = channel_id, ts
            self._save(connection, state)
            self._events.append(connection, number, Announced(channel=channel_id, ts=ts), at=at)

    def record_reminder(self, number: int, *, kind: str, gap_start: datetime, reminded: Reminded, at: datetime) -> bool:
        """Record a reminder (and its REMINDED event) before it is posted; False when it was recorded already.

        The row's primary key (incident, kind, gap) settles it when two replicas find the same reminder due at
        once: only the one whose insert lands posts it.
        """
        statement = (
            self._db.insert(reminders_sent)
            .values(incident_number=number, kind=kind, gap_start=gap_start.isoformat(), sent_at=at)
            .on_conflict_do_nothing()
            .returning(reminders_sent.c.kind)  # a row comes back only when this insert landed
        )
        with self._db.write() as connection:
            require(connection, number)
            if connection.execute(statement).first() is None:
                return False
            self._events.append(connection, number, reminded, at=at)
            return True
