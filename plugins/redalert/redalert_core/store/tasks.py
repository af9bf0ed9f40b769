"""Follow-up tasks (tasks): each change is logged where the task belongs, the incident's log or the problem's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa

from ..domain.event_payload import Payload
from ..domain.problem_events import TaskAssigned, TaskCreated, TaskDone, TaskDueChanged, TaskNudged, TaskReopened
from ..domain.tasks import Task
from .database import Database, inserted_id
from .errors import ProblemNotFound, TaskNotFound
from .events import EventLog
from .incident_rows import require
from .tables import problems, tasks


def _task(row: sa.Row) -> Task:
    return Task(
        number=row.number,
        text=row.text,
        created_by=row.created_by,
        created_at=row.created_at,
        incident_number=row.incident_number,
        problem_number=row.problem_number,
        owner=row.owner,
        due=row.due,
        done_at=row.done_at,
        done_by=row.done_by,
        done_note=row.done_note,
    )


class TaskRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    def _log(self, connection: sa.Connection, task: Task, change: Payload, actor: str | None, at: datetime) -> None:
        if task.incident_number is not None:
            self._events.append(connection, task.incident_number, change, actor=actor, at=at)
        elif task.problem_number is not None:
            self._events.append_problem(connection, task.problem_number, change, actor=actor, at=at)

    def _require(self, connection: sa.Connection, number: int) -> Task:
        row = connection.execute(sa.select(tasks).where(tasks.c.number == number).with_for_update()).one_or_none()
        if row is None:
            raise TaskNotFound(number)
        return _task(row)

    # --- writing ------------------------------------------------------------------------------------------------
    def add(
        self,
        *,
        text: str,
        created_by: str,
        at: datetime,
        incident_number: int | None = None,
        problem_number: int | None = None,
        owner: str | None = None,
        due: date | None = None,
    ) -> Task:
        if (incident_number is None) == (problem_number is None):
            raise ValueError("a task belongs to an incident or to a problem")
        with self._db.write() as connection:
            if incident_number is not None:
                require(connection, incident_number)
            else:
                assert problem_number is not None, "checked above: exactly one of the two is given"
                if connection.scalar(sa.select(problems.c.number).where(problems.c.number == problem_number)) is None:
                    raise ProblemNotFound(problem_number)
            result = connection.execute(
                sa.insert(tasks).values(
                    text=text,
                    incident_number=incident_number,
                    problem_number=problem_number,
                    owner=owner,
                    due=due,
                    created_by=created_by,
                    created_at=at,
                )
            )
            task = self._require(connection, inserted_id(result))
            created = TaskCreated(task=task.number, text=text, owner=owner, due=due.isoformat() if due else None)
            self._log(connection, task, created, created_by, at)
            return task

    def done(self, number: int, *, actor: str, note: str | None, at: datetime, by_name: str | None = None) -> Task:
        with self._db.write() as connection:
            task = self._require(connection, number)
            connection.execute(
                sa.update(tasks).where(tasks.c.number == number).values(done_at=at, done_by=actor, done_note=note)
            )
            done = TaskDone(task=number, text=task.text, note=note, owner=task.owner, by_name=by_name)
            self._log(connection, task, done, actor, at)
            return self._require(connection, number)

    def reopen(self, number: int, *, actor: str, at: datetime, by_name: str | None = None) -> Task:
        with self._db.write() as connection:
            task = self._require(connection, number)
            connection.execute(
                sa.update(tasks).where(tasks.c.number == number).values(done_at=None, done_by=None, done_note=None)
            )
            self._log(connection, task, TaskReopened(task=number, text=task.text, by_name=by_name), actor, at)
            return self._require(connection, number)

    def assign(self, number: int, owner: str, *, actor: str, at: datetime, by_name: str | None = None) -> Task:
        with self._db.write() as connection:
            task = self._require(connection, number)
            connection.execute(sa.update(tasks).where(tasks.c.number == number).values(owner=owner))
            assigned = TaskAssigned(task=number, text=task.text, owner=owner, previous=task.owner, by_name=by_name)
            self._log(connection, task, assigned, actor, at)
            return self._require(connection, number)

    def set_due(self, number: int, due: date, *, actor: str, at: datetime, by_name: str | None = None) -> Task:
        with self._db.write() as connection:
            task = self._require(connection, number)
            connection.execute(sa.update(tasks).where(tasks.c.number == number).values(due=due))
            previous = task.due.isoformat() if task.due else None
            changed = TaskDueChanged(
                task=number, text=task.text, due=due.isoformat(), previous=previous, by_name=by_name
            )
            self._log(connection, task, changed, actor, at)
            return self._require(connection, number)

    def record_nudge(self, number: int, *, day: date, to: str, at: datetime) -> None:
        """Written before the DM is sent: a crash in between loses that day's nudge rather than sending two."""
        with self._db.write() as connection:
            task = self._require(connection, number)
            self._log(connection, task, TaskNudged(task=number, day=day.isoformat(), to=to), None, at)

    # --- reading ------------------------------------------------------------------------------------------------
    def get(self, number: int) -> Task | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(tasks).where(tasks.c.number == number)).one_or_none()
        return None if row is None else _task(row)

    def _select(self, *conditions) -> list[Task]:
        with self._db.read() as connection:
            rows = connection.execute(sa.select(tasks).where(*conditions).order_by(tasks.c.number)).all()
        return [_task(row) for row in rows]

    def for_incident(self, number: int) -> list[Task]:
        return self._select(tasks.c.incident_number == number)

    def for_incidents(self, numbers: Iterable[int]) -> list[Task]:
        wanted = list(numbers)
        return self._select(tasks.c.incident_number.in_(wanted)) if wanted else []

    def for_incident_open(self, number: int) -> list[Task]:
        return self._select(tasks.c.incident_number == number, tasks.c.done_at.is_(None))

    def for_problem(self, number: int) -> list[Task]:
        return self._select(tasks.c.problem_number == number)

    def owned_by(self, user_id: str, *, open_only: bool = True) -> list[Task]:
        conditions = [tasks.c.owner == user_id]
        if open_only:
            conditions.append(tasks.c.done_at.is_(None))
        return self._select(*conditions)

    def open_tasks(self) -> list[Task]:
        return self._select(tasks.c.done_at.is_(None))

    def all(self) -> list[Task]:
        return self._select(sa.true())

    def open_count(self, incident_number: int) -> int:
        with self._db.read() as connection:
            return int(
                connection.scalar(
                    sa.select(sa.func.count())
                    .select_from(tasks)
                    .where(tasks.c.incident_number == incident_number, tasks.c.done_at.is_(None))
                )
                or 0
            )
