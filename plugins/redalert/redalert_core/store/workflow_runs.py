"""Workflow runs: each action a trigger asked for, stored under a unique key before it runs (services/workflows.py).

`record` inserts inside the trigger's own transaction (on conflict nothing: a trigger seen twice asks once);
`claim` moves one due row from pending to running for exactly one caller, recording which process instance runs it,
so two replicas never run it together; `finish` records the outcome. A row left `running` by a process that died
before finishing it is listed by `running` and handed to one other process by `take_over`.
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
    claimed_by: str | None = None  # the process instance that claimed it (while running, and after)


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
        row.claimed_by,
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

    def claim(self, key: str, instance: str) -> bool:
        """True for the one caller that moves this pending row to running, claimed by `instance`."""
        statement = (
            sa.update(workflow_runs)
            .where(workflow_runs.c.key == key, workflow_runs.c.state == PENDING)
            .values(state=RUNNING, claimed_by=instance)
        )
        with self._db.write() as connection:
            return connection.execute(statement).rowcount == 1

    def running(self) -> list[WorkflowRun]:
        """Every claimed row not yet finished (the caller tells a live claimer's from a dead one's)."""
        query = sa.select(workflow_runs).where(workflow_runs.c.state == RUNNING).order_by(workflow_runs.c.due_at)
        with self._db.read() as connection:
            return [_run(row) for row in connection.execute(query)]

    def take_over(self, run: WorkflowRun, instance: str) -> bool:
        """True for the one caller that takes this running row from its claimer `run.claimed_by` (a process that
        died before finishing it); False when it was finished or taken over meanwhile."""
        c = workflow_runs.c
        claimer = c.claimed_by.is_(None) if run.claimed_by is None else c.claimed_by == run.claimed_by
        statement = (
            sa.update(workflow_runs).where(c.key == run.key, c.state == RUNNING, claimer).values(claimed_by=instance)
        )
        with self._db.write() as connection:
            return connection.execute(statement).rowcount == 1

    def release(self, key: str) -> None:
        """Back to pending (its incident's channel is not there yet): the next round tries again."""
        values = {"state": PENDING, "detail": None, "finished_at": None, "claimed_by": None}
        with self._db.write() as connection:
            connection.execute(sa.update(workflow_runs).where(workflow_runs.c.key == key).values(**values))

    def finish(self, key: str, state: str, detail: str | None, at: datetime) -> None:
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
