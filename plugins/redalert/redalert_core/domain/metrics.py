"""Incident metrics (docs/metrics.md): periods, percentiles, weekly buckets and the figures of a period.

Pure computations over per-incident rows that the store aggregates in SQL (store/analytics.py): no I/O here.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # field_filters reads commands, whose settings read this module
    from .field_filters import FieldFilter

DEFAULT_PERIOD = "30d"
RELATIVE_DAYS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
PERIOD_HELP = "7d, 30d, 90d, 365d, all or YYYY-MM-DD..YYYY-MM-DD"
MAX_RANGE_DAYS = 3660
# Dates outside these years are typos; 9999-12-31 would also overflow the day after the period's end.
FIRST_YEAR, LAST_YEAR = 1970, 2100


class PeriodError(ValueError):
    """A period that cannot be used; the message says what to type instead."""


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC. `start` None means from the first incident ("all")."""

    label: str
    start: datetime | None
    end: datetime

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and (self.start is None or moment >= self.start) and moment < self.end

    def describe(self) -> str:
        end = self.end - timedelta(seconds=1)
        if self.start is None:
            return f"all time up to {end:%Y-%m-%d}"
        return f"{self.start:%Y-%m-%d} to {end:%Y-%m-%d}"


def is_period(word: str) -> bool:
    return word.lower() in RELATIVE_DAYS or word.lower() == "all" or bool(_RANGE.match(word))


def parse_period(text: str | None, now: datetime) -> Period:
    """`7d|30d|90d|365d|all|YYYY-MM-DD..YYYY-MM-DD` (dates inclusive, UTC); empty means 30d."""
    typed = text or DEFAULT_PERIOD
    word = typed.strip().lower()
    if word in RELATIVE_DAYS:
        return Period(word, now - timedelta(days=RELATIVE_DAYS[word]), now)
    if word == "all":
        return Period(word, None, now)
    match = _RANGE.match(word)
    if not match:
        raise PeriodError(f'"{typed[:40]}" is not a period. Use {PERIOD_HELP}.')
    try:
        first, last = (date.fromisoformat(part) for part in match.groups())
    except ValueError as exc:
        raise PeriodError(f'"{typed[:40]}" is not a real date range: {exc}.') from exc
    if first.year < FIRST_YEAR or last.year > LAST_YEAR:
        raise PeriodError(
            f"The period {word} is outside {FIRST_YEAR}–{LAST_YEAR}: "
            f"use dates from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31."
        )
    if last < first:
        raise PeriodError(f"The period {word} ends before it starts.")
    if (last - first).days > MAX_RANGE_DAYS:
        raise PeriodError(f"The period {word} is longer than ten years; use `all`.")
    start = datetime.combine(first, time(), UTC)
    return Period(word, start, datetime.combine(last + timedelta(days=1), time(), UTC))


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week holding `moment`."""
    day = (moment if moment.tzinfo is UTC else moment.astimezone(UTC)).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(), UTC)


def weeks_between(start: datetime, end: datetime) -> list[datetime]:
    """The Mondays of every week that overlaps [start, end)."""
    weeks, current = [], week_start(start)
    while current < end:
        weeks.append(current)
        current += timedelta(days=7)
    return weeks


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    """Median, 90th percentile and mean of a set of durations in seconds, and how many there were."""

    count: int
    median: float | None
    p90: float | None
    mean: float | None


def summarise(values: list[float]) -> Summary:
    if not values:
        return Summary(0, None, None, None)
    return Summary(len(values), percentile(values, 0.5), percentile(values, 0.9), sum(values) / len(values))


@dataclass(slots=True)  # not frozen: thousands are built per figure, and a frozen init costs twice as much
class IncidentFacts:
    """One incident as the metrics and the export need it (the store derives the times from the event log in SQL)."""

    number: int
    severity: str
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    severity_changes: int = 0
    problem: int | None = None
    # What the export and the web report show besides the figures.
    status: str = ""
    description: str = ""
    channel: str | None = None
    private: bool = False
    opened_by: str = ""
    commander: str = ""
    closed_by: str | None = None
    resolution: str | None = None
    tasks_open: int = 0
    tasks_done: int = 0
    # Durations in seconds when the database computed them (store.analytics.durations); else from the times above.
    tta_seconds: float | None = None
    ttr_seconds: float | None = None
    ttc_seconds: float | None = None

    def seconds_to(self, moment: datetime | None) -> float | None:
        return None if moment is None else max(0.0, (moment - self.opened_at).total_seconds())

    @property
    def tta(self) -> float | None:
        return self.tta_seconds if self.tta_seconds is not None else self.seconds_to(self.acknowledged_at)

    @property
    def ttr(self) -> float | None:
        return self.ttr_seconds if self.ttr_seconds is not None else self.seconds_to(self.resolved_at)

    @property
    def time_to_close(self) -> float | None:
        return self.ttc_seconds if self.ttc_seconds is not None else self.seconds_to(self.closed_at)


@dataclass(frozen=True)
class Week:
    start: datetime
    by_severity: dict[str, int]
    ttr_median: float | None


@dataclass
class Figures:
    """Everything `!incident stats`, the digest, the web report and the chart show for one period."""

    period: Period
    severity: str | None
    incidents: int
    by_severity: dict[str, int]
    tta: Summary
    ttr: Summary
    time_to_close: Summary
    not_acknowledged: int
    not_resolved: int
    open_at_end: int
    severity_changed: int
    weeks: list[Week]
    tasks_opened: int = 0
    tasks_done: int = 0
    per_problem: list[tuple[int, str, int]] = field(default_factory=list)  # (problem, title, incidents)
    fields: tuple[FieldFilter, ...] = ()  # the custom field values the incidents were chosen by

    @property
    def empty(self) -> bool:
        return self.incidents == 0


def compute(
    period: Period,
    facts: list[IncidentFacts],
    severities: list[str],
    *,
    severity: str | None = None,
    open_at_end: int = 0,
    tasks: tuple[int, int] = (0, 0),
    per_problem: list[tuple[int, str, int]] | None = None,
    fields: tuple[FieldFilter, ...] = (),
) -> Figures:
    """The figures of the incidents opened in `period` (rows outside it are ignored). One pass over the rows.
    `fields`: the field filters the store already chose the rows by (said with the figures)."""
    counts: Counter[str] = Counter()
    ttas: list[float] = []
    ttrs: list[float] = []
    ttcs: list[float] = []
    in_week: dict[int, tuple[Counter[str], list[float]]] = {}  # by the ordinal of the week's Monday (UTC)
    first: datetime | None = None
    not_acknowledged = not_resolved = severity_changed = 0
    for f in facts:
        if not period.contains(f.opened_at) or (severity is not None and f.severity != severity):
            continue
        counts[f.severity] += 1
        first = f.opened_at if first is None or f.opened_at < first else first
        tta, ttr, ttc = f.tta, f.ttr, f.time_to_close
        day = f.opened_at.astimezone(UTC) if f.opened_at.tzinfo is not UTC else f.opened_at
        monday = day.toordinal() - day.weekday()
        week = in_week.get(monday)
        if week is None:
            week = in_week[monday] = (Counter(), [])
        week[0][f.severity] += 1
        if tta is None:
            not_acknowledged += 1
        else:
            ttas.append(tta)
        if ttr is None:
            not_resolved += 1
        else:
            ttrs.append(ttr)
            week[1].append(ttr)
        if ttc is not None:
            ttcs.append(ttc)
        severity_changed += f.severity_changes > 0
    order = [s for s in severities if counts[s]] + sorted(s for s in counts if s not in severities)
    weeks = []
    for week_monday in weeks_between(period.start or first or period.end, period.end):
        week_counts, week_ttrs = in_week.get(week_monday.toordinal(), (Counter(), []))
        weeks.append(Week(week_monday, {s: week_counts[s] for s in order}, percentile(week_ttrs, 0.5)))
    return Figures(
        period=period,
        severity=severity,
        incidents=sum(counts.values()),
        by_severity={s: counts[s] for s in order},
        tta=summarise(ttas),
        ttr=summarise(ttrs),
        time_to_close=summarise(ttcs),
        not_acknowledged=not_acknowledged,
        not_resolved=not_resolved,
        open_at_end=open_at_end,
        severity_changed=severity_changed,
        weeks=weeks,
        tasks_opened=tasks[0],
        tasks_done=tasks[1],
        per_problem=list(per_problem or []),
        fields=fields,
    )


def short_duration(seconds: float | None) -> str:
    """`45s`, `12m`, `3h 05m`, `2d 4h`; `–` for none."""
    if seconds is None:
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def change(current: float | None, previous: float | None) -> str:
    """How a figure moved from the week before: `+3`, `-25%`, `=`; empty when either side is missing."""
    if current is None or previous is None:
        return ""
    if current == previous:
        return "="
    if previous == 0:
        return f"+{current:g}"
    percent = (current - previous) / previous * 100
    return f"{percent:+.0f}%"
