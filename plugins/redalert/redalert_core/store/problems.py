"""Problems (problems, problem_incidents): each change goes to the problem's own log (problem_events) and, for
the incidents it concerns, to their logs too (problem_linked / problem_unlinked / problem_updated)."""

from __future__ import annotations

import builtins  # `list` names a method of ProblemRepository; its annotations need the type
from datetime import UTC, datetime

import sqlalchemy as sa

from ..domain.events import StatusChanged
from ..domain.incident import EventKind
from ..domain.problem_events import (
    CauseSet,
    IncidentAdded,
    IncidentRemoved,
    ProblemLinked,
    ProblemOpened,
    ProblemUnlinked,
    ProblemUpdated,
    StaleReminded,
    WorkaroundSet,
)
from ..domain.problems import Problem, ProblemStatus
from .database import Database, inserted_id
from .errors import IncidentInAnotherProblem, ProblemNotFound
from .events import EventLog
from .incident_rows import require
from .tables import problem_events, problem_incidents, problems


def _incidents(connection: sa.Connection, number: int) -> list[int]:
    return list(
        connection.scalars(
            sa.select(problem_incidents.c.incident_number)
            .where(problem_incidents.c.problem_number == number)
            .order_by(problem_incidents.c.incident_number)
        )
    )


def _problem(connection: sa.Connection, row: sa.Row) -> Problem:
    return Problem(
        number=row.number,
        title=row.title,
        status=ProblemStatus(row.status),
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        status_changed_at=row.status_changed_at,
        cause=row.cause,
        workaround=row.workaround,
        incidents=_incidents(connection, row.number),
    )


class ProblemRepository:
    def __init__(self, db: Database, events: EventLog) -> None:
        self._db = db
        self._events = events

    # --- reading ------------------------------------------------------------------------------------------------
    def get(self, number: int) -> Problem | None:
        with self._db.read() as connection:
            row = connection.execute(sa.select(problems).where(problems.c.number == number)).one_or_none()
            return None if row is None else _problem(connection, row)

    def _require(self, connection: sa.Connection, number: int) -> Problem:
        row = connection.execute(sa.select(problems).where(problems.c.number == number).with_for_update()).one_or_none()
        if row is None:
            raise ProblemNotFound(number)
        return _problem(connection, row)

    def list(self, *, include_resolved: bool) -> list[Problem]:
        """Newest first; without `include_resolved`, only problems still being worked on."""
        query = sa.select(problems).order_by(problems.c.number.desc())
        if not include_resolved:
            query = query.where(problems.c.status != ProblemStatus.RESOLVED.value)
        with self._db.read() as connection:
            return [_problem(connection, row) for row in connection.execute(query).all()]

    def for_incident(self, incident_number: int) -> Problem | None:
        with self._db.read() as connection:
            number = connection.scalar(
                sa.select(problem_incidents.c.problem_number).where(
                    problem_incidents.c.incident_number == incident_number
                )
            )
        return None if number is None else self.get(number)

    # --- writing ------------------------------------------------------------------------------------------------
    def create(self, *, title: str, opened_by: str, at: datetime, incidents: builtins.list[int]) -> Problem:
        """A new investigating problem, linked to `incidents` (all or nothing: IncidentInAnotherProblem)."""
        with self._db.write() as connection:
            result = connection.execute(
                sa.insert(problems).values(
                    title=title,
                    status=ProblemStatus.INVESTIGATING.value,
                    opened_by=opened_by,
                    opened_at=at,
                    status_changed_at=at,
                )
            )
            number = inserted_id(result)
            opened = ProblemOpened(title=title, incidents=list(incidents))
            self._events.append_problem(connection, number, opened, actor=opened_by, at=at)
            self._add(connection, number, title, incidents, opened_by, at, commander_counts=True)
            return self._require(connection, number)

    def link_incidents(
        self, number: int, incidents: builtins.list[int], *, actor: str, at: datetime, commander_counts: bool
    ) -> builtins.list[int]:
        """Link incidents to the problem; returns those newly linked (already linked ones are skipped).
        All or nothing: IncidentInAnotherProblem when one belongs to another problem. `commander_counts`: the
        linker was one of the problem's owners, so the incidents' commanders become owners too (services)."""
        with self._db.write() as connection:
            problem = self._require(connection, number)
            new = [n for n in incidents if n not in problem.incidents]
            self._add(connection, number, problem.title, new, actor, at, commander_counts=commander_counts)
            return new

    def _add(
        self,
        connection: sa.Connection,
        number: int,
        title: str,
        incidents: builtins.list[int],
        actor: str,
        at: datetime,
        *,
        commander_counts: bool,
    ) -> None:
        for incident in incidents:
            require(connection, incident, for_update=True)
            other = connection.scalar(
                sa.select(problem_incidents.c.problem_number).where(problem_incidents.c.incident_number == incident)
            )
            if other is not None:
                raise IncidentInAnotherProblem(incident, other)
            connection.execute(
                sa.insert(problem_incidents).values(
                    incident_number=incident, problem_number=number, added_by=actor, added_at=at
                )
            )
            added = IncidentAdded(incident=incident, commander_counts=commander_counts)
            self._events.append_problem(connection, number, added, actor=actor, at=at)
            self._events.append(connection, incident, ProblemLinked(problem=number, title=title), actor=actor, at=at)

    def unlink_incident(self, number: int, incident: int, *, actor: str, at: datetime) -> bool:
        """False when the incident was not linked to this problem (nothing changes)."""
        with self._db.write() as connection:
            problem = self._require(connection, number)
            if incident not in problem.incidents:
                return False
            connection.execute(sa.delete(problem_incidents).where(problem_incidents.c.incident_number == incident))
            self._events.append_problem(connection, number, IncidentRemoved(incident=incident), actor=actor, at=at)
            unlinked = ProblemUnlinked(problem=number, title=problem.title)
            self._events.append(connection, incident, unlinked, actor=actor, at=at)
            return True

    def set_status(
        self, number: int, status: ProblemStatus, *, note: str | None, actor: str, at: datetime
    ) -> ProblemStatus:
        """Returns the previous status."""
        with self._db.write() as connection:
            problem = self._require(connection, number)
            connection.execute(
                sa.update(problems).where(problems.c.number == number).values(status=status.value, status_changed_at=at)
            )
            changed = StatusChanged(from_=problem.status.value, to=status.value, note=note)
            self._events.append_problem(connection, number, changed, actor=actor, at=at)
            told = ProblemUpdated(
                problem=number, title=problem.title, change="status", from_=changed.from_, to=changed.to, note=note
            )
            self._tell_incidents(connection, problem, told, actor, at)
            return problem.status

    def set_text(self, number: int, field: str, text: str, *, actor: str, at: datetime) -> str | None:
        """Set the cause or the workaround; returns the previous text."""
        kind = {"cause": CauseSet, "workaround": WorkaroundSet}[field]
        with self._db.write() as connection:
            problem = self._require(connection, number)
            previous = getattr(problem, field)
            connection.execute(sa.update(problems).where(problems.c.number == number).values(**{field: text}))
            self._events.append_problem(connection, number, kind(text=text, previous=previous), actor=actor, at=at)
            told = ProblemUpdated(problem=number, title=problem.title, change=field, text=text)
            self._tell_incidents(connection, problem, told, actor, at)
            return previous

    def _tell_incidents(
        self, connection: sa.Connection, problem: Problem, change: ProblemUpdated, actor: str, at: datetime
    ) -> None:
        for incident in problem.incidents:
            self._events.append(connection, incident, change, actor=actor, at=at)

    def record_stale_reminder(self, number: int, to: builtins.list[str], *, at: datetime) -> None:
        with self._db.write() as connection:
            self._require(connection, number)
            self._events.append_problem(connection, number, StaleReminded(to=list(to)), at=at)

    def last_stale_reminders(self) -> dict[int, datetime]:
        """When each problem was last reminded about being stale."""
        with self._db.read() as connection:
            rows = connection.execute(
                sa.select(problem_events.c.problem_number, sa.func.max(problem_events.c.at))
                .where(problem_events.c.kind == EventKind.STALE_REMINDED.value)
                .group_by(problem_events.c.problem_number)
            ).all()
        return {row[0]: _utc(row[1]) for row in rows}


def _utc(value: datetime | str) -> datetime:
    # An aggregate loses the column's type: SQLite hands back text, PostgreSQL an aware datetime.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
