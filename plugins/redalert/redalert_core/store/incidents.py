"""Incidents: create (with the dedup and repeat rules), find, list, close, and single-column changes."""

from __future__ import annotations

import builtins  # `list` names a method of IncidentRepository; its annotations need the type
import dataclasses
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..domain.events import (
    ChannelRenamed,
    Closed,
    CloseFailed,
    CloseStarted,
    FieldSet,
    Opened,
    SeverityChanged,
    TypeChanged,
)
from ..domain.incident import OPEN_PHASES, Incident, OpenStep, Phase, same_words
from ..domain.visibility import Viewer
from .database import Database, inserted_id
from .errors import AlreadyClosed, DuplicateCommand, RepeatedCommand
from .events import EventLog
from .incident_fields import write_values
from .incident_rows import incident_from_row, load, require
from .tables import incidents, open_owners
from .visibility import visible

_NOT_CLOSED = tuple(phase.value for phase in OPEN_PHASES)


class IncidentRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def create(
        self,
        *,
        severity: str,
        description: str,
        opened_by: str,
        opened_at: datetime,
        origin_channel: str | None,
        is_private: bool = False,
        dedup_key: str | None = None,
        repeat_since: datetime | None = None,
        owner: dict[str, str] | None = None,
        incident_type: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> Incident:
        """Record a new incident (phase OPENING, step "recorded" done).

        Raises DuplicateCommand for a known dedup key, and RepeatedCommand when `repeat_since` is given and the same
        person opened the same severity and description at or after it (a command sent twice by hand).
        `owner` ({"instance", "replica_id"}) records, in the same commit, which process runs the open's steps.
        `incident_type` and `fields` (REDALERT_WORKFLOWS_FILE's) are stored in that commit too.
        """
        try:
            with self._db.write() as connection:
                # Checked first so a retried command does not burn a number (PostgreSQL sequences never roll
                # back); the unique constraint still settles races between concurrent attempts.
                if dedup_key is not None:
                    found = connection.execute(sa.select(incidents).where(incidents.c.dedup_key == dedup_key))
                    existing_row = found.one_or_none()
                    if existing_row is not None:
                        raise DuplicateCommand(incident_from_row(existing_row))
                if repeat_since is not None:
                    repeated = self._recent_same_open(connection, opened_by, severity, description, repeat_since)
                    if repeated is not None:
                        raise RepeatedCommand(repeated)
                result = connection.execute(
                    sa.insert(incidents).values(
                        severity=severity,
                        description=description,
                        phase=Phase.OPENING.value,
                        origin_channel=origin_channel,
                        is_private=is_private,
                        dedup_key=dedup_key,
                        steps_done=[OpenStep.RECORDED.value],
                        opened_by=opened_by,
                        opened_at=opened_at,
                        incident_type=incident_type,
                    )
                )
                number = inserted_id(result)
                if owner is not None:
                    connection.execute(sa.insert(open_owners).values(incident_number=number, since=opened_at, **owner))
                opened = Opened(severity=severity, description=description, origin_channel=origin_channel)
                self._events.append(connection, number, opened, actor=opened_by, at=opened_at)
                if fields:  # after the open in the timeline, one entry per field
                    write_values(connection, number, fields)
                    for name, value in fields.items():
                        given = FieldSet(name=name, value=value, at_open=True)
                        self._events.append(connection, number, given, actor=opened_by, at=opened_at)
                # Built from what was written rather than read back: one query less on every open.
                return Incident(
                    number=number,
                    severity=severity,
                    description=description,
                    opened_by=opened_by,
                    opened_at=opened_at.astimezone(UTC),
                    phase=Phase.OPENING,
                    origin_channel=origin_channel,
                    is_private=is_private,
                    dedup_key=dedup_key,
                    steps_done=[OpenStep.RECORDED.value],
                    incident_type=incident_type,
                )
        except sa.exc.IntegrityError:
            # The unique constraint, not a prior lookup, decides: two racing inserts cannot both succeed.
            existing = self.get_by_dedup_key(dedup_key) if dedup_key is not None else None
            if existing is None:
                raise
            raise DuplicateCommand(existing) from None

    def _recent_same_open(
        self, connection: sa.Connection, opened_by: str, severity: str, description: str, since: datetime
    ) -> Incident | None:
        # On PostgreSQL two identical commands checked in parallel would both find nothing, so one opener's opens
        # take turns (until commit).
        self._db.advisory_lock(connection, opened_by)
        # Only the compared columns: a burst of opens by one person must not load every recent incident in full.
        rows = connection.execute(
            sa.select(incidents.c.number, incidents.c.severity, incidents.c.description)
            .where(incidents.c.opened_by == opened_by, incidents.c.opened_at >= since)
            .order_by(incidents.c.number.desc())
        ).all()
        wanted = (severity.casefold(), same_words(description))
        for row in rows:
            if (row.severity.casefold(), same_words(row.description)) == wanted:
                return load(connection, row.number)
        return None

    def get(self, number: int) -> Incident | None:
        with self._db.read() as connection:
            return load(connection, number)

    def _find_one(self, condition: sa.ColumnElement[bool]) -> Incident | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(incidents).where(condition)).one_or_none()
        return None if row is None else incident_from_row(row)

    def get_by_channel(self, channel_id: str) -> Incident | None:
        return self._find_one(incidents.c.channel_id == channel_id)

    def get_by_dedup_key(self, key: str) -> Incident | None:
        return self._find_one(incidents.c.dedup_key == key)

    def list(
        self, *, include_closed: bool = False, limit: int = 50, viewer: Viewer | None = None
    ) -> tuple[list[Incident], int]:
        """Newest first, at most `limit`, with the total number matching. "Open" means not closed.

        With a `viewer`, only the incidents it may see (domain/visibility.py); without, all of them.
        """
        condition: sa.ColumnElement[bool] = sa.true() if include_closed else incidents.c.phase.in_(_NOT_CLOSED)
        if viewer is not None:
            condition = sa.and_(condition, visible(viewer))
        with self._db.read() as connection:
            total = connection.scalar(sa.select(sa.func.count()).select_from(incidents).where(condition))
            rows = connection.execute(
                sa.select(incidents).where(condition).order_by(incidents.c.number.desc()).limit(limit)
            ).all()
        return [incident_from_row(row) for row in rows], int(total or 0)

    def _where(self, condition: sa.ColumnElement[bool]) -> builtins.list[Incident]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(incidents).where(condition).order_by(incidents.c.number)).all()
        return [incident_from_row(row) for row in rows]

    def unfinished(self) -> builtins.list[Incident]:
        """Incidents whose open sequence never finished (phase OPENING, or OPEN with the pin missing), oldest first."""
        pin_missing = sa.cast(incidents.c.steps_done, sa.Text).not_like(f'%"{OpenStep.PIN.value}"%')
        return self._where(
            sa.or_(
                incidents.c.phase == Phase.OPENING.value,
                sa.and_(incidents.c.phase == Phase.OPEN.value, pin_missing),
            )
        )

    def not_closed(self) -> builtins.list[Incident]:
        """Every incident that is not closed, oldest first (for reminders; no limit)."""
        return self._where(incidents.c.phase.in_(_NOT_CLOSED))

    def open_by_severity(self) -> dict[str, int]:
        """Severity -> number of incidents not closed (the metrics' open incidents)."""
        query = sa.select(incidents.c.severity, sa.func.count()).where(incidents.c.phase.in_(_NOT_CLOSED))
        with self._db.read() as connection:
            return dict(connection.execute(query.group_by(incidents.c.severity)).all())

    def channel_name_claimed(self, name: str, *, other_than: int) -> bool:
        """Whether another incident already has (or is about to create) a channel called `name`."""
        with self._db.read() as connection:
            found = connection.scalar(
                sa.select(incidents.c.number)
                .where(incidents.c.channel_name == name, incidents.c.number != other_than)
                .limit(1)
            )
        return found is not None

    def closing(self) -> builtins.list[Incident]:
        """Incidents left in CLOSING by a close that a restart interrupted, oldest first."""
        return self._where(incidents.c.phase == Phase.CLOSING.value)

    def begin_close(
        self, number: int, *, actor: str, resolution: str | None, also_log: tuple[str, ...] = ()
    ) -> Incident:
        """Mark the incident CLOSING before its channel is archived; returns it as stored now (channel included).

        `also_log`: event kinds to append with it (the closing message that was just posted). A CLOSING incident
        may be taken over by a later close (the earlier one crashed). Raises AlreadyClosed.
        """
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            if incident.is_closed:
                raise AlreadyClosed(incident)
            connection.execute(
                sa.update(incidents).where(incidents.c.number == number).values(phase=Phase.CLOSING.value)
            )
            for kind in also_log:
                self._events.append(connection, number, kind, actor=actor)
            self._events.append(connection, number, CloseStarted(resolution=resolution), actor=actor)
            return dataclasses.replace(incident, phase=Phase.CLOSING)

    def abort_close(self, number: int, *, error: str) -> Incident:
        """The archive failed: the incident is open (or opening) again and can be closed, or retried, later."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            if incident.phase is not Phase.CLOSING:
                return incident
            phase = incident.phase_when_not_closing()
            connection.execute(sa.update(incidents).where(incidents.c.number == number).values(phase=phase.value))
            self._events.append(connection, number, CloseFailed(error=error))
            return dataclasses.replace(incident, phase=phase)

    def close(self, number: int, *, closed_by: str, closed_at: datetime, resolution: str | None) -> Incident:
        """Close once. Raises AlreadyClosed if someone closed it first, IncidentNotFound if it never existed."""
        with self._db.write() as connection:
            # Conditional update: of two concurrent closes only one matches a not-yet-closed row.
            result = connection.execute(
                sa.update(incidents)
                .where(incidents.c.number == number, incidents.c.phase != Phase.CLOSED.value)
                .values(phase=Phase.CLOSED.value, closed_by=closed_by, closed_at=closed_at, resolution=resolution)
            )
            if result.rowcount == 0:
                raise AlreadyClosed(require(connection, number))
            self._events.append(connection, number, Closed(resolution=resolution), actor=closed_by, at=closed_at)
            return require(connection, number)

    def change_severity(self, number: int, *, severity: str, actor: str, at: datetime) -> Incident:
        return self._change_column(number, "severity", severity, SeverityChanged, actor=actor, at=at)

    def change_type(self, number: int, *, incident_type: str, actor: str, at: datetime) -> Incident:
        return self._change_column(number, "incident_type", incident_type, TypeChanged, actor=actor, at=at)

    def rename_channel(self, number: int, *, name: str, at: datetime) -> Incident:
        return self._change_column(number, "channel_name", name, ChannelRenamed, actor=None, at=at)

    def _change_column(
        self,
        number: int,
        column: str,
        value: str,
        change: type[SeverityChanged] | type[ChannelRenamed] | type[TypeChanged],
        *,
        actor: str | None,
        at: datetime,
    ) -> Incident:
        """Set one column of an incident and log the change as a `change` event (from, to)."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            connection.execute(sa.update(incidents).where(incidents.c.number == number).values({column: value}))
            self._events.append(
                connection, number, change(from_=getattr(incident, column), to=value), actor=actor, at=at
            )
            changed: dict[str, Any] = {column: value}  # a field named at run time: mypy cannot match it
            return dataclasses.replace(incident, **changed)
