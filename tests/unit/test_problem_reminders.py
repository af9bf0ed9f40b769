"""Which task nudges and stale-problem reminders are due (pure functions)."""

from datetime import UTC, date, datetime, timedelta

from redalert_core.domain.problem_reminders import due_stale_nudges, due_task_nudges
from redalert_core.domain.problems import Problem, ProblemStatus
from redalert_core.domain.tasks import Task

T0 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
TODAY = date(2030, 6, 10)


def task(number=1, due=date(2030, 6, 9), owner="U0A", **kw) -> Task:
    return Task(number=number, text="t", created_by="U0C", created_at=T0, incident_number=1, owner=owner, due=due, **kw)


def test_overdue_open_tasks_nudge_their_owner_once_per_day():
    [nudge] = due_task_nudges([task(), task(2, due=TODAY), task(3, due=None)], set(), TODAY, {})
    assert (nudge.task.number, nudge.day, nudge.to) == (1, TODAY, "U0A")
    assert due_task_nudges([task()], {1}, TODAY, {}) == []
    assert due_task_nudges([task(done_at=T0)], set(), TODAY, {}) == []


def test_an_unowned_task_nudges_the_fallback_or_nobody():
    [nudge] = due_task_nudges([task(owner=None)], set(), TODAY, {1: "U0CMD"})
    assert nudge.to == "U0CMD"
    assert due_task_nudges([task(owner=None)], set(), TODAY, {1: None}) == []


def problem(status=ProblemStatus.INVESTIGATING, incidents=(1, 2), since=T0) -> Problem:
    return Problem(1, "p", status, "U0O", T0, since, incidents=list(incidents))


def test_stale_problems():
    closed = {1: True, 2: True}
    commanders = {1: "U0A", 2: "U0A"}
    later = T0 + timedelta(days=14)
    [nudge] = due_stale_nudges([problem()], closed, commanders, {}, later, timedelta(days=14))
    assert nudge.to == ("U0A",)
    assert due_stale_nudges([problem()], closed, commanders, {}, later - timedelta(seconds=1), timedelta(days=14)) == []
    assert due_stale_nudges([problem()], {1: True, 2: False}, commanders, {}, later, timedelta(days=14)) == []
    for status in (ProblemStatus.KNOWN_ERROR, ProblemStatus.RESOLVED):
        assert due_stale_nudges([problem(status)], closed, commanders, {}, later, timedelta(days=14)) == []
    assert due_stale_nudges([problem(incidents=())], closed, commanders, {}, later, timedelta(days=14)) == []
    reminded = {1: later - timedelta(days=6)}
    assert due_stale_nudges([problem()], closed, commanders, reminded, later, timedelta(days=14)) == []
    reminded = {1: later - timedelta(days=7)}
    assert len(due_stale_nudges([problem()], closed, commanders, reminded, later, timedelta(days=14))) == 1
