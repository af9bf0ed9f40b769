"""The public status page's repository: each incident's public entry and its public updates.

Every write appends to the incident's event log in the same transaction, so the outbox (Statuspage, the
`status.published` webhook) is written with it. Reads for the public page never touch the incident's own texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from ..domain.events import StatusFinalAsked, StatusPublished, StatusUnpublished
from ..domain.status_page import OPERATIONAL, RESOLVED, PublicEntry, PublicUpdate
from .database import Database, inserted_id
from .events import EventLog
from .incident_rows import require
from .status_tables import status_entries, status_updates
from .tables import incidents


class PrivateIncident(Exception):
    """A private incident is never published."""


def _entry(row: sa.Row) -> PublicEntry:
    return PublicEntry(
        number=row.incident_number,
        title=row.title,
        status=row.status,
        components=dict(row.components or {}),
        published_at=row.published_at,
        updated_at=row.updated_at,
        resolved_at=row.resolved_at,
        withdrawn_at=row.withdrawn_at,
        final_asked_at=row.final_asked_at,
    )


def _update(row: sa.Row) -> PublicUpdate:
    return PublicUpdate(id=row.id, status=row.status, body=row.body, at=row.at)


class StatusPageRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    # --- writes -------------------------------------------------------------------------------------------------
    def publish(
        self,
        number: int,
        *,
        title: str | None,
        status: str,
        components: dict[str, str],
        body: str,
        actor: str,
        at: datetime,
    ) -> tuple[PublicEntry, bool]:
        """Publish an update (the first creates the entry). `title` None keeps the current one; `components` are
        merged over the entry's; a resolved update puts every component of the entry back to operational.
        Returns the entry with its newest update first, and whether this was the first publish (or a republish
        after a withdrawal)."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            if incident.is_private:
                raise PrivateIncident(number)
            row = connection.execute(
                sa.select(status_entries).where(status_entries.c.incident_number == number)
            ).one_or_none()
            current = _entry(row) if row is not None else None
            first = current is None or current.withdrawn_at is not None
            merged = {**(current.components if current and not first else {}), **components}
            if status == RESOLVED:
                merged = dict.fromkeys(merged, OPERATIONAL)
            values = {
                "title": title or (current.title if current else "Service disruption"),
                "status": status,
                "components": merged,
                "updated_at": at,
                "resolved_at": at if status == RESOLVED else None,
                "withdrawn_at": None,
            }
            if current is None:
                connection.execute(sa.insert(status_entries).values(incident_number=number, published_at=at, **values))
            else:
                if first:
                    values["published_at"] = at
                connection.execute(
                    sa.update(status_entries).where(status_entries.c.incident_number == number).values(**values)
                )
            update_id = inserted_id(
                connection.execute(
                    sa.insert(status_updates).values(
                        incident_number=number, status=status, body=body, components=merged, at=at
                    )
                )
            )
            entry = _entry(
                connection.execute(sa.select(status_entries).where(status_entries.c.incident_number == number)).one()
            )
            entry.updates = self._updates(connection, [number]).get(number, [])
            published = StatusPublished(
                update=update_id,
                first=first,
                title=entry.title,
                status=status,
                body=body,
                components=merged,
                changed=dict(components),
            )
            self._events.append(connection, number, published, actor=actor, at=at, incident=incident)
        return entry, first

    def unpublish(self, number: int, *, actor: str, at: datetime) -> bool:
        """Withdraw the entry from the page; False when it is not published."""
        with self._db.write() as connection:
            incident = require(connection, number, for_update=True)
            done = connection.execute(
                sa.update(status_entries)
                .where(status_entries.c.incident_number == number, status_entries.c.withdrawn_at.is_(None))
                .values(withdrawn_at=at)
            ).rowcount
            if done:
                self._events.append(connection, number, StatusUnpublished(), actor=actor, at=at, incident=incident)
        return bool(done)

    def ask_final_once(self, number: int, at: datetime) -> bool:
        """Record that the commander is asked for the final update; True for the one caller that may ask."""
        with self._db.write() as connection:
            done = connection.execute(
                sa.update(status_entries)
                .where(
                    status_entries.c.incident_number == number,
                    status_entries.c.final_asked_at.is_(None),
                    status_entries.c.withdrawn_at.is_(None),
                    status_entries.c.status != RESOLVED,
                )
                .values(final_asked_at=at)
            ).rowcount
            if done:
                self._events.append(connection, number, StatusFinalAsked(), at=at)
        return bool(done)

    # --- reads --------------------------------------------------------------------------------------------------
    def get(self, number: int) -> PublicEntry | None:
        """The entry whatever its state (withdrawn too), with its updates newest first."""
        with self._db.read() as connection:
            row = connection.execute(
                sa.select(status_entries).where(status_entries.c.incident_number == number)
            ).one_or_none()
            if row is None:
                return None
            entry = _entry(row)
            entry.updates = self._updates(connection, [number]).get(number, [])
        return entry

    def shown(self, since: datetime) -> list[PublicEntry]:
        """What the public page shows: published, not withdrawn, of a non-private incident, and open or resolved
        since `since`; newest first, with their updates."""
        with self._db.read() as connection:
            query = (
                sa.select(status_entries)
                .join(incidents, incidents.c.number == status_entries.c.incident_number)
                .where(
                    incidents.c.is_private.is_(False),
                    status_entries.c.withdrawn_at.is_(None),
                    sa.or_(status_entries.c.resolved_at.is_(None), status_entries.c.resolved_at >= since),
                )
                .order_by(status_entries.c.published_at.desc(), status_entries.c.incident_number.desc())
            )
            entries = [_entry(row) for row in connection.execute(query)]
            updates = self._updates(connection, [e.number for e in entries])
        for entry in entries:
            entry.updates = updates.get(entry.number, [])
        return entries

    @staticmethod
    def _updates(connection: sa.Connection, numbers: Iterable[int]) -> dict[int, list[PublicUpdate]]:
        wanted = list(numbers)
        if not wanted:
            return {}
        found: dict[int, list[PublicUpdate]] = {}
        # The page never shows an update's component states: not reading them halves the cost of a big page.
        c = status_updates.c
        query = (
            sa.select(c.id, c.incident_number, c.status, c.body, c.at)
            .where(status_updates.c.incident_number.in_(wanted))
            .order_by(status_updates.c.id.desc())
        )
        for row in connection.execute(query):
            found.setdefault(row.incident_number, []).append(_update(row))
        return found
