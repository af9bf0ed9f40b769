"""Links, problems and tasks in the store, on SQLite and PostgreSQL: state, both event logs, and the hooks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from redalert_core.domain.links import LinkKind
from redalert_core.domain.problems import ProblemStatus
from redalert_core.store import IncidentInAnotherProblem, ProblemNotFound, TaskNotFound
from redalert_core.store.database import MIGRATIONS_DIR

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def kinds(store, number: int) -> list[str]:
    return [str(e.kind) for e in store.events.list(number)]


def test_links_are_one_row_seen_from_both_sides(store, new_incident) -> None:
    a, b = new_incident().number, new_incident(description="other").number
    assert store.links.link(a, b, LinkKind.CAUSED_BY, actor="U_A", at=T0) is None
    [from_a] = store.links.for_incident(a)
    [from_b] = store.links.for_incident(b)
    assert from_a == from_b
    assert from_a.describe_from(a) == f"caused by incident {b}"
    assert from_b.describe_from(b) == f"caused incident {a}"
    # Linking the other way round replaces the row (one link per pair) and says what it replaced.
    previous = store.links.link(b, a, LinkKind.DUPLICATE, actor="U_A", at=T0)
    assert previous.kind == LinkKind.CAUSED_BY
    [link] = store.links.for_incident(a)
    assert (link.source, link.target, link.kind) == (b, a, LinkKind.DUPLICATE)
    assert kinds(store, a).count("incident_linked") == 2 and kinds(store, b).count("incident_linked") == 2
    assert store.links.unlink(a, b, actor="U_A", at=T0) is not None
    assert store.links.for_incident(a) == [] and store.links.unlink(a, b, actor="U_A", at=T0) is None
    assert "incident_unlinked" in kinds(store, b)


def test_a_problem_links_incidents_and_logs_in_both_logs(store, new_incident) -> None:
    a, b, c = (new_incident(description=f"i{i}").number for i in range(3))
    problem = store.problems.create(title="Disk fills up", opened_by="U_A", at=T0, incidents=[a, b])
    assert (problem.number, problem.status, problem.incidents) == (1, ProblemStatus.INVESTIGATING, [a, b])
    assert store.problems.for_incident(a).number == 1 and store.problems.for_incident(c) is None
    assert store.problems.link_incidents(1, [b, c], actor="U_A", at=T0, commander_counts=True) == [c]
    other = store.problems.create(title="Other", opened_by="U_A", at=T0, incidents=[])
    with pytest.raises(IncidentInAnotherProblem) as refused:
        store.problems.link_incidents(other.number, [a], actor="U_A", at=T0, commander_counts=True)
    assert (refused.value.incident, refused.value.problem) == (a, 1)
    assert store.problems.get(other.number).incidents == []
    previous = store.problems.set_status(1, ProblemStatus.KNOWN_ERROR, note="found it", actor="U_B", at=T0)
    assert previous == ProblemStatus.INVESTIGATING
    store.problems.set_text(1, "cause", "log rotation off", actor="U_B", at=T0)
    store.problems.set_text(1, "workaround", "delete old logs", actor="U_B", at=T0)
    problem = store.problems.get(1)
    assert (problem.status, problem.cause, problem.workaround) == (
        ProblemStatus.KNOWN_ERROR,
        "log rotation off",
        "delete old logs",
    )
    assert [str(e.kind) for e in store.events.list_problem(1)] == [
        "problem_opened",
        "incident_added",
        "incident_added",
        "incident_added",
        "status_changed",
        "cause_set",
        "workaround_set",
    ]
    assert kinds(store, a)[-4:] == ["problem_linked", "problem_updated", "problem_updated", "problem_updated"]
    assert store.problems.unlink_incident(1, c, actor="U_A", at=T0) is True
    assert store.problems.unlink_incident(1, c, actor="U_A", at=T0) is False
    assert kinds(store, c)[-1] == "problem_unlinked"
    assert [p.number for p in store.problems.list(include_resolved=False)] == [2, 1]
    store.problems.set_status(1, ProblemStatus.RESOLVED, note=None, actor="U_B", at=T0)
    assert [p.number for p in store.problems.list(include_resolved=False)] == [2]
    with pytest.raises(ProblemNotFound):
        store.problems.set_status(99, ProblemStatus.RESOLVED, note=None, actor="U_B", at=T0)


def test_tasks_log_where_they_belong(store, new_incident) -> None:
    number = new_incident().number
    problem = store.problems.create(title="P", opened_by="U_A", at=T0, incidents=[])
    on_incident = store.tasks.add(text="Add an alert", created_by="U_A", at=T0, incident_number=number, owner="U_B")
    on_problem = store.tasks.add(
        text="Fix rotation", created_by="U_A", at=T0, problem_number=problem.number, due=date(2024, 5, 3)
    )
    assert (on_incident.label, on_problem.label, on_problem.due) == ("T1", "T2", date(2024, 5, 3))
    store.tasks.assign(2, "U_C", actor="U_A", at=T0)
    store.tasks.set_due(2, date(2024, 5, 9), actor="U_A", at=T0)
    done = store.tasks.done(1, actor="U_B", note="added", at=T0 + timedelta(hours=1))
    assert not done.is_open and done.done_note == "added" and store.tasks.open_count(number) == 0
    assert store.tasks.reopen(1, actor="U_B", at=T0 + timedelta(hours=2)).is_open
    assert store.tasks.open_count(number) == 1
    assert kinds(store, number)[-3:] == ["task_created", "task_done", "task_reopened"]
    assert [str(e.kind) for e in store.events.list_problem(problem.number)][-3:] == [
        "task_created",
        "task_assigned",
        "task_due_changed",
    ]
    assert [t.number for t in store.tasks.owned_by("U_C")] == [2]
    assert [t.number for t in store.tasks.for_incidents([number])] == [1]
    store.tasks.record_nudge(2, day=date(2024, 5, 10), to="U_C", at=T0 + timedelta(days=9))
    nudges = store.events.of_kind_since("task_nudged", T0 + timedelta(days=8))
    assert [(e.problem_number, e.data) for e in nudges] == [(1, {"task": 2, "day": "2024-05-10", "to": "U_C"})]
    with pytest.raises(TaskNotFound):
        store.tasks.done(99, actor="U_B", note=None, at=T0)
    with pytest.raises(ProblemNotFound):
        store.tasks.add(text="x", created_by="U_A", at=T0, problem_number=42)


def test_hooks_see_problem_events_without_an_incident(store, new_incident) -> None:
    seen = []
    store.events.subscribe(
        lambda connection, event, incident: seen.append((event.incident_number, event.problem_number, str(event.kind)))
    )
    number = new_incident().number
    problem = store.problems.create(title="P", opened_by="U_A", at=T0, incidents=[number])
    store.tasks.add(text="t", created_by="U_A", at=T0, problem_number=problem.number)
    assert (number, None, "problem_linked") in seen
    assert (None, problem.number, "problem_opened") in seen
    assert (None, problem.number, "task_created") in seen


def test_a_hook_that_fails_undoes_the_change(store, new_incident) -> None:
    number = new_incident().number

    def refuse(connection, event, incident):
        if event.problem_number is not None:
            raise RuntimeError("outbox down")

    store.events.subscribe(refuse)
    with pytest.raises(RuntimeError):
        store.problems.create(title="P", opened_by="U_A", at=T0, incidents=[number])
    assert store.problems.list(include_resolved=True) == [] and store.problems.for_incident(number) is None


@pytest.mark.parametrize("statement", ["UPDATE problem_events SET actor = 'mallory'", "DELETE FROM problem_events"])
def test_problem_events_are_append_only(store, statement: str) -> None:
    store.problems.create(title="P", opened_by="U_A", at=T0, incidents=[])
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.db.engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert len(store.events.list_problem(1)) == 1


def test_last_stale_reminders(store) -> None:
    store.problems.create(title="P", opened_by="U_A", at=T0, incidents=[])
    assert store.problems.last_stale_reminders() == {}
    store.problems.record_stale_reminder(1, ["U_A"], at=T0 + timedelta(days=1))
    store.problems.record_stale_reminder(1, ["U_A"], at=T0 + timedelta(days=8))
    assert store.problems.last_stale_reminders() == {1: T0 + timedelta(days=8)}


def test_revision_0004_downgrades_and_upgrades_again(store, new_incident) -> None:
    number = new_incident().number
    store.tasks.add(text="t", created_by="U_A", at=T0, incident_number=number)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.db.write() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    names = set(sa.inspect(store.db.engine).get_table_names())
    assert not names & {"incident_links", "problems", "problem_incidents", "problem_events", "tasks"}
    with store.db.read() as connection:  # the incidents themselves are untouched (read as 0003 left them)
        assert connection.execute(sa.text("SELECT number FROM incidents")).scalars().all() == [number]
    store.migrate()
    assert store.incidents.get(number) is not None
    assert store.tasks.all() == [] and store.problems.create(title="P", opened_by="U", at=T0, incidents=[]).number == 1
