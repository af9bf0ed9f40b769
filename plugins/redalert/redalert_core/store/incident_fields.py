"""An incident's custom field values (REDALERT_WORKFLOWS_FILE's `fields:`): one row per field that has a value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

from ..domain.events import FieldSet
from .database import Database
from .events import EventLog
from .tables import incident_fields


def write_values(connection: sa.Connection, number: int, values: Mapping[str, str]) -> None:
    """Store values (insert or replace) inside the caller's transaction."""
    for name, value in values.items():
        table = incident_fields.c
        where = sa.and_(table.incident_number == number, table.name == name)
        updated = connection.execute(sa.update(incident_fields).where(where).values(value=value))
        if updated.rowcount == 0:
            connection.execute(sa.insert(incident_fields).values(incident_number=number, name=name, value=value))


class IncidentFields:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def values(self, number: int) -> dict[str, str]:
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(incident_fields.c.name, incident_fields.c.value)
                .where(incident_fields.c.incident_number == number)
                .order_by(incident_fields.c.name)
            )
            return {row.name: row.value for row in rows}

    def values_for(self, numbers: list[int]) -> dict[int, dict[str, str]]:
        """The values of several incidents in one query (a page of the API's list), by incident number."""
        found: dict[int, dict[str, str]] = {}
        if not numbers:
            return found
        table = incident_fields.c
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(table.incident_number, table.name, table.value)
                .where(table.incident_number.in_(numbers))
                .order_by(table.incident_number, table.name)
            )
            for row in rows:
                found.setdefault(row.incident_number, {})[row.name] = row.value
        return found

    def set(self, number: int, name: str, value: str, *, actor: str, at: datetime) -> None:
        self.set_many(number, {name: value}, actor=actor, at=at)

    def set_many(self, number: int, values: Mapping[str, str], *, actor: str, at: datetime) -> None:
        """The values and a timeline entry each (which workflows `when: field_changed` follow), in one transaction."""
        with self._db.write() as connection:
            write_values(connection, number, values)
            for name, value in values.items():
                self._events.append(connection, number, FieldSet(name=name, value=value), actor=actor, at=at)
