"""Who is in each incident, in the order they joined."""

from __future__ import annotations

import sqlalchemy as sa

from .database import Database
from .events import EventLog
from .incident_rows import require
from .tables import participants


class ParticipantRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._clock = events.clock  # the application's clock, as the events'

    def add(self, number: int, user_ids: list[str], *, source: str) -> list[str]:
        """Add people to the incident; returns those not already in it (in the order given)."""
        added: list[str] = []
        now = self._clock()
        with self._db.write() as connection:
            require(connection, number)
            for user_id in dict.fromkeys(user_ids):
                statement = (
                    self._db.insert(participants)
                    .values(incident_number=number, user_id=user_id, source=source, added_at=now)
                    .on_conflict_do_nothing(index_elements=["incident_number", "user_id"])
                    .returning(participants.c.user_id)  # a row comes back only if it was inserted
                )
                if connection.execute(statement).first() is not None:
                    added.append(user_id)
        return added

    def list(self, number: int) -> list[str]:
        """User ids in the order they joined."""
        with self._db.read() as connection:
            return list(
                connection.scalars(
                    sa.select(participants.c.user_id)
                    .where(participants.c.incident_number == number)
                    .order_by(participants.c.added_at, participants.c.user_id)
                )
            )

    def contains(self, number: int, user_id: str) -> bool:
        with self._db.read() as connection:
            found = connection.scalar(
                sa.select(participants.c.user_id).where(
                    participants.c.incident_number == number, participants.c.user_id == user_id
                )
            )
        return found is not None
