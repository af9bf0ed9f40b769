"""The recorded steps of opening an incident: each one stored as done (or failed) so a restart resumes the rest."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

from ..domain.incident import STEPS_TO_OPEN, EventKind, Incident, OpenStep, Status
from .database import Database
from .errors import AlreadyClosed
from .events import EventLog
from .incident_rows import require
from .tables import incidents


class OpenSteps:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def _record_step(self, connection: sa.Connection, incident: Incident, step: OpenStep, data: dict) -> Incident:
        """Mark `step` done on a row already locked by the caller; OPENING becomes OPEN once STEPS_TO_OPEN are."""
        steps = list(incident.steps_done)
        newly_done = step.value not in steps
        if newly_done:
            steps.append(step.value)
        values: dict[str, Any] = {"steps_done": steps}
        if incident.status is Status.OPENING and all(s.value in steps for s in STEPS_TO_OPEN):
            values["status"] = Status.OPEN.value
        connection.execute(sa.update(incidents).where(incidents.c.number == incident.number).values(**values))
        if newly_done:
            self._events.append(connection, incident.number, EventKind.STEP_DONE, data={"step": step.value, **data})
        return dataclasses.replace(incident, steps_done=steps, status=Status(values.get("status", incident.status)))

    def set_intended_channel_name(self, number: int, name: str) -> Incident:
        """Remember the name about to be sent to conversations.create, before Slack is asked.

        If the process dies after Slack created the channel but before its id was stored, the resumed create gets
        name_taken for exactly this name, and the channel can be found and adopted instead of left behind.
        Raises AlreadyClosed when the incident is closing or closed: it must not get a channel any more.
        """
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            if incident.is_closing_or_closed:
                raise AlreadyClosed(incident)
            connection.execute(
                sa.update(incidents)
                .where(incidents.c.number == number, incidents.c.channel_id.is_(None))
                .values(channel_name=name)
            )
            return require(connection, number)

    def set_channel(self, number: int, channel_id: str, channel_name: str) -> Incident:
        """Store the created channel. Stored even if the incident got closed meanwhile (the returned status says so):
        the caller then archives it, and the channel is never unknown to the database."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            connection.execute(
                sa.update(incidents)
                .where(incidents.c.number == number)
                .values(channel_id=channel_id, channel_name=channel_name)
            )
            incident = dataclasses.replace(incident, channel_id=channel_id, channel_name=channel_name)
            return self._record_step(
                connection, incident, OpenStep.CHANNEL, {"channel_id": channel_id, "channel_name": channel_name}
            )

    def done(self, number: int, step: OpenStep, data: dict | None = None) -> Incident:
        """Idempotent: a step already done is not recorded again (no second event)."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            return self._record_step(connection, incident, OpenStep(step), dict(data or {}))

    def failed(self, number: int, step: OpenStep, error: str) -> None:
        with self._db.write() as connection:
            require(connection, number)
            self._events.append(
                connection, number, EventKind.STEP_FAILED, data={"step": OpenStep(step).value, "error": error}
            )
