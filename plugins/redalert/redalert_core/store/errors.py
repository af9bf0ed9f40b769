"""What the repositories raise when a write cannot happen as asked."""

from __future__ import annotations

from ..domain.incident import Incident


class DuplicateCommand(Exception):
    """The same command (same dedup key) already opened an incident; `.incident` is that incident."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"dedup key {incident.dedup_key!r} already opened incident {incident.number}")
        self.incident = incident


class RepeatedCommand(DuplicateCommand):
    """The same person sent the same open (same severity and description) moments ago; `.incident` is that one."""


class AlreadyClosed(Exception):
    """The incident was closed before this close; `.incident` is its stored state."""

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"incident {incident.number} is already closed")
        self.incident = incident


class IncidentNotFound(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(f"no incident {number}")
        self.number = number


class IncidentInAnotherProblem(Exception):
    """An incident belongs to one problem at most; `.incident` is already linked to problem `.problem`."""

    def __init__(self, incident: int, problem: int) -> None:
        super().__init__(f"incident {incident} already belongs to problem P{problem}")
        self.incident = incident
        self.problem = problem


class ProblemNotFound(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(f"no problem P{number}")
        self.number = number


class TaskNotFound(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(f"no task T{number}")
        self.number = number
