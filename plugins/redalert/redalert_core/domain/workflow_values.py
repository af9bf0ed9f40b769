"""Checks of single values in REDALERT_WORKFLOWS_FILE: names, ids, text, lists, durations and templates.

Each takes a YAML node, adds a positioned fault when the value is wrong and returns the value or None.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import yaml

from .workflow_model import Oncall
from .yaml_nodes import Faults, describe, mapping, scalar, sequence, unknown_keys

NAME = re.compile(r"^[a-z][a-z0-9_-]{0,29}\Z")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,20}\Z")
SLACK_GROUP = re.compile(r"^S[A-Z0-9]{2,20}\Z")
PAGERDUTY_ID = re.compile(r"^[A-Z0-9]{2,20}\Z")
DURATION = re.compile(r"^([1-9][0-9]{0,5})([smh])\Z")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}
TEMPLATE_NAMES = ("number", "severity", "type", "status", "description", "channel")
MAX_TEXT = 3000
ONCALL_KEYS = ("escalation_policies", "schedules")


@dataclass(frozen=True)
class Known:
    """What the file may name besides its own types and fields (from the configuration); None: not checked."""

    severities: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    roles: frozenset[str] | None = None
    webhooks: frozenset[str] | None = None


def text(node: yaml.Node, what: str, faults: Faults, *, empty: bool = False, limit: int = MAX_TEXT) -> str | None:
    value = scalar(node)
    if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
        faults.add(node, f"{what} must be text, not {describe(node)}.")
        return None
    result = str(value)
    if not empty and not result.strip():
        faults.add(node, f"{what} must not be empty.")
        return None
    if len(result) > limit:
        faults.add(node, f"{what} is longer than {limit} characters.")
        return None
    return result


def matching(node: yaml.Node, what: str, pattern: re.Pattern[str], shape: str, faults: Faults) -> str | None:
    value = scalar(node)
    if not isinstance(value, str) or not pattern.match(value):
        faults.add(node, f"{what} must be {shape}, not {describe(node)}.")
        return None
    return value


def name(node: yaml.Node, what: str, faults: Faults) -> str | None:
    return matching(node, what, NAME, "a name of 1-30 characters a-z, 0-9, - or _ starting with a letter", faults)


def flag(node: yaml.Node, what: str, faults: Faults) -> bool | None:
    value = scalar(node)
    if not isinstance(value, bool):
        faults.add(node, f"{what} must be true or false, not {describe(node)}.")
        return None
    return value


def choice(node: yaml.Node, what: str, allowed: tuple[str, ...] | frozenset[str], faults: Faults) -> str | None:
    value = scalar(node)
    if not isinstance(value, str) or value not in allowed:
        faults.add(node, f"{what} must be one of {', '.join(sorted(allowed))}, not {describe(node)}.")
        return None
    return value


def items(node: yaml.Node, what: str, faults: Faults) -> list[yaml.Node]:
    """A list's item nodes; a single scalar counts as a list of one (`severity: sev1`)."""
    if isinstance(node, yaml.ScalarNode) and scalar(node) is not None:
        return [node]
    if isinstance(node, yaml.ScalarNode):
        return []
    return sequence(node, what, faults) or []


def ids(node: yaml.Node, what: str, pattern: re.Pattern[str], shape: str, faults: Faults) -> tuple[str, ...]:
    found = [matching(item, f"{what} item", pattern, shape, faults) for item in items(node, what, faults)]
    return tuple(value for value in found if value is not None)


def duration(node: yaml.Node, what: str, faults: Faults) -> timedelta | None:
    value = scalar(node)
    match = DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        faults.add(node, f"{what} must be a duration like 30s, 5m or 1h, not {describe(node)}.")
        return None
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def template(node: yaml.Node, what: str, fields: frozenset[str], faults: Faults) -> str | None:
    """Text whose {placeholders} are ones RedAlert fills: number, severity, type, status, description, channel,
    field.<name> of a field of the file."""
    result = text(node, what, faults)
    if result is None:
        return None
    for problem in template_problems(result, fields):
        faults.add(node, f"{what}: {problem}")
    return result


def template_problems(value: str, fields: frozenset[str]) -> list[str]:
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as error:
        return [f"{error} (write {{{{ and }}}} for a literal brace)."]
    problems = []
    for _, placeholder, spec, conversion in parts:
        if placeholder is None:
            continue
        if spec or conversion:
            problems.append(f'"{{{placeholder}}}" takes no format or conversion.')
        elif placeholder.startswith("field."):
            if placeholder[6:] not in fields:
                problems.append(f'"{{{placeholder}}}" names no field of this file.')
        elif placeholder not in TEMPLATE_NAMES:
            known = ", ".join(f"{{{n}}}" for n in TEMPLATE_NAMES)
            problems.append(f'unknown placeholder "{{{placeholder}}}" (known: {known}, {{field.<name>}}).')
    return problems


def known_or_fault(
    value: str | None, allowed: frozenset[str] | None, node: yaml.Node, what: str, faults: Faults
) -> Any:
    if value is not None and allowed is not None and value not in allowed:
        faults.add(node, f'{what} "{value}" is not one of {", ".join(sorted(allowed))}.')
        return None
    return value


def people(node: yaml.Node, what: str, faults: Faults) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A list of Slack user ids (U…, W…) and user group ids (S…): (users, groups); anything else is a fault."""
    users: list[str] = []
    groups: list[str] = []
    for item in items(node, what, faults):
        value = scalar(item)
        if isinstance(value, str) and SLACK_USER.match(value):
            users.append(value)
        elif isinstance(value, str) and SLACK_GROUP.match(value):
            groups.append(value)
        else:
            faults.add(item, f"{what} takes Slack user ids (U…, W…) and user group ids (S…), not {value!r}.")
    return tuple(users), tuple(groups)


def oncall_of(node: yaml.Node, what: str, faults: Faults) -> Oncall | None:
    entries = mapping(node, what, faults)
    if entries is None:
        return None
    unknown_keys(entries, ONCALL_KEYS, what, faults)
    shape = "a PagerDuty id like PABC123"
    found = {
        key: ids(entries[key][1], f"{what}: {key}", PAGERDUTY_ID, shape, faults) if key in entries else ()
        for key in ONCALL_KEYS
    }
    return Oncall(escalation_policies=found["escalation_policies"], schedules=found["schedules"])
