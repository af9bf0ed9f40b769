"""Links between incidents (incident_links): one row per pair, logged in both incidents' event logs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..domain.links import Link, LinkKind
from ..domain.problem_events import IncidentLinked, IncidentUnlinked
from .database import Database
from .events import EventLog
from .incident_rows import require
from .tables import incident_links


def _link(row: sa.Row) -> Link:
    other = row.high_number if row.source_number == row.low_number else row.low_number
    return Link(row.source_number, other, LinkKind(row.kind), row.created_by, row.created_at)


def _pair(a: int, b: int):
    low, high = min(a, b), max(a, b)
    return sa.and_(incident_links.c.low_number == low, incident_links.c.high_number == high)


class LinkRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def get(self, a: int, b: int) -> Link | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(incident_links).where(_pair(a, b))).one_or_none()
        return None if row is None else _link(row)

    def link(self, source: int, target: int, kind: LinkKind, *, actor: str, at: datetime) -> Link | None:
        """Link (or re-link with another kind / direction); returns the link it replaced, if any.

        Both incidents' logs get an `incident_linked` event (data: other, kind, source)."""
        if source == target:
            raise ValueError("an incident cannot be linked to itself")
        with self._db.write() as connection:
            require(connection, min(source, target), for_update=True)
            require(connection, max(source, target), for_update=True)
            row = connection.execute(sa.select(incident_links).where(_pair(source, target))).one_or_none()
            previous = None if row is None else _link(row)
            values = {"source_number": source, "kind": kind.value, "created_by": actor, "created_at": at}
            if row is None:
                low, high = min(source, target), max(source, target)
                connection.execute(sa.insert(incident_links).values(low_number=low, high_number=high, **values))
            else:
                connection.execute(sa.update(incident_links).where(_pair(source, target)).values(**values))
            for number, other in ((source, target), (target, source)):
                linked = IncidentLinked(
                    other=other,
                    link_kind=kind.value,
                    source=source,
                    previous_kind=None if previous is None else previous.kind.value,
                )
                self._events.append(connection, number, linked, actor=actor, at=at)
        return previous

    def unlink(self, a: int, b: int, *, actor: str, at: datetime) -> Link | None:
        """Remove the link between a and b; None when there was none (nothing logged)."""
        with self._db.write() as connection:
            row = connection.execute(sa.select(incident_links).where(_pair(a, b))).one_or_none()
            if row is None:
                return None
            connection.execute(sa.delete(incident_links).where(_pair(a, b)))
            link = _link(row)
            for number, other in ((a, b), (b, a)):
                unlinked = IncidentUnlinked(other=other, link_kind=link.kind.value, source=link.source)
                self._events.append(connection, number, unlinked, actor=actor, at=at)
        return link

    def for_incident(self, number: int) -> list[Link]:
        """Every link of the incident, whichever side it is on, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(incident_links)
                .where(sa.or_(incident_links.c.low_number == number, incident_links.c.high_number == number))
                .order_by(incident_links.c.created_at)
            ).all()
        return [_link(row) for row in rows]
