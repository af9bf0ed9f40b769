"""Validation of the workflow keys of RedAlert's configuration: roles, statuses, announcements, reminders, postmortems.

Each check appends one clear message per fault to `faults` and returns the clean value. Keys that still hold their
default may name severities that an admin has since removed; those entries are dropped instead of refused.
"""

from __future__ import annotations

import re
from typing import Any

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,29}\Z")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}\Z")
_CHANNEL_MARKUP = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>\Z")
MAX_REMINDER_MINUTES = 7 * 24 * 60

DEFAULT_ROLES = ["commander", "communications", "scribe"]
DEFAULT_STATUSES = ["investigating", "identified", "monitoring", "resolved"]
DEFAULT_REMINDER_MINUTES = {"sev1": 30, "sev2": 60}
DEFAULT_POSTMORTEM_SEVERITIES = ["sev1", "sev2"]


def check_names(key: str, raw: Any, faults: list[str], *, minimum: int, required: str | None = None) -> tuple[str, ...]:
    """A list of distinct lowercase names (roles, statuses)."""
    example = ", ".join(f'"{n}"' for n in (DEFAULT_ROLES if key == "ROLES" else DEFAULT_STATUSES))
    if not isinstance(raw, (list, tuple)) or len(raw) < minimum:
        faults.append(f"{key} must be a list of at least {minimum} names, like [{example}].")
        return ()
    names: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not NAME.match(item):
            faults.append(
                f'{key}: "{str(item)[:40]}" must be 1-30 characters of a-z, 0-9, - or _, starting with a letter.'
            )
        elif item in names:
            faults.append(f'{key}: "{item}" appears more than once.')
        else:
            names.append(item)
    if required and required not in names and len(names) == len(raw):
        faults.append(f'{key} must include "{required}" (`!incident lead` assigns it).')
    return tuple(names)


def _severity_keys(key: str, raw: dict, severities: set[str], lenient: bool, faults: list[str]) -> dict:
    kept = {}
    for severity, value in raw.items():
        if severity in severities:
            kept[severity] = value
        elif not lenient:
            known = ", ".join(sorted(severities)) or "none"
            faults.append(f'{key} names "{str(severity)[:40]}", which is no severity (known: {known}).')
    return kept


def check_announce_channels(raw: Any, severities: set[str], lenient: bool, faults: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        faults.append('ANNOUNCE_CHANNELS must be a dict of severity to channel ID, like {"sev1": "C0123ABCD"}.')
        return {}
    clean: dict[str, str] = {}
    for severity, value in _severity_keys("ANNOUNCE_CHANNELS", raw, severities, lenient, faults).items():
        text = value.strip() if isinstance(value, str) else ""
        match = _CHANNEL_MARKUP.match(text)
        channel_id = match.group(1) if match else text
        if not CHANNEL_ID.match(channel_id):
            faults.append(f'ANNOUNCE_CHANNELS["{severity}"]: "{str(value)[:40]}" is not a channel ID (C… or G…).')
            continue
        clean[severity] = channel_id
    return clean


def check_reminder_minutes(raw: Any, severities: set[str], lenient: bool, faults: list[str]) -> dict[str, int]:
    if not isinstance(raw, dict):
        faults.append('REMINDER_MINUTES must be a dict of severity to minutes, like {"sev1": 30, "sev2": 60}.')
        return {}
    clean: dict[str, int] = {}
    for severity, value in _severity_keys("REMINDER_MINUTES", raw, severities, lenient, faults).items():
        if value is None:
            continue  # explicitly no reminders for this severity
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_REMINDER_MINUTES:
            faults.append(
                f'REMINDER_MINUTES["{severity}"] must be a whole number of minutes from 1 to {MAX_REMINDER_MINUTES}, '
                "or None for no reminders."
            )
            continue
        clean[severity] = value
    return clean


def check_postmortem_severities(raw: Any, severities: set[str], lenient: bool, faults: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, (list, tuple)) or not all(isinstance(item, str) for item in raw):
        faults.append('POSTMORTEM_SEVERITIES must be a list of severity values, like ["sev1", "sev2"].')
        return ()
    wanted = dict.fromkeys(raw, None)
    return tuple(_severity_keys("POSTMORTEM_SEVERITIES", wanted, severities, lenient, faults))
