"""The outbox table: messages for outside systems, written in the change's transaction, read by the dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from ..domain.outbox import WAITING, OutboxMessage, OutboxRow, State
from .database import Database
from .tables import outbox


def _row(row: sa.Row) -> OutboxRow:
    return OutboxRow(
        id=row.id,
        destination=row.destination,
        ordering_key=row.ordering_key,
        idempotency_key=row.idempotency_key,
        payload=dict(row.payload or {}),
        state=State(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        attempts_since=row.attempts_since,
        incident_number=row.incident_number,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


_WAITING = [state.value for state in WAITING]


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._listeners: list[Callable[[], None]] = []
        # Built once: the insert runs inside chat commands' transactions, and building and coercing a fresh
        # statement per row costs more than executing it.
        self._insert = db.insert(outbox).on_conflict_do_nothing(index_elements=["destination", "idempotency_key"])
        # rowcount is not reliable across drivers for an upsert; RETURNING says whether a row was written.
        self._insert_one = self._insert.returning(outbox.c.id)

    def on_added(self, listener: Callable[[], None]) -> None:
        """Call `listener` after the commit of every transaction that added a row (the dispatcher's wake-up)."""
        self._listeners.append(listener)

    def add(self, message: OutboxMessage, at: datetime) -> bool:
        """Write a message in the current transaction; False if its idempotency key was already written."""
        with self._db.write() as connection:
            added = connection.execute(self._insert_one, self._values(message, at)).first() is not None
        self._wake_after_commit()
        return added

    def add_all(self, messages: list[OutboxMessage], at: datetime) -> None:
        """Write messages in the current transaction, in one statement; repeated idempotency keys are skipped."""
        if not messages:
            return
        with self._db.write() as connection:
            connection.execute(self._insert, [self._values(message, at) for message in messages])
        self._wake_after_commit()

    def _wake_after_commit(self) -> None:
        # Also when every row was a repeat: a needless wake-up costs one query, a missed one a poll interval.
        for listener in self._listeners:
            self._db.after_commit(listener)

    @staticmethod
    def _values(message: OutboxMessage, at: datetime) -> dict:
        return {
            "destination": message.destination,
            "ordering_key": message.ordering_key,
            "idempotency_key": message.idempotency_key,
            "incident_number": message.incident_number,
            "payload": message.payload,
            "state": State.PENDING.value,
            "attempts": 0,
            "next_attempt_at": at,
            "attempts_since": at,
            "created_at": at,
        }

    def get(self, row_id: int) -> OutboxRow | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(outbox).where(outbox.c.id == row_id)).one_or_none()
        return None if row is None else _row(row)

    def due(self, now: datetime, limit: int = 100) -> list[OutboxRow]:
        """The oldest waiting row of each ordering key, if it is due: a later row never overtakes an earlier one."""
        with self._db.read() as connection:
            heads = (
                sa.select(sa.func.min(outbox.c.id))
                .where(outbox.c.state.in_(_WAITING))
                .group_by(outbox.c.ordering_key)
                .scalar_subquery()
            )
            rows = connection.execute(
                sa.select(outbox)
                .where(outbox.c.id.in_(heads), outbox.c.next_attempt_at <= now)
                .order_by(outbox.c.id)
                .limit(limit)
            ).all()
        return [_row(row) for row in rows]

    def payloads(self, ordering_key: str) -> list[dict]:
        """The payloads of every row with this ordering key, oldest first, whatever their state: a history that
        later messages depend on (a PagerDuty alert's state, see outbox_policies.alert_state)."""
        query = sa.select(outbox.c.payload).where(outbox.c.ordering_key == ordering_key).order_by(outbox.c.id)
        with self._db.read() as connection:
            return [dict(payload) for payload in connection.scalars(query)]

    def waiting(self, ordering_key: str) -> int:
        """How many rows with this ordering key wait for delivery (a new one must queue behind them)."""
        query = sa.select(sa.func.count()).where(outbox.c.ordering_key == ordering_key, outbox.c.state.in_(_WAITING))
        with self._db.read() as connection:
            return int(connection.scalar(query) or 0)

    def due_now(self, ordering_key: str, at: datetime) -> None:
        """The waiting rows with this ordering key become due at `at` (what they waited for has happened)."""
        with self._db.write() as connection:
            connection.execute(
                sa.update(outbox)
                .where(outbox.c.ordering_key == ordering_key, outbox.c.state.in_(_WAITING))
                .values(next_attempt_at=at)
            )
        self._wake_after_commit()

    def next_due_at(self) -> datetime | None:
        with self._db.read() as connection:
            query = sa.select(sa.func.min(outbox.c.next_attempt_at)).where(outbox.c.state.in_(_WAITING))
            return connection.scalar(query)

    def delivered(self, row_id: int, at: datetime) -> None:
        with self._db.write() as connection:
            connection.execute(
                sa.update(outbox)
                .where(outbox.c.id == row_id)
                .values(state=State.DELIVERED.value, delivered_at=at, attempts=outbox.c.attempts + 1, last_error=None)
            )

    def failed(self, row_id: int, *, state: State, next_attempt_at: datetime, error: str) -> None:
        with self._db.write() as connection:
            connection.execute(
                sa.update(outbox)
                .where(outbox.c.id == row_id)
                .values(
                    state=state.value,
                    next_attempt_at=next_attempt_at,
                    attempts=outbox.c.attempts + 1,
                    last_error=error,
                )
            )

    def requeue(self, row_id: int | None, at: datetime) -> list[int]:
        """Dead rows (one, or all with None) back to pending, due now, with a fresh give-up window."""
        condition = outbox.c.state == State.DEAD.value
        if row_id is not None:
            condition = sa.and_(condition, outbox.c.id == row_id)
        with self._db.write() as connection:
            ids = list(connection.scalars(sa.select(outbox.c.id).where(condition).order_by(outbox.c.id)))
            if ids:
                connection.execute(
                    sa.update(outbox)
                    .where(outbox.c.id.in_(ids))
                    .values(state=State.PENDING.value, attempts=0, next_attempt_at=at, attempts_since=at)
                )
                self._wake_after_commit()
        return ids

    def undelivered(self, limit: int = 50) -> list[OutboxRow]:
        """Waiting and dead rows, oldest first (what `!incident outbox` shows)."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(outbox).where(outbox.c.state != State.DELIVERED.value).order_by(outbox.c.id).limit(limit)
            ).all()
        return [_row(row) for row in rows]

    def counts(self) -> dict[tuple[str, State], int]:
        """(destination, state) -> number of rows, for every state but delivered."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(outbox.c.destination, outbox.c.state, sa.func.count())
                .where(outbox.c.state != State.DELIVERED.value)
                .group_by(outbox.c.destination, outbox.c.state)
            ).all()
        return {(destination, State(state)): count for destination, state, count in rows}

    def oldest_waiting_created_at(self) -> datetime | None:
        """When the oldest row still waiting (pending or retrying) was written; None when none waits."""
        with self._db.read() as connection:
            return connection.scalar(sa.select(sa.func.min(outbox.c.created_at)).where(outbox.c.state.in_(_WAITING)))

    def rows(self, *, destination: str | None = None) -> list[OutboxRow]:
        """Every row, oldest first (tests and diagnostics)."""
        query = sa.select(outbox).order_by(outbox.c.id)
        if destination is not None:
            query = query.where(outbox.c.destination == destination)
        with self._db.read() as connection:
            return [_row(row) for row in connection.execute(query).all()]
