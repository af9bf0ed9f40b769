"""Workflow runs: each action a trigger asked for, stored under a unique key before it runs (services/workflows.py).

`record` inserts inside the trigger's own transaction (on conflict nothing: a trigger seen twice asks once);
`claim` moves one due row from pending to running for exactly one caller, so a replica that takes over after a
leader's death never runs an action twice; `finish` records the outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .database import Database
from .tables import workflow_runs

PENDING, RUNNING, DONE, FAILED, CANCELLED = "pending", "running", "done", "failed", "cancelled"


@dataclass(frozen=True)
class WorkflowRun:
    key: str
    incident_number: int
    workflow: str
    action_index: int
    trigger: str
    data: dict
    due_at: datetime
    state: str
    detail: str | None = None


def _run(row: sa.Row) -> WorkflowRun:
    return WorkflowRun(
        row.key,
        row.incident_number,
        row.workflow,
        row.action_index,
        row.trigger,
        json.loads(row.data),
        row.due_at,
        row.state,
        row.detail,
    )


class WorkflowRuns:
    def __init__(self, db: Database) -> None:
        self._db = db

    def record(self, connection: sa.Connection, run: WorkflowRun) -> bool:
        """Store one asked-for action in the caller's transaction; False when its key was stored already."""
        statement = (
            self._db.insert(workflow_runs)
            .values(
                key=run.key[:255],
                incident_number=run.incident_number,
                workflow=run.workflow,
                action_index=run.action_index,
                trigger=run.trigger,
                data=json.dumps(run.data),
                due_at=run.due_at,
                state=PENDING,
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(workflow_runs.c.key)
        )
        return connection.execute(statement).first() is not None

    def due(self, now: datetime, limit: int = 200) -> list[WorkflowRun]:
        query = (
            sa.select(workflow_runs)
            .where(workflow_runs.c.state == PENDING, workflow_runs.c.due_at <= now)
            .order_by(workflow_runs.c.due_at, workflow_runs.c.key)
            .limit(limit)
        )
        with self._db.read() as connection:
            return [_run(row) for row in connection.execute(query)]

    def claim(self, key: str) -> bool:
        """True for the one caller that moves this pending row to running."""
        statement = (
            sa.update(workflow_runs)
            .where(workflow_runs.c.key == key, workflow_runs.c.state == PENDING)
            .values(state=RUNNING)
        )
        with self._db.write() as connection:
            return connection.execute(statement).rowcount == 1

    def release(self, key: str) -> None:
        """Back to pending (its incident's channel is not there yet): the next round tries again."""
        self._set(key, PENDING, None, None)

    def finish(self, key: str, state: str, detail: str | None, at: datetime) -> None:
        self._set(key, state, detail, at)

    def _set(self, key: str, state: str, detail: str | None, at: datetime | None) -> None:
        values = {"state": state, "detail": detail[:2000] if detail else None, "finished_at": at}
        with self._db.write() as connection:
            connection.execute(sa.update(workflow_runs).where(workflow_runs.c.key == key).values(**values))

    def of_incident(self, number: int) -> list[WorkflowRun]:
        query = (
            sa.select(workflow_runs)
            .where(workflow_runs.c.incident_number == number)
            .order_by(workflow_runs.c.due_at, workflow_runs.c.key)
        )
        with self._db.read() as connection:
            return [_run(row) for row in connection.execute(query)]

    def exists(self, key: str) -> bool:
        with self._db.read() as connection:
            query = sa.select(workflow_runs.c.key).where(workflow_runs.c.key == key)
            return connection.execute(query).first() is not None
