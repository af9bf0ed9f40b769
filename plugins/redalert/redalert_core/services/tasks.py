"""Follow-up tasks: add, close, reopen, assign, set the due date, list; and the daily nudge about overdue tasks."""

from __future__ import annotations

import builtins  # `list` names a method of TaskService; its annotations need the type
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..domain import outside_actors
from ..domain import text as texts
from ..domain.events import payload_of
from ..domain.incident import EventKind
from ..domain.problem_commands import TaskAdd, TaskListScope
from ..domain.problem_events import TaskNudged
from ..domain.problem_reminders import TaskNudge, due_task_nudges
from ..domain.requester import Requester
from ..domain.tasks import Task
from ..slack import messages
from ..slack.gateway import SlackError
from ..slack.rate_pacing import Priority
from ..store import IncidentNotFound, ProblemNotFound
from .follow_up import FollowUpBase
from .incidents import ServiceError

log = logging.getLogger(__name__)


@dataclass
class TaskOutcome:
    task: Task
    previous: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class TaskListing:
    title: str
    tasks: list[Task]


class TaskService(FollowUpBase):
    def __init__(self, response) -> None:
        super().__init__(response)
        self._reminding = threading.Lock()

    def get(self, number: int, asker: Requester) -> Task:
        task = self.store.tasks.get(number)
        if task is None or not self._may_see(task, asker):
            raise ServiceError(f"There is no task T{number}. See !task list all.")
        return task

    def _may_see(self, task: Task, asker: Requester, *, shown: bool = False) -> bool:
        """A task of a private incident exists only for those who may see the incident (see FollowUpBase)."""
        return task.incident_number is None or self.may_see_number(task.incident_number, asker, shown=shown)

    # --- changes ------------------------------------------------------------------------------------------------
    def add(self, command: TaskAdd, asker: Requester) -> TaskOutcome:
        target = command.target
        if target.problem is not None:
            self.problem(target.problem)
            incident_number = None
        else:
            here = self.store.incidents.get_by_channel(asker.here) if asker.here else None
            if target.incident is None and here is None:
                raise ServiceError(
                    "Say where the task belongs: `!task add <incident number> <text>` or `!task add P<n> <text>`, "
                    "or run it in the incident's channel."
                )
            incident_number = self.incident(target.incident, asker, "task").number
        try:
            task = self.store.tasks.add(
                text=command.text,
                created_by=asker.user,
                at=self.now(),
                incident_number=incident_number,
                problem_number=target.problem,
                owner=command.owner,
                due=command.due,
            )
        except (IncidentNotFound, ProblemNotFound) as exc:
            raise ServiceError(f"{str(exc).capitalize()}.") from exc
        return TaskOutcome(task, warnings=self._refresh(task))

    def _refresh(self, task: Task) -> list[str]:
        return self.refresh([task.incident_number]) if task.incident_number is not None else []

    def _answerable(self, task: Task) -> set[str]:
        """Who may close or reopen it under the "owners" rule: its owner (its creator while it has none), and the
        commander of its incident or, for a problem's task, the problem's owners (follow_up.problem_owners)."""
        people = {task.owner or task.created_by}
        if task.incident_number is not None:
            incident = self.store.incidents.get(task.incident_number)
            if incident is not None:
                people.add(self.commander(incident))
        if task.problem_number is not None:
            problem = self.store.problems.get(task.problem_number)
            if problem is not None:
                people |= self.problem_owners(problem)
        return people

    def _check_may_close(self, task: Task, asker: Requester, verb: str) -> None:
        policy = self.settings.task_close_allowed
        if self.may(policy, asker, self._answerable(task)):
            return
        if policy == "admins":
            raise ServiceError(f"Only admins may {verb} task T{task.number}.")
        commander = "the incident's commander" if task.incident_number is not None else "the problem's owners"
        raise ServiceError(f"Only the owner of task T{task.number}, {commander} and admins may {verb} it.")

    def done(self, number: int, note: str | None, asker: Requester) -> TaskOutcome:
        task = self.get(number, asker)
        self._check_may_close(task, asker, "close")
        if task.done_at is not None:  # not open
            when = task.done_at.strftime("%Y-%m-%d")
            raise ServiceError(f"Task T{number} is already done ({when}, {self._done_by(task)}).")
        task = self.store.tasks.done(number, actor=asker.user, note=note, at=self.now())
        return TaskOutcome(task, warnings=self._refresh(task))

    def _done_by(self, task: Task) -> str:
        """'by @alice', or 'in Jira by <the name Jira gave>' for a task done there."""
        place = outside_actors.place(task.done_by)
        if task.done_by and place:
            name = (self.store.remote.get(outside_actors.name_key(task.done_by)) or {}).get("name")
            return f"in {place} by {texts.escape(outside_actors.named(name))}"
        return f"by {messages.user(task.done_by or '?')}"

    def reopen(self, number: int, asker: Requester) -> TaskOutcome:
        task = self.get(number, asker)
        self._check_may_close(task, asker, "reopen")
        if task.is_open:
            raise ServiceError(f"Task T{number} is still open.")
        task = self.store.tasks.reopen(number, actor=asker.user, at=self.now())
        return TaskOutcome(task, warnings=self._refresh(task))

    def assign(self, number: int, owner: str, asker: Requester) -> TaskOutcome:
        task = self.get(number, asker)
        # Reassigning hands over the right to close it: the same people decide (anyone could take a task otherwise).
        self._check_may_close(task, asker, "reassign")
        if task.owner == owner:
            raise ServiceError(f"{messages.user(owner)} already owns task T{number}.")
        updated = self.store.tasks.assign(number, owner, actor=asker.user, at=self.now())
        return TaskOutcome(updated, previous=task.owner)

    def set_due(self, number: int, due: date, asker: Requester) -> TaskOutcome:
        task = self.get(number, asker)
        if task.due == due:
            raise ServiceError(f"Task T{number} is already due {due.isoformat()}.")
        updated = self.store.tasks.set_due(number, due, actor=asker.user, at=self.now())
        return TaskOutcome(updated, previous=task.due.isoformat() if task.due else None)

    # --- listing ------------------------------------------------------------------------------------------------
    def list(self, scope: TaskListScope, asker: Requester) -> TaskListing:
        here = self.store.incidents.get_by_channel(asker.here) if asker.here else None
        kind = scope.kind
        if kind == "default":
            kind = "here-open" if here is not None else "mine"
        if kind in ("open", "all") and here is not None:
            kind = f"here-{kind}"
        if kind == "mine":
            listing = TaskListing("Your open tasks", self.store.tasks.owned_by(asker.user))
        elif kind == "open":
            listing = TaskListing("Open tasks", self.store.tasks.open_tasks())
        elif kind == "all":
            listing = TaskListing("All tasks", self.store.tasks.all())
        elif kind in ("here-open", "here-all"):
            assert here is not None, "a here- kind is chosen only in an incident's channel"
            tasks = self.store.tasks.for_incident(here.number)
            if kind == "here-open":
                tasks = [t for t in tasks if t.is_open]
            listing = TaskListing(
                f"{'Open tasks' if kind == 'here-open' else 'Tasks'} of incident {here.number}", tasks
            )
        elif kind == "incident":
            incident = self.incident(scope.number, asker, "task list", shown=True)
            listing = TaskListing(
                f"Tasks of incident {incident.number}", self.store.tasks.for_incident(incident.number)
            )
        else:
            assert scope.number is not None, "parse_task_list gives a problem's list its number"
            problem = self.problem(scope.number)
            tasks = self.store.tasks.for_problem(problem.number) + self.store.tasks.for_incidents(problem.incidents)
            listing = TaskListing(f"Tasks of problem P{problem.number} and its incidents", tasks)
        listing.tasks = [t for t in listing.tasks if self._may_see(t, asker, shown=True)]
        return listing

    # --- the daily nudge -----------------------------------------------------------------------------------------
    def send_nudges(self) -> builtins.list[TaskNudge]:
        """DM the owner of each overdue open task, once per day; recorded before sending (see reminders)."""
        if not self._reminding.acquire(blocking=False):
            return []
        try:
            now = self.now()
            today = now.date()
            # Nudges of today carry today's date; two days back covers any clock skew between the record and now.
            recent = self.store.events.of_kind_since(EventKind.TASK_NUDGED, now - timedelta(days=2))
            sent = [payload_of(event) for event in recent]
            nudged_today = {p.task for p in sent if isinstance(p, TaskNudged) and p.day == today.isoformat()}
            overdue = [t for t in self.store.tasks.open_tasks() if t.is_overdue(today)]
            fallback = {t.number: self._fallback(t) for t in overdue if not t.owner}
            due = due_task_nudges(overdue, nudged_today, today, fallback)
            for nudge in due:
                task = nudge.task
                assert task.due is not None, "only overdue tasks are nudged"
                if not self.store.sent_once.claim(f"task-nudge:{task.number}:{today.isoformat()}", at=now):
                    continue  # another replica sends this one
                self.store.tasks.record_nudge(task.number, day=today, to=nudge.to, at=now)
                late = (today - task.due).days
                text = (
                    f":alarm_clock: {messages.user(nudge.to)}, task T{task.number} ({texts.escape(task.text)}, "
                    f"{task.belongs_to}) was due {task.due.isoformat()}, {late} day{'s' if late != 1 else ''} ago. "
                    f"Close it with `!task done T{task.number}` or move it with `!task due T{task.number} in 3d`."
                )
                try:
                    self.response.gateway.send_dm(nudge.to, text, priority=Priority.BULK)
                except SlackError as exc:
                    log.warning("Could not nudge %s about task T%s: %s", nudge.to, task.number, exc)
            return due
        finally:
            self._reminding.release()

    def _fallback(self, task: Task) -> str | None:
        """Who hears about an overdue task nobody owns: its incident's commander, or the problem's opener."""
        if task.incident_number is not None:
            incident = self.store.incidents.get(task.incident_number)
            return self.commander(incident) if incident else None
        assert task.problem_number is not None, "a task belongs to an incident or to a problem"
        problem = self.store.problems.get(task.problem_number)
        return problem.opened_by if problem else None
