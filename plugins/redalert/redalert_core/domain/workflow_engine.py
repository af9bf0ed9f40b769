"""Which workflows a change fires, and what their actions would say (issue 22). Pure: no I/O.

The engine (services/workflows.py) turns an event into a `Trigger`, builds the incident's `Facts` and asks
`fired` which workflows apply; templates are filled by `render`, where every value is user text made inert (no
pings, no links), except a `url` field's value that reads as an http(s) URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from .text import WORD_JOINER, escape
from .workflow_model import (
    Action,
    AssignRoleAction,
    BookmarkAction,
    Condition,
    FieldKind,
    InviteAction,
    PageAction,
    PostAction,
    RemindAction,
    SetFieldAction,
    TaskAction,
    Trigger,
    WebhookAction,
    Workflow,
    WorkflowsFile,
)

# Event kinds (domain/incident.py EventKind values, and the custom fields' own) → the trigger they are.
TRIGGER_OF_KIND: dict[str, Trigger] = {
    "opened": Trigger.OPENED,
    "status_changed": Trigger.STATUS_CHANGED,
    "severity_changed": Trigger.SEVERITY_CHANGED,
    "field_changed": Trigger.FIELD_CHANGED,
    "field_set": Trigger.FIELD_CHANGED,
    "type_changed": Trigger.TYPE_CHANGED,
    "closed": Trigger.CLOSED,
}
PLACEHOLDER = re.compile(r"\{(field\.[a-z][a-z0-9_-]*|[a-z]+)\}")
SAFE_URL = re.compile(r"^https?://[^\s<>|]+\Z", re.IGNORECASE)
_AUTOLINK = re.compile(r"(://|\bwww\.|\.(?=[a-z]{2,}\b))", re.IGNORECASE)


@dataclass(frozen=True)
class Facts:
    """What conditions and templates read about one incident now."""

    number: int
    severity: str
    status: str
    description: str
    channel: str = ""  # the channel's name
    type: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    url_fields: frozenset[str] = frozenset()
    closed: bool = False

    def value(self, key: str) -> str:
        if key.startswith("field."):
            return self.fields.get(key[6:], "")
        return str(getattr(self, key, "") or "")


def holds(condition: Condition, facts: Facts) -> bool:
    value = facts.value(condition.key)
    if condition.key.startswith("field.") and "," in value:  # a multi_select: any chosen option matches
        return any(part.strip() in condition.values for part in value.split(","))
    return value in condition.values


def applies(workflow: Workflow, facts: Facts) -> bool:
    return all(holds(condition, facts) for condition in workflow.conditions)


def fired(workflows: Iterable[Workflow], trigger: Trigger, facts: Facts) -> list[Workflow]:
    """The workflows this trigger fires for the incident as it is now, in the file's order."""
    return [wf for wf in workflows if wf.when is trigger and applies(wf, facts)]


def still_holds(workflow: Workflow, facts: Facts) -> bool:
    """Whether a delayed action of `workflow` may still run: its conditions hold and, unless it was asked for by the
    close itself, the incident is still open."""
    return applies(workflow, facts) and (workflow.when is Trigger.CLOSED or not facts.closed)


def inert(value: str) -> str:
    """User text in a message: no markup, no mentions, and no link Slack would make of a URL or a domain."""
    return _AUTOLINK.sub(lambda m: m.group(1)[0] + WORD_JOINER + m.group(1)[1:], escape(value))


def render(template: str, facts: Facts, *, plain: bool = False) -> str:
    """Fill a template; values are inert (`plain`: raw, for a field's value or a title Slack shows as plain text)."""

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        value = facts.value(key)
        if plain:
            return value
        if key.startswith("field.") and key[6:] in facts.url_fields and SAFE_URL.match(value):
            return f"<{value}>"
        return inert(value)

    return PLACEHOLDER.sub(one, template)


def url_fields(spec_file: WorkflowsFile) -> frozenset[str]:
    return frozenset(spec.name for spec in spec_file.fields if spec.kind is FieldKind.URL)


def describe(action: Action, facts: Facts) -> str:
    """What the action would do, in one line (`!incident workflows test`)."""
    if isinstance(action, InviteAction):
        who = [f"<@{u}>" for u in action.users] + [f"<!subteam^{g}>" for g in action.groups]
        if action.oncall:
            ids = (*action.oncall.escalation_policies, *action.oncall.schedules)
            who.append("the on-call of " + ", ".join(ids))
        return "invite " + ", ".join(who).replace("<", "`<").replace(">", ">`")
    if isinstance(action, PostAction):
        return f"post: {render(action.template, facts)}"
    if isinstance(action, PageAction):
        return "page PagerDuty" + (f": {render(action.summary, facts)}" if action.summary else "")
    if isinstance(action, TaskAction):
        owner = f" for the {action.owner_role}" if action.owner_role else ""
        due = f", due in {_duration(action.due)}" if action.due else ""
        return f"add the task “{render(action.text, facts)}”{owner}{due}"
    if isinstance(action, SetFieldAction):
        return f"set {action.field} to {inert(render(action.value, facts, plain=True))}"
    if isinstance(action, AssignRoleAction):
        return f"make `<@{action.user}>` the {action.role}"
    if isinstance(action, RemindAction):
        return f"remind the {action.role}: {render(action.text, facts)}"
    if isinstance(action, WebhookAction):
        return f"send the webhook {action.name}"
    if isinstance(action, BookmarkAction):
        return f"bookmark {inert(render(action.title, facts, plain=True))}: {render(action.link, facts, plain=True)}"
    return type(action).__name__


def when_text(workflow: Workflow) -> str:
    """Its trigger as the file says it: `field_changed of team after 5m`."""
    fields = f" of {', '.join(workflow.on_fields)}" if workflow.on_fields else ""
    return f"{workflow.when.value}{fields}" + (f" after {_duration(workflow.after)}" if workflow.after else "")


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
