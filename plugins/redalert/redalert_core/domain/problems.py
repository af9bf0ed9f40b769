"""Problems: the underlying cause of one or more incidents (ITIL). A problem moves from investigating to known-error
(cause and workaround known) to resolved, and keeps its own append-only event log (its events are in
problem_events.py, told by timeline.py). No I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ProblemStatus(enum.StrEnum):
    INVESTIGATING = "investigating"
    KNOWN_ERROR = "known-error"
    RESOLVED = "resolved"


PROBLEM_STATUSES = tuple(status.value for status in ProblemStatus)
MAX_TITLE = 300


@dataclass
class Problem:
    number: int
    title: str
    status: ProblemStatus
    opened_by: str
    opened_at: datetime
    status_changed_at: datetime
    cause: str | None = None
    workaround: str | None = None
    incidents: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label(self.number)


def label(number: int) -> str:
    return f"P{number}"


def parse_status(word: str) -> ProblemStatus | None:
    cleaned = word.strip().lower().replace("_", "-").replace(" ", "-")
    if cleaned == "knownerror":
        cleaned = "known-error"
    return next((status for status in ProblemStatus if status.value == cleaned), None)
