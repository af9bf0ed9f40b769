"""The command inbox: each chat command from its receipt until its answer, so none is lost or answered twice.

- `receive` stores the command in the thread that received it, before Slack hears the envelope's ack; the primary
  key (channel + event ts) makes it the claim too: of two deliveries of one message (a redelivery, or to two
  replicas) only the first is received, unknown commands included.
- a command's first database change marks its row `applied` in the same transaction (`Database.command_scope`), so
  a command re-run after a crash can tell whether its change already happened;
- `finish` marks it `done` once its answer is posted;
- `unfinished` lists what dead processes left behind; `take_over` hands one row to the process that re-runs it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import command_inbox

RECEIVED, APPLIED, DONE = "received", "applied", "done"


@dataclass(frozen=True)
class InboxCommand:
    key: str
    command: str | None
    event: dict
    claimed_by: str
    state: str


class CommandInbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def receive(self, key: str, *, event: dict, command: str | None, instance: str, at: datetime) -> bool:
        """True for the one caller that stored `key` first (it runs and answers the command)."""
        original = event.get("message") or event
        statement = (
            self._db.insert(command_inbox)
            .values(
                key=key[:255],
                channel=str(event.get("channel", ""))[:64],
                ts=str(original.get("ts", ""))[:64],
                user_id=original.get("user"),
                command=command[:100] if command else None,
                text=original.get("text"),
                event=json.dumps(event),
                claimed_by=instance,
                received_at=at,
                state=RECEIVED,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(command_inbox.c.key)
        )
        with self._db.write() as connection:
            return connection.execute(statement).first() is not None

    def finish(self, key: str, *, at: datetime) -> None:
        with self._db.write() as connection:
            connection.execute(
                sa.update(command_inbox).where(command_inbox.c.key == key).values(state=DONE, finished_at=at)
            )

    def state(self, key: str) -> str | None:
        with self._db.read() as connection:
            return connection.execute(sa.select(command_inbox.c.state).where(command_inbox.c.key == key)).scalar()

    def unfinished(self, live_instances: set[str]) -> list[InboxCommand]:
        """Commands received but not answered by a process that is not among `live_instances`, oldest first."""
        c = command_inbox.c
        query = sa.select(c.key, c.command, c.event, c.claimed_by, c.state).where(c.state != DONE)
        with self._db.read() as connection:
            rows = connection.execute(query.order_by(c.received_at, c.key)).all()
        return [
            InboxCommand(r.key, r.command, json.loads(r.event), r.claimed_by, r.state)
            for r in rows
            if r.claimed_by not in live_instances
        ]

    def take_over(self, item: InboxCommand, *, instance: str) -> bool:
        """True for the one process that takes `item` from its dead owner (two recovering leaders cannot both)."""
        c = command_inbox.c
        statement = (
            sa.update(command_inbox)
            .where(c.key == item.key, c.claimed_by == item.claimed_by, c.state != DONE)
            .values(claimed_by=instance)
        )
        with self._db.write() as connection:
            return connection.execute(statement).rowcount == 1

    def purge(self, before: datetime) -> int:
        """Forget answered commands older than any redelivery can be."""
        c = command_inbox.c
        with self._db.write() as connection:
            return connection.execute(sa.delete(command_inbox).where(c.received_at < before, c.state == DONE)).rowcount
