"""What links, problems and tasks share: finding incidents for an asker, commanders, and who may act."""

from __future__ import annotations

from datetime import date, datetime

from ..domain.events import payload_as
from ..domain.incident import Incident
from ..domain.problem_config import ADMINS, ANYONE
from ..domain.problem_events import IncidentAdded
from ..domain.problems import Problem
from ..domain.requester import Requester
from ..store import Store
from .incidents import ServiceError
from .response import ResponseService


class FollowUpBase:
    """Base of the link, problem and task services: the response service gives the store, Slack and the clock
    (tests move `workflow.clock`, and every service follows)."""

    def __init__(self, response: ResponseService) -> None:
        self.response = response

    @property
    def store(self) -> Store:
        return self.response.store

    @property
    def settings(self):
        return self.response.settings

    def now(self) -> datetime:
        return self.response.clock()

    def today(self) -> date:
        return self.now().date()

    def incident(self, number: int | None, asker: Requester, verb: str, *, shown: bool = False) -> Incident:
        """A visible incident, open or closed (follow-up work outlives the incident); `shown`: see workflow.find."""
        return self.response.find(number, asker, verb, open_only=False, shown=shown)

    def may_see(self, incident: Incident, asker: Requester, *, shown: bool = False) -> bool:
        """Private incidents (and their tasks) are for their people and admins only (domain/visibility.py);
        `shown`: listed in the answer, so everyone who reads it (a channel) must be allowed to see it."""
        return self.response.incidents.may_see(incident, asker.audience() if shown else asker.person())

    def may_see_number(self, number: int, asker: Requester, *, shown: bool = False) -> bool:
        incident = self.store.incidents.get(number)
        return incident is not None and self.may_see(incident, asker, shown=shown)

    def commander(self, incident: Incident) -> str:
        return self.store.response.get(incident.number).commander(incident.opened_by)

    def problem_owners(self, problem: Problem) -> set[str]:
        """The "owners" of PROBLEM_STATUS_ALLOWED (and of a problem's tasks): its opener, and the commanders of the
        incidents linked by an owner or an admin (recorded with each link). Linking one's own incident grants
        nothing: otherwise anyone could open an incident, link it and then move the problem."""
        counts: dict[int, bool] = {}
        for event in self.store.events.list_problem(problem.number):
            added = payload_as(event, IncidentAdded)
            if added is not None:
                # Links made before this rule carry no flag: they count when the opener made them.
                flag = added.commander_counts
                counts[added.incident] = flag if flag is not None else event.actor == problem.opened_by
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

    def may(self, policy: str, asker: Requester, people: set[str]) -> bool:
        """The TASK_CLOSE_ALLOWED / PROBLEM_STATUS_ALLOWED rule: anyone, admins, or admins and `people`."""
        if policy == ANYONE or asker.is_admin:
            return True
        return policy != ADMINS and asker.user in people

    def refresh(self, numbers: list[int]) -> list[str]:
        """Bring the pinned summaries of these incidents up to date (open tasks, problem)."""
        warnings: list[str] = []
        for number in numbers:
            warnings += self.response.refresh_summary(number)
        return warnings
