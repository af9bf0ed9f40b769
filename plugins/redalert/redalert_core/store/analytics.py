"""The SQL behind the figures (docs/metrics.md): per-incident durations from the event log, counts, tasks, problems.

The incident rows behind exports and the web report's pages are incident_history.py's; both select incidents by
`Scope` and read the event log through `event_times`. Every figure is one aggregate query: the event log is grouped
by incident in the database (MIN/MAX over the events of a kind), never loaded into Python. Works on SQLite and
PostgreSQL (JSON fields through SQLAlchemy's JSON type).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from ..domain.field_filters import FieldFilter
from ..domain.incident import EventKind
from ..domain.metrics import IncidentFacts
from ..domain.visibility import Viewer
from .database import Database
from .tables import events, incident_fields, incidents, problem_incidents, problems, tasks
from .visibility import visible

__all__ = ["Analytics", "Scope", "Viewer"]  # Viewer: domain.visibility's, re-exported for callers


@dataclass(frozen=True)
class Scope:
    """Which incidents: opened in [start, end) (start None: from the first), optionally one severity, and only those
    whose custom fields match every one of `fields`."""

    start: datetime | None
    end: datetime
    severity: str | None = None
    number: int | None = None  # one incident only (the web report's incident page)
    fields: tuple[FieldFilter, ...] = ()


def in_scope(scope: Scope, viewer: Viewer) -> list[sa.ColumnElement[bool]]:
    conditions = [incidents.c.opened_at < scope.end, visible(viewer)]
    if scope.start is not None:
        conditions.append(incidents.c.opened_at >= scope.start)
    if scope.severity is not None:
        conditions.append(incidents.c.severity == scope.severity)
    if scope.number is not None:
        conditions.append(incidents.c.number == scope.number)
    conditions += [field_matches(item) for item in scope.fields]
    return conditions


def field_matches(item: FieldFilter) -> sa.ColumnElement[bool]:
    """The incident has the value in its field: equal, or for a multi_select one of its comma-separated choices
    (matched between commas, LIKE's wildcards escaped)."""
    # An alias of its own: a query that also reads incident_fields (the export's values) must not correlate it.
    row = incident_fields.alias()
    if item.contains:
        matches = (sa.literal(",", sa.Text) + row.c.value + ",").contains(f",{item.value},", autoescape=True)
    else:
        matches = row.c.value == item.value
    return sa.exists().where(row.c.incident_number == incidents.c.number, row.c.name == item.name, matches)


def json_text(dialect: str, document: sa.ColumnElement, key: str) -> sa.ColumnElement:
    """A JSON field as text. SQLite: json_extract itself (SQLAlchemy's generic form adds a CAST per row)."""
    if dialect == "sqlite":
        return sa.func.json_extract(document, f"$.{key}", type_=sa.String)
    return document[key].as_string()


def event_times(dialect: str, scope: Scope, viewer: Viewer, initial: str, resolved: str) -> sa.Subquery:
    """Per incident in scope: first acknowledgement signals, last (un)resolving change, severity changes."""
    kind, to = events.c.kind, json_text(dialect, events.c.data, "to")
    status_change = kind == EventKind.STATUS_CHANGED.value
    lead = sa.and_(
        kind == EventKind.ROLE_ASSIGNED.value,
        json_text(dialect, events.c.data, "role") == "commander",
        json_text(dialect, events.c.data, "user") != incidents.c.opened_by,
    )
    update = kind == EventKind.UPDATE_POSTED.value
    acknowledging = sa.or_(sa.and_(status_change, to != initial), update, lead)
    columns = [
        events.c.incident_number.label("number"),
        sa.func.min(sa.case((acknowledging, events.c.at))).label("first_ack"),
        sa.func.max(sa.case((sa.and_(status_change, to == resolved), events.c.at))).label("last_resolved"),
        # The last status change of any kind: resolved only if that one was to resolved (one JSON read less).
        sa.func.max(sa.case((status_change, events.c.at))).label("last_status"),
        sa.func.sum(sa.case((kind == EventKind.SEVERITY_CHANGED.value, 1), else_=0)).label("severity_changes"),
    ]
    wanted = [
        EventKind.STATUS_CHANGED.value,
        EventKind.UPDATE_POSTED.value,
        EventKind.ROLE_ASSIGNED.value,
        EventKind.SEVERITY_CHANGED.value,
    ]
    return (
        sa.select(*columns)
        .select_from(events.join(incidents, incidents.c.number == events.c.incident_number))
        .where(kind.in_(wanted), *in_scope(scope, viewer))
        .group_by(events.c.incident_number)
        .subquery("times")
    )


class Analytics:
    """Read-only queries for the figures of `!incident stats`, the digest and the web report's metrics page."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def _seconds(self, later: sa.ColumnElement, earlier: sa.ColumnElement) -> sa.ColumnElement:
        """`later - earlier` in seconds, computed by the database (NULL when `later` is NULL)."""
        if self._db.dialect == "postgresql":
            return sa.extract("epoch", later - earlier)
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0

    def durations(self, scope: Scope, viewer: Viewer, *, statuses: tuple[str, ...]) -> list[IncidentFacts]:
        """The incidents in scope with only what the figures need; the durations come out of SQL as numbers.

        The lean form of `IncidentHistory.incidents()` for `!incident stats`, the digest and the metrics page: one
        aggregate query, one datetime per row to convert; the rows carry `tta_seconds`, `ttr_seconds` and
        `ttc_seconds` and no other times.
        """
        times = event_times(self._db.dialect, scope, viewer, statuses[0], statuses[-1])
        stayed_resolved = sa.and_(
            times.c.last_resolved.is_not(None),
            times.c.last_resolved >= times.c.last_status,
        )
        resolved_at = sa.case((stayed_resolved, times.c.last_resolved), else_=incidents.c.closed_at)
        opened = incidents.c.opened_at
        query = (
            sa.select(
                incidents.c.number,
                incidents.c.severity,
                opened,
                self._seconds(times.c.first_ack, opened).label("tta"),
                self._seconds(resolved_at, opened).label("ttr"),
                self._seconds(incidents.c.closed_at, opened).label("ttc"),
                times.c.severity_changes,
                problem_incidents.c.problem_number,
            )
            .select_from(
                incidents.outerjoin(times, times.c.number == incidents.c.number).outerjoin(
                    problem_incidents, problem_incidents.c.incident_number == incidents.c.number
                )
            )
            .where(*in_scope(scope, viewer))
            .order_by(incidents.c.number)
        )
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        # Only what the figures read: opened_at, severity, the durations (no other times, no texts).
        return [
            IncidentFacts(
                number=number,
                severity=severity,
                opened_at=opened_at,
                acknowledged_at=None,
                resolved_at=None,
                closed_at=None,
                severity_changes=changes or 0,
                problem=problem,
                tta_seconds=_seconds(tta),
                ttr_seconds=_seconds(ttr),
                ttc_seconds=_seconds(ttc),
            )
            for number, severity, opened_at, tta, ttr, ttc, changes, problem in rows
        ]

    def open_at(
        self, moment: datetime, viewer: Viewer, severity: str | None = None, fields: tuple[FieldFilter, ...] = ()
    ) -> int:
        """Incidents opened before `moment` and not closed by then (of the severity and field values, if given)."""
        conditions = [
            incidents.c.opened_at < moment,
            sa.or_(incidents.c.closed_at.is_(None), incidents.c.closed_at >= moment),
            visible(viewer),
            *[field_matches(item) for item in fields],
        ]
        if severity is not None:
            conditions.append(incidents.c.severity == severity)
        with self._db.read() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(incidents).where(*conditions)) or 0

    def task_counts(self, start: datetime | None, end: datetime, viewer: Viewer) -> tuple[int, int]:
        """(tasks created, tasks done) in [start, end): problem tasks and the tasks of visible incidents."""

        def within(column: sa.ColumnElement) -> sa.ColumnElement[bool]:
            return sa.and_(column < end, sa.true() if start is None else column >= start)

        of_visible = sa.or_(
            tasks.c.problem_number.is_not(None),
            tasks.c.incident_number.in_(sa.select(incidents.c.number).where(visible(viewer))),
        )
        query = sa.select(
            sa.func.sum(sa.case((within(tasks.c.created_at), 1), else_=0)),
            sa.func.sum(sa.case((within(tasks.c.done_at), 1), else_=0)),
        ).where(of_visible)
        with self._db.read() as connection:
            opened, done = connection.execute(query).one()
        return int(opened or 0), int(done or 0)

    def incidents_per_problem(self, scope: Scope, viewer: Viewer) -> list[tuple[int, str, int]]:
        """(problem, title, incidents opened in scope) for every problem with any, most incidents first."""
        count = sa.func.count(incidents.c.number)
        query = (
            sa.select(problems.c.number, problems.c.title, count)
            .select_from(
                problems.join(problem_incidents, problem_incidents.c.problem_number == problems.c.number).join(
                    incidents, incidents.c.number == problem_incidents.c.incident_number
                )
            )
            .where(*in_scope(scope, viewer))
            .group_by(problems.c.number, problems.c.title)
            .order_by(count.desc(), problems.c.number)
        )
        with self._db.read() as connection:
            return [(row[0], row[1], row[2]) for row in connection.execute(query)]


def _seconds(value: float | Decimal | None) -> float | None:
    # SQLite's julianday() arithmetic carries some 20 µs of float noise: far below what the figures show.
    return None if value is None else float(value)
