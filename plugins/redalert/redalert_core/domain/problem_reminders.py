"""Which problem-management nudges are due: pure functions of tasks, problems, what was sent, and the time.

- An open task past its due date nudges its owner (or, without one, whoever is answerable for it) once per day.
  A nudge is identified by (task, day); the caller records it before posting, so a day never gets two.
- A problem still `investigating` for PROBLEM_STALE_DAYS, whose incidents are all closed, is mentioned to the
  commanders of its incidents once a week. A `known-error` or resolved problem is never nudged; its open tasks
  nudge their owners only when they are overdue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .problems import Problem, ProblemStatus
from .tasks import Task

STALE_REPEAT = timedelta(days=7)


@dataclass(frozen=True)
class TaskNudge:
    task: Task
    day: date
    to: str


@dataclass(frozen=True)
class StaleNudge:
    problem: Problem
    to: tuple[str, ...]


def due_task_nudges(
    tasks: Iterable[Task], nudged_today: set[int], today: date, fallback: Mapping[int, str | None]
) -> list[TaskNudge]:
    """Overdue open tasks not yet nudged `today`. `fallback` maps a task number to who is nudged when it has no
    owner (the incident's commander or the problem's opener); None there means nobody."""
    due = []
    for task in tasks:
        if not task.is_overdue(today) or task.number in nudged_today:
            continue
        to = task.owner or fallback.get(task.number)
        if to:
            due.append(TaskNudge(task, today, to))
    return due


def due_stale_nudges(
    problems: Iterable[Problem],
    closed: Mapping[int, bool],
    commanders: Mapping[int, str],
    last_reminded: Mapping[int, datetime],
    now: datetime,
    stale_after: timedelta,
) -> list[StaleNudge]:
    """Problems investigating for `stale_after` with every incident closed, not mentioned in the past week.

    `closed` maps incident numbers to whether they are closed; `commanders` maps them to their commander;
    `last_reminded` maps problem numbers to the last stale reminder."""
    due = []
    for problem in problems:
        if problem.status != ProblemStatus.INVESTIGATING or not problem.incidents:
            continue
        if not all(closed.get(number, False) for number in problem.incidents):
            continue
        if now - problem.status_changed_at < stale_after:
            continue
        last = last_reminded.get(problem.number)
        if last is not None and now - last < STALE_REPEAT:
            continue
        to = tuple(dict.fromkeys(commanders[n] for n in problem.incidents if commanders.get(n)))
        if to:
            due.append(StaleNudge(problem, to))
    return due
