"""Problems: open one for the underlying cause of incidents, link incidents, record cause and workaround, move it
from investigating to known-error to resolved; and the weekly reminder about problems left investigating."""

from __future__ import annotations

import builtins  # `list` names a method of ProblemService; its annotations need the type
import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain import text as texts
from ..domain.events import payload_of
from ..domain.incident import Event
from ..domain.problem_events import IncidentAdded, IncidentRemoved
from ..domain.problem_reminders import StaleNudge, due_stale_nudges
from ..domain.problems import Problem, ProblemStatus
from ..domain.requester import Requester
from ..domain.tasks import Task
from ..slack import messages
from ..slack.gateway import SlackError
from ..slack.rate_pacing import Priority
from ..store import IncidentInAnotherProblem, ProblemNotFound
from .follow_up import FollowUpBase
from .incidents import ServiceError

log = logging.getLogger(__name__)


@dataclass
class ProblemOutcome:
    problem: Problem
    previous: str | None = None
    linked: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ProblemView:
    problem: Problem
    tasks: list[Task]  # the problem's own tasks, then those of its incidents
    history: list[Event]


def _in_another(exc: IncidentInAnotherProblem) -> ServiceError:
    return ServiceError(
        f"Incident {exc.incident} already belongs to problem P{exc.problem}; "
        f"unlink it first with `!problem unlink P{exc.problem} {exc.incident}`. Nothing changed."
    )


class ProblemService(FollowUpBase):
    def __init__(self, response) -> None:
        super().__init__(response)
        self._reminding = threading.Lock()

    def _incidents(self, numbers: list[int], asker: Requester, problem: int | None = None) -> list[int]:
        """Check every incident first (exists, visible, in no other problem): a refusal changes nothing."""
        for number in numbers:
            self.incident(number, asker, "link")
            current = self.store.problems.for_incident(number)
            if current is not None and current.number != problem:
                raise _in_another(IncidentInAnotherProblem(number, current.number))
        return numbers

    def open(self, title: str, incidents: list[int], asker: Requester) -> ProblemOutcome:
        here = self.store.incidents.get_by_channel(asker.here) if asker.here else None
        if here is not None and here.number not in incidents:
            incidents = [here.number, *incidents]
        self._incidents(incidents, asker)
        try:
            problem = self.store.problems.create(title=title, opened_by=asker.user, at=self.now(), incidents=incidents)
        except IncidentInAnotherProblem as exc:  # a race with another link: still all or nothing
            raise _in_another(exc) from exc
        return ProblemOutcome(problem, linked=list(incidents), warnings=self.refresh(incidents))

    def link(self, number: int, incidents: list[int], asker: Requester) -> ProblemOutcome:
        problem = self.problem(number)
        self._incidents(incidents, asker, problem=number)
        counts = asker.is_admin or asker.user in self.problem_owners(problem)
        try:
            linked = self.store.problems.link_incidents(
                number, incidents, actor=asker.user, at=self.now(), commander_counts=counts
            )
        except IncidentInAnotherProblem as exc:
            raise _in_another(exc) from exc
        if not linked:
            shown = ", ".join(str(n) for n in incidents)
            raise ServiceError(f"Problem P{number} already has incident{'s' if len(incidents) > 1 else ''} {shown}.")
        return ProblemOutcome(self.problem(number), linked=linked, warnings=self.refresh(linked))

    def unlink(self, number: int, incident: int, asker: Requester) -> ProblemOutcome:
        self.problem(number)
        self.incident(incident, asker, "unlink")
        if not self.store.problems.unlink_incident(number, incident, actor=asker.user, at=self.now()):
            raise ServiceError(f"Incident {incident} is not linked to problem P{number}.")
        return ProblemOutcome(self.problem(number), linked=[incident], warnings=self.refresh([incident]))

    def _may_change_status(self, problem: Problem, asker: Requester) -> bool:
        return self.may(self.settings.problem_status_allowed, asker, self.problem_owners(problem))

    def set_status(self, number: int, status: ProblemStatus, note: str | None, asker: Requester) -> ProblemOutcome:
        problem = self.problem(number)
        if not self._may_change_status(problem, asker):
            raise ServiceError(
                f"Only whoever opened problem P{number}, the commanders of the incidents its owners linked and admins "
                "may change its status."
                if self.settings.problem_status_allowed != "admins"
                else f"Only admins may change the status of problem P{number}."
            )
        if problem.status == status and not note:
            raise ServiceError(f"Problem P{number} is already {status.value}.")
        previous = self.store.problems.set_status(number, status, note=note, actor=asker.user, at=self.now())
        outcome = ProblemOutcome(self.problem(number), previous=previous.value)
        outcome.warnings += self.refresh(problem.incidents)
        return outcome

    def set_text(self, number: int, field_name: str, text: str, asker: Requester) -> ProblemOutcome:
        self.problem(number)
        previous = self.store.problems.set_text(number, field_name, text, actor=asker.user, at=self.now())
        return ProblemOutcome(self.problem(number), previous=previous)

    def show(self, number: int, asker: Requester) -> ProblemView:
        """The problem, its incidents and tasks and theirs: a private incident's only where all readers may see it."""
        problem = self.problem(number)
        visible = [n for n in problem.incidents if self.may_see_number(n, asker, shown=True)]
        tasks = self.store.tasks.for_problem(number) + self.store.tasks.for_incidents(visible)
        shown = dataclasses.replace(problem, incidents=visible)
        seen: dict[int, bool] = {n: True for n in visible}

        def shown_event(event: Event) -> bool:
            payload = payload_of(event)
            if not isinstance(payload, IncidentAdded | IncidentRemoved):
                return True
            other = payload.incident
            if other not in seen:
                seen[other] = self.may_see_number(other, asker, shown=True)
            return seen[other]

        history = [event for event in self.store.events.list_problem(number) if shown_event(event)]
        return ProblemView(shown, tasks, history)

    def list(self, *, include_resolved: bool, asker: Requester) -> list[Problem]:
        """The problems, each naming only the incidents everyone reading the answer may see."""
        return [
            dataclasses.replace(p, incidents=[n for n in p.incidents if self.may_see_number(n, asker, shown=True)])
            for p in self.store.problems.list(include_resolved=include_resolved)
        ]

    def open_task_count(self, problem: Problem) -> int:
        """Open tasks of the problem and of the incidents it names (as `list` left them)."""
        return sum(1 for t in self.store.tasks.for_problem(problem.number) if t.is_open) + sum(
            1 for t in self.store.tasks.for_incidents(problem.incidents) if t.is_open
        )

    # --- the stale-problem reminder ----------------------------------------------------------------------------
    def send_stale_reminders(self) -> builtins.list[StaleNudge]:
        """Mention problems left investigating after their incidents closed to those incidents' commanders (DM),
        once a week. The reminder is recorded before the DMs go out: a crash loses one rather than doubling it."""
        if not self._reminding.acquire(blocking=False):
            return []
        try:
            now = self.now()
            problems = [p for p in self.store.problems.list(include_resolved=False) if p.incidents]
            numbers = {n for p in problems for n in p.incidents}
            incidents = {n: self.store.incidents.get(n) for n in numbers}
            closed = {n: bool(i and i.is_closed) for n, i in incidents.items()}
            commanders = {n: self.commander(i) for n, i in incidents.items() if i is not None}
            due = due_stale_nudges(
                problems,
                closed,
                commanders,
                self.store.problems.last_stale_reminders(),
                now,
                timedelta(days=self.settings.problem_stale_days),
            )
            last = self.store.problems.last_stale_reminders()
            for nudge in due:
                problem = nudge.problem
                previous = last.get(problem.number)
                key = f"problem-stale:{problem.number}:{previous.isoformat() if previous else 'never'}"
                if not self.store.sent_once.claim(key, at=now):
                    continue  # another replica sends this one
                try:
                    self.store.problems.record_stale_reminder(problem.number, list(nudge.to), at=now)
                except ProblemNotFound:
                    continue
                days = (now - problem.status_changed_at).days
                incidents_text = ", ".join(str(n) for n in problem.incidents)
                for user_id in nudge.to:
                    text = (
                        f":mag: {messages.user(user_id)}, problem P{problem.number} "
                        f"({texts.escape(problem.title)}) has been investigating for {days} days and its "
                        f"incidents ({incidents_text}) are all closed. Record what is known with "
                        f"`!problem cause P{problem.number} <text>`, add follow-up work with "
                        f"`!task add P{problem.number} <text> @owner`, or move it on with "
                        f"`!problem status P{problem.number} known-error|resolved`."
                    )
                    try:
                        self.response.gateway.send_dm(user_id, text, priority=Priority.BULK)
                    except SlackError as exc:
                        log.warning("Could not remind %s about problem P%s: %s", user_id, problem.number, exc)
            return due
        finally:
            self._reminding.release()
