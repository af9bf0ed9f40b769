"""Validation of the problem-management keys of RedAlert's configuration (see settings.py DEFAULT_CONFIG).

TASK_CLOSE_ALLOWED / PROBLEM_STATUS_ALLOWED: who may close or reopen a task, and change a problem's status.
"owners" (default): the task's owner (its creator while it has none) or the problem's opener, the commander of the
incident(s) concerned, and admins; "admins": admins only; "anyone".
PROBLEM_STALE_DAYS: how long a problem may stay `investigating` after its incidents closed before its commanders
are reminded (once a week).
"""

from __future__ import annotations

from typing import Any

OWNERS = "owners"
ADMINS = "admins"
ANYONE = "anyone"
PERMISSION_POLICIES = (OWNERS, ADMINS, ANYONE)
DEFAULT_STALE_DAYS = 14
MAX_STALE_DAYS = 365

DEFAULTS: dict[str, Any] = {
    "TASK_CLOSE_ALLOWED": OWNERS,
    "PROBLEM_STATUS_ALLOWED": OWNERS,
    "PROBLEM_STALE_DAYS": DEFAULT_STALE_DAYS,
}


def check(merged: dict, faults: list[str]) -> dict[str, Any]:
    """The keys as Settings fields; one fault per bad value."""
    clean: dict[str, Any] = {}
    for key, field in (
        ("TASK_CLOSE_ALLOWED", "task_close_allowed"),
        ("PROBLEM_STATUS_ALLOWED", "problem_status_allowed"),
    ):
        value = merged.get(key, DEFAULTS[key])
        if value not in PERMISSION_POLICIES:
            faults.append(f"{key} must be one of {', '.join(repr(p) for p in PERMISSION_POLICIES)}.")
            value = DEFAULTS[key]
        clean[field] = value
    days = merged.get("PROBLEM_STALE_DAYS", DEFAULT_STALE_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_STALE_DAYS:
        faults.append(f"PROBLEM_STALE_DAYS must be a whole number of days from 1 to {MAX_STALE_DAYS}.")
        days = DEFAULT_STALE_DAYS
    clean["problem_stale_days"] = days
    return clean
