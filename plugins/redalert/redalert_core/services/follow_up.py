"""What links, problems and tasks share: finding incidents for an asker, commanders, and who may act."""

from __future__ import annotations

from datetime import date, datetime

from ..domain.incident import Incident
from ..domain.problem_config import ADMINS, ANYONE
from ..domain.problems import Problem, ProblemEventKind
from ..store import Store
from .incidents import ServiceError
from .workflow import Asker, WorkflowService


class FollowUpBase:
    """Base of the link, problem and task services: the workflow service gives the store, Slack and the clock
    (tests move `workflow.clock`, and every service follows)."""

    def __init__(self, workflow: WorkflowService) -> None:
        self.workflow = workflow

    @property
    def store(self) -> Store:
        return self.workflow.store

    @property
    def settings(self):
        return self.workflow.settings

    def now(self) -> datetime:
        return self.workflow.clock()

    def today(self) -> date:
        return self.now().date()

    def incident(self, number: int | None, asker: Asker, verb: str, *, shown: bool = False) -> Incident:
        """A visible incident, open or closed (follow-up work outlives the incident); `shown`: see workflow.find."""
        return self.workflow.find(number, asker, verb, open_only=False, shown=shown)

    def may_see(self, incident: Incident, asker: Asker, *, shown: bool = False) -> bool:
        """Private incidents (and their tasks) are for their people and admins only (domain/visibility.py);
        `shown`: listed in the answer, so everyone who reads it (a channel) must be allowed to see it."""
        return self.workflow.incidents.may_see(incident, asker.audience() if shown else asker.person())

    def may_see_number(self, number: int, asker: Asker, *, shown: bool = False) -> bool:
        incident = self.store.incidents.get(number)
        return incident is not None and self.may_see(incident, asker, shown=shown)

    def commander(self, incident: Incident) -> str:
        return self.store.workflow.get(incident.number).commander(incident.opened_by)

    def problem_owners(self, problem: Problem) -> set[str]:
        """The "owners" of PROBLEM_STATUS_ALLOWED (and of a problem's tasks): its opener, and the commanders of the
        incidents linked by an owner or an admin (recorded with each link). Linking one's own incident grants
        nothing: otherwise anyone could open an incident, link it and then move the problem."""
        counts: dict[int, bool] = {}
        for event in self.store.events.list_problem(problem.number):
            # Links made before this rule carry no flag: they count when the opener made them.
            if event.kind == ProblemEventKind.INCIDENT_ADDED and (linked := event.data.get("incident")) is not None:
                counts[linked] = event.data.get("commander_counts", event.actor == problem.opened_by)
        people = {problem.opened_by}
        for number in problem.incidents:
            incident = self.store.incidents.get(number) if counts.get(number) else None
            if incident is not None:
                people.add(self.commander(incident))
        return people

    def problem(self, number: int) -> Problem:
        problem = self.store.problems.get(number)
        if problem is None:
            raise ServiceError(f"There is no problem P{number}. See !problem list all.")
        return problem

    def may(self, policy: str, asker: Asker, people: set[str]) -> bool:
        """The TASK_CLOSE_ALLOWED / PROBLEM_STATUS_ALLOWED rule: anyone, admins, or admins and `people`."""
        if policy == ANYONE or asker.is_admin:
            return True
        return policy != ADMINS and asker.user in people

    def refresh(self, numbers: list[int]) -> list[str]:
        """Bring the pinned summaries of these incidents up to date (open tasks, problem)."""
        warnings: list[str] = []
        for number in numbers:
            warnings += self.workflow.refresh_summary(number)
        return warnings
