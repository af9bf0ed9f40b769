"""The SQL behind the incident rows of `!incident export` and the web report's pages, and its problems overview.

One query per list: the event log is aggregated per incident in the database (analytics.event_times), streamed.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from ..domain.incident import Phase
from ..domain.metrics import IncidentFacts
from ..domain.visibility import Viewer
from .analytics import Scope, event_times, in_scope
from .database import Database
from .tables import incident_fields, incident_workflow, incidents, problem_incidents, problems, tasks
from .visibility import visible

STREAM_BATCH = 1000


class IncidentHistory:
    """Read-only: every incident in a scope with its times, roles, problem and tasks; the problems with theirs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _task_counts(self) -> sa.Subquery:
        return (
            sa.select(
                tasks.c.incident_number.label("number"),
                sa.func.sum(sa.case((tasks.c.done_at.is_(None), 1), else_=0)).label("open"),
                sa.func.sum(sa.case((tasks.c.done_at.is_not(None), 1), else_=0)).label("done"),
            )
            .where(tasks.c.incident_number.is_not(None))
            .group_by(tasks.c.incident_number)
            .subquery("task_counts")
        )

    def incidents(
        self, scope: Scope, viewer: Viewer, *, statuses: tuple[str, ...], newest_first: bool = False
    ) -> Iterator[IncidentFacts]:
        """One row per incident in scope, oldest first, streamed (one query; the events are aggregated in SQL)."""
        times = event_times(self._db.dialect, scope, viewer, statuses[0], statuses[-1])
        counts = self._task_counts()
        query = (
            sa.select(
                incidents,
                incident_workflow.c.status.label("workflow_status"),
                incident_workflow.c.roles,
                times.c.first_ack,
                times.c.last_resolved,
                times.c.last_status,
                times.c.severity_changes,
                problem_incidents.c.problem_number,
                counts.c.open.label("tasks_open"),
                counts.c.done.label("tasks_done"),
            )
            .select_from(
                incidents.outerjoin(times, times.c.number == incidents.c.number)
                .outerjoin(incident_workflow, incident_workflow.c.incident_number == incidents.c.number)
                .outerjoin(problem_incidents, problem_incidents.c.incident_number == incidents.c.number)
                .outerjoin(counts, counts.c.number == incidents.c.number)
            )
            .where(*in_scope(scope, viewer))
            .order_by(incidents.c.number.desc() if newest_first else incidents.c.number)
        )
        with self._db.read() as connection:
            result = connection.execution_options(yield_per=STREAM_BATCH).execute(query)
            for row in result:
                yield _facts(row, statuses)

    def field_values(self, scope: Scope, viewer: Viewer) -> dict[int, dict[str, str]]:
        """The custom field values of the incidents in scope, by incident number (those without any are absent)."""
        query = (
            sa.select(incident_fields.c.incident_number, incident_fields.c.name, incident_fields.c.value)
            .select_from(incident_fields.join(incidents, incidents.c.number == incident_fields.c.incident_number))
            .where(*in_scope(scope, viewer))
        )
        found: dict[int, dict[str, str]] = {}
        with self._db.read() as connection:
            for number, name, value in connection.execute(query):
                found.setdefault(number, {})[name] = value
        return found

    def problems_overview(self, viewer: Viewer) -> list[dict]:
        """Every problem with its visible incidents' count and its tasks (open, done), newest first."""
        linked = (
            sa.select(problem_incidents.c.problem_number, sa.func.count().label("incidents"))
            .select_from(problem_incidents.join(incidents, incidents.c.number == problem_incidents.c.incident_number))
            .where(visible(viewer))
            .group_by(problem_incidents.c.problem_number)
            .subquery()
        )
        work = (
            sa.select(
                tasks.c.problem_number,
                sa.func.sum(sa.case((tasks.c.done_at.is_(None), 1), else_=0)).label("open"),
                sa.func.sum(sa.case((tasks.c.done_at.is_not(None), 1), else_=0)).label("done"),
            )
            .where(tasks.c.problem_number.is_not(None))
            .group_by(tasks.c.problem_number)
            .subquery()
        )
        query = (
            sa.select(problems, linked.c.incidents, work.c.open, work.c.done)
            .select_from(
                problems.outerjoin(linked, linked.c.problem_number == problems.c.number).outerjoin(
                    work, work.c.problem_number == problems.c.number
                )
            )
            .order_by(problems.c.number.desc())
        )
        with self._db.read() as connection:
            return [
                {
                    "number": row.number,
                    "title": row.title,
                    "status": row.status,
                    "cause": row.cause,
                    "workaround": row.workaround,
                    "opened_by": row.opened_by,
                    "opened_at": row.opened_at,
                    "incidents": int(row.incidents or 0),
                    "tasks_open": int(row.open or 0),
                    "tasks_done": int(row.done or 0),
                }
                for row in connection.execute(query)
            ]

    def problem_incident_numbers(self, viewer: Viewer) -> dict[int, list[int]]:
        """Problem number → its visible incidents' numbers."""
        query = (
            sa.select(problem_incidents.c.problem_number, problem_incidents.c.incident_number)
            .select_from(problem_incidents.join(incidents, incidents.c.number == problem_incidents.c.incident_number))
            .where(visible(viewer))
            .order_by(problem_incidents.c.incident_number)
        )
        found: dict[int, list[int]] = {}
        with self._db.read() as connection:
            for problem, incident in connection.execute(query):
                found.setdefault(problem, []).append(incident)
        return found


def _facts(row: sa.Row, statuses: tuple[str, ...]) -> IncidentFacts:
    closed_at = row.closed_at
    resolved_at = None
    if row.last_resolved is not None and row.last_resolved >= row.last_status:
        resolved_at = row.last_resolved  # resolved, and not moved away from resolved afterwards
    elif closed_at is not None:
        resolved_at = closed_at  # closed without (staying) resolved: resolution time is the close
    if row.phase == Phase.CLOSED.value:
        status = Phase.CLOSED.value
    elif row.phase == Phase.OPENING.value and row.workflow_status is None:
        status = Phase.OPENING.value
    else:
        status = row.workflow_status or statuses[0]
    roles = dict(row.roles or {})
    return IncidentFacts(
        number=row.number,
        severity=row.severity,
        opened_at=row.opened_at,
        acknowledged_at=row.first_ack,
        resolved_at=resolved_at,
        closed_at=closed_at,
        severity_changes=int(row.severity_changes or 0),
        problem=row.problem_number,
        status=status,
        description=row.description,
        channel=row.channel_name,
        private=bool(row.is_private),
        opened_by=row.opened_by,
        commander=roles.get("commander") or row.opened_by,
        closed_by=row.closed_by,
        resolution=row.resolution,
        tasks_open=int(row.tasks_open or 0),
        tasks_done=int(row.tasks_done or 0),
    )
