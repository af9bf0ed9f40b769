"""RedAlert's plugin configuration: defaults, parsing of text pasted in Slack, and validation.

The configuration is Errbot's plugin configuration (`!plugin config RedAlert {...}`), a dict with the keys of
DEFAULT_CONFIG. Any subset may be given; missing keys keep their defaults.
"""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import alert_config, digest, problem_config, response_config, status_page
from .alert_config import AlertSettings
from .form_config import check_form_groups
from .integrations_config import INTEGRATION_DEFAULTS, IntegrationSettings, check_integrations
from .naming import DEFAULT_TEMPLATE, TEMPLATE_FIELDS, slugify, template_fields
from .response_config import (
    DEFAULT_POSTMORTEM_SEVERITIES,
    DEFAULT_REMINDER_MINUTES,
    DEFAULT_ROLES,
    DEFAULT_STATUSES,
)
from .status_page import StatusPageSettings

ALWAYS = "always"

DEFAULT_CONFIG: dict[str, Any] = {
    "SEVERITY_LEVELS": [
        {"label": "SEV1 - Critical", "value": "sev1"},
        {"label": "SEV2 - Major", "value": "sev2"},
        {"label": "SEV3 - Minor", "value": "sev3"},
        {"label": "SEV4 - Low", "value": "sev4"},
        {"label": "SEV5 - Informational", "value": "sev5"},
    ],
    "INCLUDE_IN_INCIDENT": {ALWAYS: []},
    "CHANNEL_NAME_TEMPLATE": DEFAULT_TEMPLATE,
    "LIST_LIMIT": 20,
    # Who may close an incident: "members" (of its channel) and admins, "admins" only, or "anyone".
    "CLOSE_ALLOWED": "members",
    # The incident workflow (response_config.py checks these).
    "ROLES": list(DEFAULT_ROLES),
    "STATUSES": list(DEFAULT_STATUSES),
    "ANNOUNCE_CHANNELS": {},
    "REMINDER_MINUTES": dict(DEFAULT_REMINDER_MINUTES),
    "POSTMORTEM_SEVERITIES": list(DEFAULT_POSTMORTEM_SEVERITIES),
    # At most one chat.update of an incident's pinned summary every this many seconds; the last state always lands.
    "SUMMARY_UPDATE_SECONDS": 10,
    # Outside systems and the outbox (integrations_config.py checks these).
    **INTEGRATION_DEFAULTS,
    # Problem management (problem_config.py checks these).
    **problem_config.DEFAULTS,
    # User groups offered in the "Open an incident" modal (IDs or @handles); empty: a text field for @handles.
    "FORM_GROUPS": [],
    # The weekly metrics digest (digest.py checks these); an empty channel means no digest.
    **digest.DEFAULTS,
    # The public status page and Atlassian Statuspage (status_page.py checks these).
    **status_page.DEFAULTS,
    # Alert intake from Alertmanager and Grafana (alert_config.py checks these).
    **alert_config.DEFAULTS,
}
CLOSE_POLICIES = ("members", "admins", "anyone")
MAX_SUMMARY_UPDATE_SECONDS = 300

SEVERITY_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}\Z")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}\Z")
GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}\Z")
GROUP_HANDLE = re.compile(r"^@[a-z0-9][a-z0-9._-]{0,79}\Z")
# What Slack clients send when people paste a config: markup around IDs and smart punctuation.
_USER_MARKUP = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>\Z")
_GROUP_MARKUP = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>\Z")
_SMART = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "--"})


class ConfigError(ValueError):
    """A configuration that cannot be used; `faults` holds one clear message per problem."""

    def __init__(self, faults: list[str]) -> None:
        self.faults = faults
        super().__init__("; ".join(faults))


@dataclass(frozen=True)
class Severity:
    value: str
    label: str


@dataclass(frozen=True)
class Settings:
    """The validated configuration in the shape the service uses."""

    severities: tuple[Severity, ...]
    include: dict[str, tuple[str, ...]] = field(default_factory=dict)
    channel_name_template: str = DEFAULT_TEMPLATE
    list_limit: int = 20
    close_allowed: str = "members"
    roles: tuple[str, ...] = tuple(DEFAULT_ROLES)
    statuses: tuple[str, ...] = tuple(DEFAULT_STATUSES)  # the last one is the resolved status
    announce_channels: dict[str, str] = field(default_factory=dict)
    reminder_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_REMINDER_MINUTES))
    postmortem_severities: tuple[str, ...] = tuple(DEFAULT_POSTMORTEM_SEVERITIES)
    summary_update_seconds: float = 10.0
    integrations: IntegrationSettings = field(default_factory=IntegrationSettings)
    task_close_allowed: str = problem_config.OWNERS
    problem_status_allowed: str = problem_config.OWNERS
    problem_stale_days: int = problem_config.DEFAULT_STALE_DAYS
    form_groups: tuple[str, ...] = ()
    digest_channel: str | None = None
    digest_schedule: digest.Schedule = field(default_factory=lambda: digest.parse_schedule(digest.DEFAULT_SCHEDULE))
    status_page: StatusPageSettings = field(default_factory=StatusPageSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)

    @property
    def resolved_status(self) -> str:
        return self.statuses[-1]

    def severity(self, text: str) -> Severity | None:
        wanted = text.strip().lower()
        return next((s for s in self.severities if s.value == wanted), None)

    @property
    def severity_values(self) -> list[str]:
        return [s.value for s in self.severities]


def parse_config_text(text: str) -> Any:
    """Read a configuration typed in chat: a Python literal or JSON, with Slack's smart quotes and entities."""
    cleaned = html.unescape(text.translate(_SMART)).strip()
    try:
        return ast.literal_eval(cleaned)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    try:
        return json.loads(cleaned)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(
            ["The configuration is neither a Python literal nor JSON: check its brackets, quotes and commas."]
        ) from exc


def normalise_entry(entry: str) -> str:
    """One auto-invite entry as stored: a user ID, a group ID or a lowercase @handle."""
    entry = entry.strip()
    for markup in (_USER_MARKUP, _GROUP_MARKUP):
        match = markup.match(entry)
        if match:
            return match.group(1)
    if entry.startswith("@"):
        return entry.lower()
    return entry


def _split_entries(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError


def _check_severities(raw: Any, faults: list[str]) -> list[Severity]:
    if not isinstance(raw, (list, tuple)) or not raw:
        faults.append('SEVERITY_LEVELS must be a non-empty list like [{"label": "SEV1", "value": "sev1"}].')
        return []
    severities: list[Severity] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or set(item) != {"label", "value"}:
            faults.append(f'SEVERITY_LEVELS item {index} must be a dict with exactly "label" and "value".')
            continue
        label, value = item["label"], item["value"]
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            faults.append(f"SEVERITY_LEVELS item {index}: the label must be non-empty text (at most 100 characters).")
            continue
        if not isinstance(value, str):
            faults.append(f"SEVERITY_LEVELS item {index}: the value must be text, not {type(value).__name__}.")
            continue
        if value == ALWAYS:
            faults.append(f'SEVERITY_LEVELS item {index}: "{ALWAYS}" is reserved for INCLUDE_IN_INCIDENT.')
            continue
        if not SEVERITY_VALUE.match(value):
            faults.append(
                f'SEVERITY_LEVELS item {index}: the value "{value[:40]}" must be 1-30 characters of a-z, 0-9, - or _, '
                "starting with a letter or digit (it starts the channel name)."
            )
            continue
        if value in seen:
            faults.append(f'SEVERITY_LEVELS: the value "{value}" appears more than once.')
            continue
        seen.add(value)
        severities.append(Severity(value=value, label=label.strip()))
    return severities


def _check_include(raw: Any, severity_values: set[str], faults: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        faults.append(
            'INCLUDE_IN_INCIDENT must be a dict like {"always": "U0105K7EFNX", "sev1": ["S0ONCALL", "@sre"]}.'
        )
        return {}
    include: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if key != ALWAYS and key not in severity_values:
            known = ", ".join(sorted(severity_values)) or "none"
            faults.append(f'INCLUDE_IN_INCIDENT has the key "{str(key)[:40]}", which is no severity (known: {known}).')
            continue
        try:
            entries = _split_entries(value)
        except TypeError:
            faults.append(f'INCLUDE_IN_INCIDENT["{key}"] must be a comma-separated string or a list of IDs.')
            continue
        clean: list[str] = []
        for entry in entries:
            if not isinstance(entry, str):
                faults.append(f'INCLUDE_IN_INCIDENT["{key}"]: {entry!r} is not text; give IDs as strings.')
                continue
            normalised = normalise_entry(entry)
            if not (USER_ID.match(normalised) or GROUP_ID.match(normalised) or GROUP_HANDLE.match(normalised)):
                faults.append(
                    f'INCLUDE_IN_INCIDENT["{key}"]: "{entry[:40]}" is not a user ID (U…/W…), '
                    "a user-group ID (S…) or a user-group @handle."
                )
                continue
            if normalised not in clean:
                clean.append(normalised)
        include[key] = tuple(clean)
    return include


def _check_template(raw: Any, faults: list[str]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        faults.append('CHANNEL_NAME_TEMPLATE must be text such as "{severity}-{date}-{slug}".')
        return DEFAULT_TEMPLATE
    try:
        used = template_fields(raw)
    except ValueError as exc:
        faults.append(f'CHANNEL_NAME_TEMPLATE "{raw[:60]}" is malformed: {exc}.')
        return DEFAULT_TEMPLATE
    unknown = [name for name in used if name not in TEMPLATE_FIELDS]
    if unknown:
        faults.append(
            f"CHANNEL_NAME_TEMPLATE uses unknown fields {', '.join(sorted(set(unknown)))}; "
            f"known: {', '.join(sorted(TEMPLATE_FIELDS))}."
        )
    elif "slug" not in used and "number" not in used:
        faults.append("CHANNEL_NAME_TEMPLATE must contain {slug} or {number} so that incidents get distinct names.")
    elif len(raw) > 60 or slugify(raw.replace("{", "").replace("}", "")) == "":
        faults.append("CHANNEL_NAME_TEMPLATE must be at most 60 characters and leave room for the description.")
    return raw


def validate(config: Any, defaults: dict[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Check a configuration (a partial one is merged over `defaults`) and return Settings, or raise ConfigError.
    `environ` (the plugin passes the process environment): also check the secrets webhooks name."""
    defaults = DEFAULT_CONFIG if defaults is None else defaults
    if not isinstance(config, dict):
        raise ConfigError(
            [f"The configuration must be a dict like {{'SEVERITY_LEVELS': [...]}}, not {type(config).__name__}."]
        )
    faults: list[str] = []
    unknown = sorted(str(key) for key in config if key not in DEFAULT_CONFIG)
    if unknown:
        faults.append(f"Unknown keys: {', '.join(unknown)}. Known keys: {', '.join(DEFAULT_CONFIG)}.")
    merged = {**DEFAULT_CONFIG, **defaults, **{k: v for k, v in config.items() if k in DEFAULT_CONFIG}}
    severities = _check_severities(merged["SEVERITY_LEVELS"], faults)
    include = _check_include(merged["INCLUDE_IN_INCIDENT"], {s.value for s in severities}, faults)
    template = _check_template(merged["CHANNEL_NAME_TEMPLATE"], faults)
    limit = merged["LIST_LIMIT"]
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 200:
        faults.append("LIST_LIMIT must be a whole number from 1 to 200.")
        limit = DEFAULT_CONFIG["LIST_LIMIT"]
    summary_seconds = merged["SUMMARY_UPDATE_SECONDS"]
    if isinstance(summary_seconds, bool) or not isinstance(summary_seconds, int | float):
        summary_seconds = -1
    if not 0 <= summary_seconds <= MAX_SUMMARY_UPDATE_SECONDS:
        faults.append(f"SUMMARY_UPDATE_SECONDS must be a number of seconds from 0 to {MAX_SUMMARY_UPDATE_SECONDS}.")
        summary_seconds = DEFAULT_CONFIG["SUMMARY_UPDATE_SECONDS"]
    close_allowed = merged["CLOSE_ALLOWED"]
    if close_allowed not in CLOSE_POLICIES:
        faults.append(f"CLOSE_ALLOWED must be one of {', '.join(repr(p) for p in CLOSE_POLICIES)}.")
    response = _check_response(merged, {**DEFAULT_CONFIG, **defaults}, {s.value for s in severities}, faults)
    integrations = check_integrations(merged, [s.value for s in severities], faults, environ)
    response.update(problem_config.check(merged, faults))
    form_groups = check_form_groups(merged["FORM_GROUPS"], faults)
    response.update(digest.check(merged, faults))
    response.update(status_page.check(merged, faults))
    response.update(
        alert_config.check(
            merged,
            [s.value for s in severities],
            lambda key: merged[key] == {**DEFAULT_CONFIG, **defaults}[key],
            faults,
            normalise_entry,
            lambda entry: bool(USER_ID.match(entry) or GROUP_ID.match(entry) or GROUP_HANDLE.match(entry)),
        )
    )
    if faults:
        raise ConfigError(faults)
    return Settings(
        **response,
        severities=tuple(severities),
        include=include,
        channel_name_template=template,
        list_limit=limit,
        summary_update_seconds=float(summary_seconds),
        close_allowed=close_allowed,
        form_groups=form_groups,
        integrations=integrations,
    )


def _check_response(merged: dict, defaults: dict, severity_values: set[str], faults: list[str]) -> dict[str, Any]:
    """The workflow keys as Settings fields. A key left at its default may name severities no longer configured."""

    def lenient(key: str) -> bool:
        return merged[key] == defaults[key]

    return {
        "roles": response_config.check_names("ROLES", merged["ROLES"], faults, minimum=1, required="commander")
        or tuple(DEFAULT_ROLES),
        "statuses": response_config.check_names("STATUSES", merged["STATUSES"], faults, minimum=2)
        or tuple(DEFAULT_STATUSES),
        "announce_channels": response_config.check_announce_channels(
            merged["ANNOUNCE_CHANNELS"], severity_values, lenient("ANNOUNCE_CHANNELS"), faults
        ),
        "reminder_minutes": response_config.check_reminder_minutes(
            merged["REMINDER_MINUTES"], severity_values, lenient("REMINDER_MINUTES"), faults
        ),
        "postmortem_severities": response_config.check_postmortem_severities(
            merged["POSTMORTEM_SEVERITIES"], severity_values, lenient("POSTMORTEM_SEVERITIES"), faults
        ),
    }
