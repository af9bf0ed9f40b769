"""What REDALERT_WORKFLOWS_FILE describes (issue 22): incident types, custom fields and workflows, as loaded.

Plain frozen values; the loader (workflow_file.py) builds them only from a file that is valid in full.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta


class FieldKind(enum.StrEnum):
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    TEXT = "text"
    NUMBER = "number"
    USER = "user"
    URL = "url"


class Required(enum.StrEnum):
    OPEN = "open"
    CLOSE = "close"


class Trigger(enum.StrEnum):
    OPENED = "opened"
    STATUS_CHANGED = "status_changed"
    SEVERITY_CHANGED = "severity_changed"
    FIELD_CHANGED = "field_changed"
    TYPE_CHANGED = "type_changed"
    CLOSED = "closed"
    QUIET = "quiet"  # no update for `after`


@dataclass(frozen=True)
class Oncall:
    """PagerDuty escalation policies and schedules whose on-call person gets invited."""

    escalation_policies: tuple[str, ...] = ()
    schedules: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeOutside:
    """A type's own outside settings; None keeps the global one."""

    pagerduty_routing_key: str | None = None
    confluence_space: str | None = None
    trello_list: str | None = None
    jira_project: str | None = None


@dataclass(frozen=True)
class IncidentType:
    name: str
    description: str = ""
    severity: str | None = None  # the default severity of `!incident open <type>` without one
    private: bool = False
    invite_users: tuple[str, ...] = ()  # U…/W… ids
    invite_groups: tuple[str, ...] = ()  # S… user group ids
    oncall: Oncall | None = None
    channel_prefix: str | None = None  # None: the configured one
    outside: TypeOutside = field(default_factory=TypeOutside)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    options: tuple[str, ...] = ()  # select and multi_select
    required: Required | None = None
    types: tuple[str, ...] = ()  # empty: every type
    description: str = ""

    def applies_to(self, type_name: str | None) -> bool:
        return not self.types or type_name in self.types


@dataclass(frozen=True)
class Condition:
    """`key` is type, severity, status or field.<name>; it holds when the incident's value is one of `values`."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class InviteAction:
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    oncall: Oncall | None = None


@dataclass(frozen=True)
class PostAction:
    template: str


@dataclass(frozen=True)
class PageAction:
    """Page PagerDuty: the type's routing key (else the global one) unless the action names one."""

    routing_key: str | None = None
    summary: str | None = None  # a template; None: the incident's description


@dataclass(frozen=True)
class TaskAction:
    text: str  # a template
    owner_role: str | None = None
    due: timedelta | None = None


@dataclass(frozen=True)
class SetFieldAction:
    field: str
    value: str


@dataclass(frozen=True)
class AssignRoleAction:
    role: str
    user: str


@dataclass(frozen=True)
class RemindAction:
    role: str
    text: str  # a template


@dataclass(frozen=True)
class WebhookAction:
    name: str  # a webhook configured in WEBHOOKS


@dataclass(frozen=True)
class BookmarkAction:
    title: str  # a template
    link: str  # a template that reads as an http(s) URL


Action = (
    InviteAction
    | PostAction
    | PageAction
    | TaskAction
    | SetFieldAction
    | AssignRoleAction
    | RemindAction
    | WebhookAction
    | BookmarkAction
)


@dataclass(frozen=True)
class Workflow:
    name: str
    when: Trigger
    conditions: tuple[Condition, ...] = ()
    after: timedelta | None = None  # a delay; for `quiet`, how long without an update
    actions: tuple[Action, ...] = ()
    on_fields: tuple[str, ...] = ()  # `field:` of a field_changed workflow: the fields whose change fires it; (): any

    def follows(self, changed_field: str | None) -> bool:
        """Whether a change of `changed_field` (None: not a field's change) is one this workflow follows."""
        return not self.on_fields or changed_field in self.on_fields


@dataclass(frozen=True)
class WorkflowsFile:
    """A loaded file: its parts and the SHA-256 of its text (the version every replica runs)."""

    digest: str
    types: tuple[IncidentType, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    workflows: tuple[Workflow, ...] = ()

    def type_named(self, name: str) -> IncidentType | None:
        return next((kind for kind in self.types if kind.name == name), None)

    def default_type(self) -> IncidentType | None:
        return self.types[0] if self.types else None

    def field_named(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)

    def fields_of(self, type_name: str | None) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.applies_to(type_name))


EMPTY = WorkflowsFile(digest="")
