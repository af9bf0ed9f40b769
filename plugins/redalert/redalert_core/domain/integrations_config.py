"""The outside systems' part of RedAlert's configuration: PagerDuty, Trello, Confluence, webhooks, the outbox.

Secrets never sit in the configuration: webhook secrets are `env:NAME`; a PagerDuty routing key may be given as
`env:NAME` too (or literally, as PagerDuty shows it). Each check appends one clear message per fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from . import jira_config, webhook_rules
from .outbox import DEFAULT_GIVE_UP
from .private_urls import refusal
from .redaction import MASK

PAGERDUTY_LEVELS = ("critical", "error", "warning", "info")
WEBHOOK_EVENTS = (
    "incident.opened",
    "incident.updated",
    "incident.closed",
    "task.created",
    "task.done",
    "problem.updated",
    "status.published",
)
ENV_REFERENCE = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]{0,99})\Z")
ROUTING_KEY = re.compile(r"^[A-Za-z0-9]{32}\Z")
TRELLO_ID = re.compile(r"^[0-9a-f]{24}\Z")
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}\Z")
SPACE_KEY = re.compile(r"^~?[A-Za-z0-9_]{1,255}\Z")
PAGE_ID = re.compile(r"^[0-9]{1,20}\Z")
URL = re.compile(r"^https?://[^\s/?#]+[^\s]*\Z")
MAX_GIVE_UP_HOURS = 30 * 24
REQUIRED_HOOK_KEYS = frozenset({"url", "events", "secret"})

INTEGRATION_DEFAULTS: dict[str, Any] = {
    "PAGERDUTY_ROUTING_KEYS": {},
    "PAGERDUTY_SEVERITIES": {},
    "TRELLO_LIST_ID": "",
    "TRELLO_DONE_LIST_ID": "",
    "TRELLO_MEMBERS": {},
    "CONFLUENCE_SPACE_KEY": "",
    "CONFLUENCE_PARENT_PAGE_ID": "",
    "WEBHOOKS": [],
    "OUTBOX_GIVE_UP_HOURS": 24,
    # Webhook URLs on loopback, link-local or private addresses are refused unless this is True (tests, on-premise).
    "ALLOW_PRIVATE_URLS": False,
    "WEBHOOK_TIMEOUT_SECONDS": webhook_rules.DEFAULT_TIMEOUT_SECONDS,
    **jira_config.DEFAULTS,
}


@dataclass(frozen=True)
class Webhook:
    url: str
    events: tuple[str, ...]
    secret: str  # "env:NAME"
    name: str = ""  # what admins call it (`!incident webhook enable <name>`); host[:port] unless configured


@dataclass(frozen=True)
class IntegrationSettings:
    pagerduty_routing_keys: dict[str, str] = field(default_factory=dict)  # severity -> key or "env:NAME"
    pagerduty_severities: dict[str, str] = field(default_factory=dict)  # severity -> critical|error|warning|info
    trello_list_id: str = ""
    trello_done_list_id: str = ""
    trello_members: dict[str, str] = field(default_factory=dict)  # Slack user id -> Trello member id
    confluence_space_key: str = ""
    confluence_parent_page_id: str = ""
    webhooks: tuple[Webhook, ...] = ()
    outbox_give_up: timedelta = DEFAULT_GIVE_UP
    allow_private_urls: bool = False
    webhook_timeout: float = webhook_rules.DEFAULT_TIMEOUT_SECONDS
    jira: jira_config.JiraSettings = field(default_factory=jira_config.JiraSettings)

    def routing_key(self, severity: str) -> str | None:
        return self.pagerduty_routing_keys.get(severity) or None

    def pagerduty_severity(self, severity: str) -> str:
        return self.pagerduty_severities.get(severity, "warning")

    def webhooks_for(self, event_type: str) -> list[Webhook]:
        return [hook for hook in self.webhooks if event_type in hook.events]

    def webhook_named(self, name: str) -> Webhook | None:
        return next((hook for hook in self.webhooks if hook.name == name), None)

    @property
    def confluence(self) -> bool:
        return bool(self.confluence_space_key)

    @property
    def trello(self) -> bool:
        return bool(self.trello_list_id)

    @property
    def anything(self) -> bool:
        return bool(self.pagerduty_routing_keys or self.webhooks or self.confluence or self.trello or self.jira.enabled)


def default_pagerduty_severities(severities: list[str]) -> dict[str, str]:
    """The first configured severity is critical, the second error, the rest warning."""
    levels = ["critical", "error"]
    return {value: levels[i] if i < len(levels) else "warning" for i, value in enumerate(severities)}


def _severity_map(key: str, raw: Any, severities: list[str], faults: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        faults.append(f'{key} must be a dict from severity to a value, like {{"sev1": …}}.')
        return {}
    known = ", ".join(severities)
    clean = {}
    for severity, value in raw.items():
        if severity not in severities:
            faults.append(f'{key} has the key "{str(severity)[:40]}", which is no severity (known: {known}).')
        elif not isinstance(value, str):
            faults.append(f'{key}["{severity}"] must be text.')
        else:
            clean[severity] = value.strip()
    return clean


def _optional_id(key: str, raw: Any, pattern: re.Pattern, what: str, faults: list[str]) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or not pattern.match(raw.strip()):
        faults.append(f"{key} must be {what} (or empty to turn it off).")
        return ""
    return raw.strip()


def _check_secret(index: int, spec: str, environ: Mapping[str, str] | None, faults: list[str]) -> bool:
    """With the environment at hand, the variable `spec` names must hold a Standard Webhooks secret."""
    if environ is None:
        return True
    variable = spec.removeprefix("env:")
    value = environ.get(variable, "").strip()
    problem = "it is not set" if not value else webhook_rules.secret_problem(value)
    if problem is not None:
        faults.append(
            f"WEBHOOKS item {index}: the secret in {variable} is refused: {problem}. A Standard Webhooks secret is "
            f"whsec_ + base64 of 24 to 64 random bytes; make one with: {webhook_rules.GENERATE}"
        )
    return problem is None


def _check_name(index: int, raw: Any, url: str, taken: set[str], faults: list[str]) -> str | None:
    if raw is None:
        return webhook_rules.default_name(url, taken)
    if not isinstance(raw, str) or not webhook_rules.NAME.match(raw):
        faults.append(f"WEBHOOKS item {index}: the name must be 1-60 letters, digits, '.', '_', ':' or '-'.")
        return None
    if raw in taken:
        faults.append(f'WEBHOOKS item {index}: the name "{raw}" is taken by another webhook; names must differ.')
        return None
    return raw


def _check_webhooks(
    raw: Any, faults: list[str], allow_private: bool, environ: Mapping[str, str] | None = None
) -> tuple[Webhook, ...]:
    example = '[{"url": "https://example.com/hook", "events": ["incident.opened"], "secret": "env:HOOK_SECRET"}]'
    if not isinstance(raw, (list, tuple)):
        faults.append(f"WEBHOOKS must be a list like {example}.")
        return ()
    hooks: list[Webhook] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not REQUIRED_HOOK_KEYS <= set(item) <= {*REQUIRED_HOOK_KEYS, "name"}:
            faults.append(f'WEBHOOKS item {index} must be a dict with "url", "events", "secret" and optionally "name".')
            continue
        url, events, secret = item["url"], item["events"], item["secret"]
        if not isinstance(url, str) or not URL.match(url.strip()):
            faults.append(f"WEBHOOKS item {index}: the url must start with https:// or http://.")
            continue
        if MASK in url:
            faults.append(f"WEBHOOKS item {index}: the url is shown masked by `!plugin config`; give the real url.")
            continue
        private = None if allow_private else refusal(f"WEBHOOKS item {index}: the url", url)
        if private:
            faults.append(private)
            continue
        if not isinstance(events, (list, tuple)) or not events or not all(isinstance(e, str) for e in events):
            faults.append(f"WEBHOOKS item {index}: events must be a non-empty list of: {', '.join(WEBHOOK_EVENTS)}.")
            continue
        unknown = [e for e in events if e not in WEBHOOK_EVENTS]
        if unknown:
            faults.append(
                f"WEBHOOKS item {index}: unknown events {', '.join(u[:40] for u in unknown)}; "
                f"known: {', '.join(WEBHOOK_EVENTS)}."
            )
            continue
        if not isinstance(secret, str) or not ENV_REFERENCE.match(secret.strip()):
            faults.append(
                f'WEBHOOKS item {index}: the secret must be "env:NAME", naming an environment variable that holds it '
                "(secrets are never stored in the configuration)."
            )
            continue
        if not _check_secret(index, secret.strip(), environ, faults):
            continue
        name = _check_name(index, item.get("name"), url.strip(), {hook.name for hook in hooks}, faults)
        if name is None:
            continue
        hooks.append(Webhook(url.strip(), tuple(dict.fromkeys(events)), secret.strip(), name))
    return tuple(hooks)


def check_integrations(
    merged: dict[str, Any], severities: list[str], faults: list[str], environ: Mapping[str, str] | None = None
) -> IntegrationSettings:
    """The integration keys of a merged configuration as IntegrationSettings (faults appended for bad ones).
    `environ`: the process environment, when webhook secrets are to be checked (the plugin passes it)."""
    keys = _severity_map("PAGERDUTY_ROUTING_KEYS", merged["PAGERDUTY_ROUTING_KEYS"], severities, faults)
    for severity, key in list(keys.items()):
        if not key:
            del keys[severity]
        elif not (ENV_REFERENCE.match(key) or ROUTING_KEY.match(key)):
            faults.append(f'PAGERDUTY_ROUTING_KEYS["{severity}"] must be a 32-character integration key or "env:NAME".')
            del keys[severity]
    levels = default_pagerduty_severities(severities)
    chosen = _severity_map("PAGERDUTY_SEVERITIES", merged["PAGERDUTY_SEVERITIES"], severities, faults)
    for severity, level in chosen.items():
        if level not in PAGERDUTY_LEVELS:
            faults.append(f'PAGERDUTY_SEVERITIES["{severity}"] must be one of {", ".join(PAGERDUTY_LEVELS)}.')
        else:
            levels[severity] = level
    members_raw = merged["TRELLO_MEMBERS"]
    members: dict[str, str] = {}
    if not isinstance(members_raw, dict):
        faults.append('TRELLO_MEMBERS must be a dict from Slack user id to Trello member id, like {"U012AB": "5f…"}.')
    else:
        for user, member in members_raw.items():
            if not isinstance(user, str) or not SLACK_USER.match(user):
                faults.append(f'TRELLO_MEMBERS: "{str(user)[:40]}" is not a Slack user id (U…/W…).')
            elif not isinstance(member, str) or not TRELLO_ID.match(member):
                faults.append(f'TRELLO_MEMBERS["{user}"] must be a 24-character Trello member id.')
            else:
                members[user] = member
    trello_id = "a 24-character Trello list id"
    give_up = merged["OUTBOX_GIVE_UP_HOURS"]
    if isinstance(give_up, bool) or not isinstance(give_up, (int, float)) or not 0 < give_up <= MAX_GIVE_UP_HOURS:
        faults.append(f"OUTBOX_GIVE_UP_HOURS must be a number of hours above 0 and at most {MAX_GIVE_UP_HOURS}.")
        give_up = 24
    allow_private = merged["ALLOW_PRIVATE_URLS"]
    if not isinstance(allow_private, bool):
        faults.append("ALLOW_PRIVATE_URLS must be True or False.")
        allow_private = False
    timeout = merged["WEBHOOK_TIMEOUT_SECONDS"]
    if (problem := webhook_rules.timeout_problem(timeout)) is not None:
        faults.append(problem)
        timeout = webhook_rules.DEFAULT_TIMEOUT_SECONDS
    settings = IntegrationSettings(
        pagerduty_routing_keys=keys,
        pagerduty_severities=levels,
        trello_list_id=_optional_id("TRELLO_LIST_ID", merged["TRELLO_LIST_ID"], TRELLO_ID, trello_id, faults),
        trello_done_list_id=_optional_id(
            "TRELLO_DONE_LIST_ID", merged["TRELLO_DONE_LIST_ID"], TRELLO_ID, trello_id, faults
        ),
        trello_members=members,
        confluence_space_key=_optional_id(
            "CONFLUENCE_SPACE_KEY", merged["CONFLUENCE_SPACE_KEY"], SPACE_KEY, "a Confluence space key", faults
        ),
        confluence_parent_page_id=_optional_id(
            "CONFLUENCE_PARENT_PAGE_ID", merged["CONFLUENCE_PARENT_PAGE_ID"], PAGE_ID, "a numeric page id", faults
        ),
        webhooks=_check_webhooks(merged["WEBHOOKS"], faults, allow_private, environ),
        outbox_give_up=timedelta(hours=give_up),
        allow_private_urls=allow_private,
        webhook_timeout=float(timeout),
        jira=jira_config.check_jira(merged, severities, faults),
    )
    if settings.trello_done_list_id and not settings.trello_list_id:
        faults.append("TRELLO_DONE_LIST_ID needs TRELLO_LIST_ID (where new cards go).")
    return settings
