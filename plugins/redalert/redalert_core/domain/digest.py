"""The weekly digest's configuration and schedule (DIGEST_CHANNEL, DIGEST_SCHEDULE), with no I/O.

DIGEST_SCHEDULE is `<day> <HH:MM> <zone>`, e.g. `mon 09:00 UTC` or `fri 16:30 Europe/Paris`. Each week has one
scheduled moment; the digest of that moment covers the last full ISO week (Monday to Monday, UTC) before it and
compares it with the week before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .metrics import Period, week_start

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SCHEDULE = "mon 09:00 UTC"
DEFAULTS: dict[str, Any] = {"DIGEST_CHANNEL": "", "DIGEST_SCHEDULE": DEFAULT_SCHEDULE}
_SCHEDULE = re.compile(r"^\s*([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})\s*([A-Za-z_/+\-0-9]*)\s*$", re.IGNORECASE)
_CHANNEL = re.compile(r"^(?:<#)?([CG][A-Z0-9]{2,})(?:\|[^>]*)?>?$")


@dataclass(frozen=True)
class Schedule:
    weekday: int  # Monday = 0
    at: clock_time
    zone: str = "UTC"

    def describe(self) -> str:
        return f"{DAYS[self.weekday]} {self.at:%H:%M} {self.zone}"

    def latest_due(self, now: datetime) -> datetime:
        """The most recent scheduled moment at or before `now` (in UTC)."""
        zone = UTC if self.zone.upper() == "UTC" else ZoneInfo(self.zone)
        local = now.astimezone(zone)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        moment = datetime.combine(day, self.at, zone)
        if moment > local:
            moment = datetime.combine(day - timedelta(days=7), self.at, zone)
        return moment.astimezone(UTC)


def parse_schedule(text: str) -> Schedule:
    match = _SCHEDULE.match(text or "")
    if not match or match.group(1).lower() not in DAYS:
        raise ValueError(f'"{str(text)[:40]}" is not a schedule like "mon 09:00 UTC"')
    day, hours, minutes, zone = match.groups()
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f'"{text[:40]}": the time must be between 00:00 and 23:59')
    zone = zone or "UTC"
    if zone.upper() != "UTC":
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f'"{zone[:40]}" is not a time zone (use UTC or a name like Europe/Paris)') from exc
    zone = "UTC" if zone.upper() == "UTC" else zone
    return Schedule(DAYS.index(day.lower()), clock_time(int(hours), int(minutes)), zone)


def check(merged: dict, faults: list[str]) -> dict[str, Any]:
    """The digest keys as Settings fields; one fault per bad value. An empty DIGEST_CHANNEL turns the digest off."""
    channel = merged.get("DIGEST_CHANNEL", "")
    clean: dict[str, Any] = {"digest_channel": None, "digest_schedule": parse_schedule(DEFAULT_SCHEDULE)}
    if channel:
        match = _CHANNEL.match(channel) if isinstance(channel, str) else None
        if match:
            clean["digest_channel"] = match.group(1)
        else:
            faults.append(
                'DIGEST_CHANNEL must be a channel ID like "C0123ABCD" (or "" for no digest), '
                f"not {str(channel)[:40]!r}."
            )
    try:
        clean["digest_schedule"] = parse_schedule(merged.get("DIGEST_SCHEDULE", DEFAULT_SCHEDULE))
    except (ValueError, TypeError) as exc:
        faults.append(f"DIGEST_SCHEDULE: {exc}.")
    return clean


def digest_weeks(due: datetime) -> tuple[Period, Period]:
    """The last full week before the scheduled moment `due`, and the week before it."""
    end = week_start(due)
    last = Period("last week", end - timedelta(days=7), end)
    before = Period("the week before", end - timedelta(days=14), end - timedelta(days=7))
    return last, before


def digest_key(due: datetime) -> str:
    """Names the digest of one scheduled moment: the ISO week it reports on, e.g. 2026-W47."""
    last, _ = digest_weeks(due)
    assert last.start is not None, "digest_weeks always gives a bounded week"
    year, week, _ = last.start.isocalendar()
    return f"{year}-W{week:02d}"
