"""The `workflows:` section of REDALERT_WORKFLOWS_FILE: `{name, when, if, after, do}` and the typed actions of `do`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import yaml

from . import workflow_values as values
from .workflow_model import (
    Action,
    AssignRoleAction,
    BookmarkAction,
    Condition,
    FieldKind,
    FieldSpec,
    InviteAction,
    PageAction,
    PostAction,
    RemindAction,
    SetFieldAction,
    TaskAction,
    Trigger,
    WebhookAction,
    Workflow,
)
from .workflow_values import Known
from .yaml_nodes import Faults, mapping, scalar, sequence, unknown_keys

WORKFLOW_REQUIRED, WORKFLOW_OPTIONAL = ("name", "when", "do"), ("if", "after", "field")
CONDITION_KEYS = ("type", "severity", "status")
WEBHOOK_NAME = re.compile(r"^[A-Za-z0-9._:-]{1,60}\Z")
ROUTING_KEY = re.compile(r"^(?:[A-Za-z0-9]{32}|env:[A-Za-z_][A-Za-z0-9_]{0,99})\Z")
URL_TEMPLATE = re.compile(r"^(?:https?://|\{field\.[a-z][a-z0-9_-]*\})", re.IGNORECASE)


class _Context:
    """What an action may name: the file's types and fields, and the configuration's names."""

    def __init__(
        self, types: frozenset[str], fields: Mapping[str, FieldSpec | None], known: Known, faults: Faults
    ) -> None:
        self.types, self.fields, self.known, self.faults = types, fields, known, faults
        self.field_names = frozenset(fields)

    def template(self, node: yaml.Node, what: str) -> str | None:
        return values.template(node, what, self.field_names, self.faults)

    def role(self, node: yaml.Node, what: str) -> str | None:
        role = values.name(node, what, self.faults)
        return values.known_or_fault(role, self.known.roles, node, what, self.faults)

    def keys(
        self, node: yaml.Node, what: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, yaml.Node] | None:
        entries = mapping(node, what, self.faults)
        if entries is None:
            return None
        unknown_keys(entries, required + optional, what, self.faults)
        missing = [key for key in required if key not in entries]
        if missing:
            self.faults.add(node, f"{what} needs {', '.join(missing)}.")
            return None
        return {key: value for key, (_, value) in entries.items()}


def parse_workflow(
    node: yaml.Node,
    what: str,
    types: frozenset[str],
    fields: Mapping[str, FieldSpec | None],
    known: Known,
    faults: Faults,
) -> Workflow | None:
    context = _Context(types, fields, known, faults)
    got = context.keys(node, what, WORKFLOW_REQUIRED, WORKFLOW_OPTIONAL)
    if got is None:
        return None
    before = len(faults.items)
    name = values.name(got["name"], f"{what}: name", faults)
    what = f'workflow "{name}"' if name else what
    when = values.choice(got["when"], f"{what}: when", tuple(Trigger), faults)
    conditions = _conditions(got["if"], f"{what}: if", context) if "if" in got else ()
    after = values.duration(got["after"], f"{what}: after", faults) if "after" in got else None
    if when == Trigger.QUIET and "after" not in got:
        faults.add(got["when"], f"{what}: when: quiet needs after: (how long without an update, like 30m).")
    on_fields = _on_fields(got["field"], f"{what}: field", when, context) if "field" in got else ()
    actions = []
    items = sequence(got["do"], f"{what}: do", faults) or []
    if not items and isinstance(got["do"], yaml.SequenceNode):
        faults.add(got["do"], f"{what}: do lists no action.")
    for index, item in enumerate(items, start=1):
        action = _action(item, f"{what}: do item {index}", context)
        if action is not None:
            actions.append(action)
    if len(faults.items) > before or name is None or when is None:
        return None
    return Workflow(
        name=name, when=Trigger(when), conditions=conditions, after=after, actions=tuple(actions), on_fields=on_fields
    )


def _on_fields(node: yaml.Node, what: str, when: str | None, context: _Context) -> tuple[str, ...]:
    """`field:` (a field name or a list of them): the fields whose change fires a field_changed workflow."""
    if when is not None and when != Trigger.FIELD_CHANGED:
        context.faults.add(node, f"{what} is only for when: field_changed (it names the fields whose change fires).")
        return ()
    names: list[str] = []
    listed = values.items(node, what, context.faults)
    for item in listed:
        name = values.text(item, what, context.faults)
        if name is not None and name not in context.fields:
            known = ", ".join(sorted(context.fields)) or "none"
            context.faults.add(item, f'{what}: "{name}" is not a field of this file (fields: {known}).')
        elif name is not None and name in names:
            context.faults.add(item, f'{what}: "{name}" is listed twice.')
        elif name is not None:
            names.append(name)
    if not listed:
        context.faults.add(node, f"{what} names no field.")
    return tuple(names)


def _conditions(node: yaml.Node, what: str, context: _Context) -> tuple[Condition, ...]:
    entries = mapping(node, what, context.faults) or {}
    found = []
    for key, (key_node, value_node) in entries.items():
        allowed: frozenset[str] | None
        if key.startswith("field."):
            if key[6:] not in context.fields:
                context.faults.add(key_node, f'{what}: "{key}" names no field of this file.')
                continue
            spec = context.fields[key[6:]]  # None: a field with faults of its own
            choosing = spec is not None and spec.kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT)
            allowed = frozenset(spec.options) if spec is not None and choosing else None
        elif key in CONDITION_KEYS:
            allowed = {"type": context.types, "severity": context.known.severities, "status": context.known.statuses}[
                key
            ]
        else:
            context.faults.add(key_node, f'{what}: unknown key "{key}" (known: type, severity, status, field.<name>).')
            continue
        matches = []
        listed = values.items(value_node, f"{what}: {key}", context.faults)
        for item in listed:
            value = values.text(item, f"{what}: {key}", context.faults)
            if values.known_or_fault(value, allowed, item, f"{what}: {key}", context.faults) is not None:
                matches.append(str(value))
        if not listed:
            context.faults.add(value_node, f"{what}: {key} names no value.")
        found.append(Condition(key=key, values=tuple(matches)))
    return tuple(found)


def _action(node: yaml.Node, what: str, context: _Context) -> Action | None:
    entries = mapping(node, what, context.faults)
    if entries is None:
        return None
    if len(entries) != 1:
        context.faults.add(node, f'{what} must be one action, a mapping of one key like `- post: "…"`.')
        return None
    [(key, (key_node, value))] = entries.items()
    parse = ACTIONS.get(key)
    if parse is None:
        context.faults.add(key_node, f'{what}: unknown action "{key}" (known: {", ".join(ACTIONS)}).')
        return None
    return parse(value, f"{what} ({key})", context)


def _invite(node: yaml.Node, what: str, context: _Context) -> Action | None:
    faults = context.faults
    if isinstance(node, yaml.MappingNode):
        got = context.keys(node, what, (), ("users", "groups", "oncall"))
        if got is None:
            return None
        action = InviteAction(
            users=values.ids(got["users"], f"{what}: users", values.SLACK_USER, "a Slack user id (U…)", faults)
            if "users" in got
            else (),
            groups=values.ids(got["groups"], f"{what}: groups", values.SLACK_GROUP, "a user group id (S…)", faults)
            if "groups" in got
            else (),
            oncall=values.oncall_of(got["oncall"], f"{what}: oncall", faults) if "oncall" in got else None,
        )
    else:
        users, groups = values.people(node, what, faults)
        action = InviteAction(users=users, groups=groups)
    if not (action.users or action.groups or action.oncall):
        faults.add(node, f"{what} names nobody to invite.")
        return None
    return action


def _post(node: yaml.Node, what: str, context: _Context) -> Action | None:
    template = context.template(node, what)
    return PostAction(template) if template is not None else None


def _page(node: yaml.Node, what: str, context: _Context) -> Action | None:
    if isinstance(node, yaml.ScalarNode) and scalar(node) in (None, True):
        return PageAction()
    got = context.keys(node, what, (), ("routing_key", "summary"))
    if got is None:
        return None
    shape = "a 32-character routing key or env:NAME"
    key = (
        values.matching(got["routing_key"], f"{what}: routing_key", ROUTING_KEY, shape, context.faults)
        if "routing_key" in got
        else None
    )
    summary = context.template(got["summary"], f"{what}: summary") if "summary" in got else None
    return PageAction(routing_key=key, summary=summary)


def _task(node: yaml.Node, what: str, context: _Context) -> Action | None:
    if isinstance(node, yaml.ScalarNode):
        text = context.template(node, what)
        return TaskAction(text) if text is not None else None
    got = context.keys(node, what, ("text",), ("owner", "due"))
    if got is None:
        return None
    text = context.template(got["text"], f"{what}: text")
    owner = context.role(got["owner"], f"{what}: owner") if "owner" in got else None
    due = values.duration(got["due"], f"{what}: due", context.faults) if "due" in got else None
    return TaskAction(text, owner_role=owner, due=due) if text is not None else None


def _set_field(node: yaml.Node, what: str, context: _Context) -> Action | None:
    got = context.keys(node, what, ("field", "value"))
    if got is None:
        return None
    field = values.text(got["field"], f"{what}: field", context.faults)
    value = values.text(got["value"], f"{what}: value", context.faults)
    spec = context.fields.get(field or "")
    if field is not None and field not in context.fields:
        context.faults.add(got["field"], f'{what}: "{field}" is not a field of this file.')
        return None
    if spec is not None and spec.kind == FieldKind.SELECT and value is not None and value not in spec.options:
        context.faults.add(
            got["value"], f'{what}: "{value}" is not an option of {spec.name} ({", ".join(spec.options)}).'
        )
        return None
    return SetFieldAction(field=field, value=value) if field is not None and value is not None else None


def _assign_role(node: yaml.Node, what: str, context: _Context) -> Action | None:
    got = context.keys(node, what, ("role", "user"))
    if got is None:
        return None
    role = context.role(got["role"], f"{what}: role")
    user = values.matching(got["user"], f"{what}: user", values.SLACK_USER, "a Slack user id (U…)", context.faults)
    return AssignRoleAction(role=role, user=user) if role and user else None


def _remind(node: yaml.Node, what: str, context: _Context) -> Action | None:
    got = context.keys(node, what, ("role", "text"))
    if got is None:
        return None
    role = context.role(got["role"], f"{what}: role")
    text = context.template(got["text"], f"{what}: text")
    return RemindAction(role=role, text=text) if role and text else None


def _webhook(node: yaml.Node, what: str, context: _Context) -> Action | None:
    shape = "the name of a webhook in WEBHOOKS"
    name = values.matching(node, what, WEBHOOK_NAME, shape, context.faults)
    name = values.known_or_fault(name, context.known.webhooks, node, f"{what}: the webhook", context.faults)
    return WebhookAction(name) if name else None


def _bookmark(node: yaml.Node, what: str, context: _Context) -> Action | None:
    got = context.keys(node, what, ("title", "link"))
    if got is None:
        return None
    title = context.template(got["title"], f"{what}: title")
    link = context.template(got["link"], f"{what}: link")
    if link is not None and not URL_TEMPLATE.match(link):
        context.faults.add(got["link"], f"{what}: link must start with http:// or https:// (or be a url field).")
        return None
    return BookmarkAction(title=title, link=link) if title and link else None


ACTIONS: dict[str, Callable[[yaml.Node, str, _Context], Action | None]] = {
    "invite": _invite,
    "post": _post,
    "page": _page,
    "task": _task,
    "set_field": _set_field,
    "assign_role": _assign_role,
    "remind": _remind,
    "webhook": _webhook,
    "bookmark": _bookmark,
}
