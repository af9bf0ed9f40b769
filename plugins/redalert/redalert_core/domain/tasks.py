"""Follow-up tasks: owned, with an optional due date, belonging to an incident or to a problem. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .commands import ParseError

MAX_DAYS_AHEAD = 3650
_IN_DAYS = re.compile(r"^in\s*(\d{1,5})\s*(?:d|days?)\Z", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\Z")
DUE_USAGE = "use YYYY-MM-DD or in <N>d, e.g. `due 2026-12-24` or `due in 3d`"


@dataclass
class Task:
    number: int
    text: str
    created_by: str
    created_at: datetime
    incident_number: int | None = None
    problem_number: int | None = None
    owner: str | None = None
    due: date | None = None
    done_at: datetime | None = None
    done_by: str | None = None
    done_note: str | None = None

    @property
    def label(self) -> str:
        return label(self.number)

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due is not None and self.due < today

    @property
    def belongs_to(self) -> str:
        """ "incident 12" or "problem P3"."""
        if self.incident_number is not None:
            return f"incident {self.incident_number}"
        return f"problem P{self.problem_number}"


def label(number: int) -> str:
    return f"T{number}"


def parse_due(text: str, today: date) -> date:
    """`YYYY-MM-DD` or `in <N>d` (days from `today`); ParseError for anything else or a day already past."""
    cleaned = " ".join(text.split())
    relative = _IN_DAYS.match(cleaned)
    if relative:
        days = int(relative.group(1))
        if days > MAX_DAYS_AHEAD:
            raise ParseError(f"A due date {days} days ahead is too far; keep it within {MAX_DAYS_AHEAD} days.")
        return today + timedelta(days=days)
    absolute = _ISO_DATE.match(cleaned)
    if not absolute:
        raise ParseError(f'I could not read the due date "{cleaned[:40]}": {DUE_USAGE}.')
    try:
        due = date(int(absolute.group(1)), int(absolute.group(2)), int(absolute.group(3)))
    except ValueError:
        raise ParseError(f'"{cleaned}" is not a real date: {DUE_USAGE}.') from None
    if due < today:
        raise ParseError(f"{due.isoformat()} is in the past (today is {today.isoformat()}); give a date from today on.")
    if (due - today).days > MAX_DAYS_AHEAD:
        raise ParseError(f"{due.isoformat()} is too far ahead; keep it within {MAX_DAYS_AHEAD} days.")
    return due


def describe_line(task: Task, person, quote, today: date) -> str:
    """`T7 · open · Fix the retry storm · owner @alice · due 2026-12-03 (overdue)` in the caller's markup."""
    owner = f"owner {person(task.owner)}" if task.owner else "no owner"
    parts = [task.label, "open" if task.is_open else "done", quote(task.text), owner]
    if task.due:
        overdue = " (overdue)" if task.is_overdue(today) else ""
        parts.append(f"due {task.due.isoformat()}{overdue}")
    return " · ".join(parts)
