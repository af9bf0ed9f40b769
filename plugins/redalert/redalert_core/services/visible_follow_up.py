"""The follow-up part of a post-mortem (links, problem, tasks) as its readers may see it (domain/visibility.py).

A post-mortem posted in a channel, or shown on the web report, names other incidents of the same problem and their
tasks: a private one appears only to those who may see it, so its number, links and tasks are left out otherwise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..domain import outside_actors, postmortem
from ..store import Store


def follow_up(store: Store, number: int, may_see: Callable[[int], bool]) -> postmortem.FollowUp:
    """Incident `number`'s links, problem and tasks; other incidents only where `may_see(other number)`."""
    problem = store.problems.for_incident(number)
    problem_tasks = []
    if problem is not None:
        others = [n for n in problem.incidents if n == number or may_see(n)]
        problem = dataclasses.replace(problem, incidents=others)
        problem_tasks = store.tasks.for_problem(problem.number) + store.tasks.for_incidents(
            n for n in others if n != number
        )
    tasks = store.tasks.for_incident(number)
    return postmortem.FollowUp(
        links=[link for link in store.links.for_incident(number) if may_see(link.other(number))],
        problem=problem,
        tasks=tasks,
        problem_tasks=problem_tasks,
        names=outside_names(store, [task.done_by for task in [*tasks, *problem_tasks]]),
    )


def outside_names(store: Store, actors: list[str | None]) -> dict[str, str]:
    """The names Jira last gave the outside actors among `actors` (domain/outside_actors.py)."""
    names = {}
    for actor in {a for a in actors if a and outside_actors.place(a)}:
        name = (store.remote.get(outside_actors.name_key(actor)) or {}).get("name")
        if name:
            names[actor] = str(name)
    return names
