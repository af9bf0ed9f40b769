"""The recorded steps of opening an incident: each one stored as done (or failed) so a restart resumes the rest."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

from ..domain.events import StepFailed
from ..domain.incident import STEPS_TO_OPEN, EventKind, Incident, OpenStep, Phase
from .database import Database
from .errors import AlreadyClosed
from .events import EventLog
from .incident_rows import require
from .tables import incidents


class OpenSteps:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def _record_steps(
        self, connection: sa.Connection, incident: Incident, done: list[OpenStep], data: dict, values: dict[str, Any]
    ) -> Incident:
        """Mark `done` on a row already locked by the caller, with any other `values`, in one UPDATE.

        OPENING becomes OPEN once STEPS_TO_OPEN are all done; a step already done makes no second event.
        """
        steps = list(incident.steps_done)
        newly_done = [step for step in dict.fromkeys(done) if step.value not in steps]
        steps += [step.value for step in newly_done]
        values = {**values, "steps_done": steps}
        if incident.phase is Phase.OPENING and all(s.value in steps for s in STEPS_TO_OPEN):
            values["phase"] = Phase.OPEN.value
        if newly_done or len(values) > 1:
            connection.execute(sa.update(incidents).where(incidents.c.number == incident.number).values(**values))
        phase = Phase(values.pop("phase", incident.phase))
        updated = dataclasses.replace(incident, **values, phase=phase)
        for step in newly_done:
            event_data = {"step": step.value, **data}
            self._events.append(connection, incident.number, EventKind.STEP_DONE, data=event_data, incident=updated)
        return updated

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
            if incident.channel_id is not None:
                return incident
            connection.execute(sa.update(incidents).where(incidents.c.number == number).values(channel_name=name))
            return dataclasses.replace(incident, channel_name=name)

    def set_channel(self, number: int, channel_id: str, channel_name: str) -> Incident:
        """Store the created channel. Stored even if the incident got closed meanwhile (the returned phase says so):
        the caller then archives it, and the channel is never unknown to the database."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            data = {"channel_id": channel_id, "channel_name": channel_name}
            return self._record_steps(connection, incident, [OpenStep.CHANNEL], data, data)

    def done(self, number: int, step: OpenStep, data: dict | None = None) -> Incident:
        """Idempotent: a step already done is not recorded again (no second event)."""
        return self.done_many(number, [OpenStep(step)], data=data)

    def done_many(
        self, number: int, steps: list[OpenStep], *, data: dict | None = None, summary_ts: str | None = None
    ) -> Incident:
        """Record several steps (a wave) with one read and one write of the row; returns the incident as stored.

        `summary_ts` is stored with them (the summary step's message).
        """
        values = {} if summary_ts is None else {"summary_ts": summary_ts}
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            return self._record_steps(connection, incident, [OpenStep(s) for s in steps], dict(data or {}), values)

    def failed(self, number: int, step: OpenStep, error: str) -> None:
        with self._db.write() as connection:
            incident = require(connection, number)
            failed = StepFailed(step=OpenStep(step).value, error=error)
            self._events.append(connection, number, failed, incident=incident)
