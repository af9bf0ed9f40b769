"""The loader of REDALERT_WORKFLOWS_FILE: YAML text in, a WorkflowsFile out, or every fault with its position.

`parse_workflows(text, known)` validates the whole file before building anything, so a caller either gets a
complete file or a WorkflowsFileError listing each fault (1-based line and column) and keeps what it had.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import yaml

from . import workflow_values as values
from .workflow_actions import parse_workflow
from .workflow_model import FieldKind, FieldSpec, IncidentType, Required, TypeOutside, WorkflowsFile
from .workflow_values import Known
from .yaml_nodes import Fault, Faults, compose, mapping, scalar, sequence, unknown_keys

TOP_KEYS = ("types", "fields", "workflows")
TYPE_KEYS = (
    "name",
    "description",
    "severity",
    "private",
    "invite",
    "oncall",
    "channel_prefix",
    "pagerduty_routing_key",
    "confluence_space",
    "trello_list",
    "jira_project",
)
FIELD_KEYS = ("name", "kind", "options", "required", "types", "description")
CHANNEL_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}\Z")
ROUTING_KEY = re.compile(r"^(?:[A-Za-z0-9]{32}|env:[A-Za-z_][A-Za-z0-9_]{0,99})\Z")
SPACE_KEY = re.compile(r"^~?[A-Za-z0-9_]{1,255}\Z")
TRELLO_ID = re.compile(r"^[0-9a-f]{24}\Z")
JIRA_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{1,9}\Z")
# Words `!incident open` reads itself: a type may not be named like them.
RESERVED_TYPE_NAMES = frozenset({"private", "public"})


T = TypeVar("T")


class Named(Protocol):
    @property
    def name(self) -> str: ...


class WorkflowsFileError(ValueError):
    def __init__(self, faults: list[Fault]) -> None:
        self.faults = faults
        super().__init__("\n".join(str(fault) for fault in faults))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_workflows(text: str, known: Known | None = None) -> WorkflowsFile:
    """The file `text` holds, validated in full; raises WorkflowsFileError with every fault."""
    known = known or Known()
    faults = Faults()
    root = compose(text, faults)
    parts: dict[str, yaml.Node] = {}
    if root is not None and not (isinstance(root, yaml.ScalarNode) and scalar(root) is None):
        entries = mapping(root, "The file", faults) or {}
        unknown_keys(entries, TOP_KEYS, "The file", faults)
        parts = {key: value for key, (_, value) in entries.items() if key in TOP_KEYS}
    types = _list(parts.get("types"), "types", lambda node, what: _type(node, what, known, faults), faults)
    _unique(types, "types", faults)
    # Names as written, faulty items included: a fault in a type is reported once, not again where it is named.
    type_names = frozenset(kind.name for kind, _ in types) | _declared(parts.get("types"))
    fields = _list(parts.get("fields"), "fields", lambda node, what: _field(node, what, type_names, faults), faults)
    _unique(fields, "fields", faults)
    field_specs: dict[str, FieldSpec | None] = dict.fromkeys(_declared(parts.get("fields")))
    field_specs.update({spec.name: spec for spec, _ in fields})
    workflows = _list(
        parts.get("workflows"),
        "workflows",
        lambda node, what: parse_workflow(node, what, type_names, field_specs, known, faults),
        faults,
    )
    _unique(workflows, "workflows", faults)
    if faults.items:
        raise WorkflowsFileError(faults.sorted())
    return WorkflowsFile(
        digest=digest(text),
        types=tuple(kind for kind, _ in types),
        fields=tuple(spec for spec, _ in fields),
        workflows=tuple(flow for flow, _ in workflows),
    )


def _list(
    node: yaml.Node | None, what: str, parse_item: Callable[[yaml.Node, str], T | None], faults: Faults
) -> list[tuple[T, yaml.Node]]:
    """[(item, its node)] for the items that parsed; a missing or empty section is an empty list."""
    if node is None or (isinstance(node, yaml.ScalarNode) and scalar(node) is None):
        return []
    parsed: list[tuple[T, yaml.Node]] = []
    for index, item in enumerate(sequence(node, what, faults) or [], start=1):
        result = parse_item(item, f"{what} item {index}")
        if result is not None:
            parsed.append((result, item))
    return parsed


def _declared(node: yaml.Node | None) -> frozenset[str]:
    """The `name:` of every item of a section, valid or not."""
    if not isinstance(node, yaml.SequenceNode):
        return frozenset()
    names = set()
    for item in node.value:
        for key, value in item.value if isinstance(item, yaml.MappingNode) else []:
            if scalar(key) == "name" and isinstance(scalar(value), str):
                names.add(scalar(value))
    return frozenset(names)


def _unique(parsed: Sequence[tuple[Named, yaml.Node]], what: str, faults: Faults) -> None:
    seen: set[str] = set()
    for item, node in parsed:
        if item.name in seen:
            faults.add(node, f'{what}: the name "{item.name}" is used twice.')
        seen.add(item.name)


def _type(node: yaml.Node, what: str, known: Known, faults: Faults) -> IncidentType | None:
    entries = mapping(node, what, faults)
    if entries is None:
        return None
    unknown_keys(entries, TYPE_KEYS, what, faults)
    if "name" not in entries:
        faults.add(node, f"{what} has no name.")
        return None
    before = len(faults.items)
    name = values.name(entries["name"][1], f"{what}: name", faults)
    if name is not None:
        what = f'type "{name}"'
        reserved = RESERVED_TYPE_NAMES | (known.severities or frozenset())
        if name in reserved:
            faults.add(entries["name"][1], f"{what}: the name is a word `!incident open` reads itself; pick another.")
    got = {key: value for key, (_, value) in entries.items()}
    description = values.text(got["description"], f"{what}: description", faults) if "description" in got else ""
    severity = None
    if "severity" in got:
        severity = values.name(got["severity"], f"{what}: severity", faults)
        severity = values.known_or_fault(severity, known.severities, got["severity"], f"{what}: severity", faults)
    private = values.flag(got["private"], f"{what}: private", faults) if "private" in got else False
    users, groups = values.people(got["invite"], f"{what}: invite", faults) if "invite" in got else ((), ())
    oncall = values.oncall_of(got["oncall"], f"{what}: oncall", faults) if "oncall" in got else None
    prefix = None
    if "channel_prefix" in got:
        shape = "1-20 characters a-z, 0-9, - or _"
        prefix = values.matching(got["channel_prefix"], f"{what}: channel_prefix", CHANNEL_PREFIX, shape, faults)
    outside = TypeOutside(
        pagerduty_routing_key=_optional(
            got, "pagerduty_routing_key", what, ROUTING_KEY, "a 32-character routing key or env:NAME", faults
        ),
        confluence_space=_optional(got, "confluence_space", what, SPACE_KEY, "a Confluence space key", faults),
        trello_list=_optional(got, "trello_list", what, TRELLO_ID, "a Trello list id (24 hex digits)", faults),
        jira_project=_optional(got, "jira_project", what, JIRA_PROJECT, "a Jira project key like OPS", faults),
    )
    if len(faults.items) > before or name is None:
        return None
    return IncidentType(
        name=name,
        description=description or "",
        severity=severity,
        private=bool(private),
        invite_users=users,
        invite_groups=groups,
        oncall=oncall,
        channel_prefix=prefix,
        outside=outside,
    )


def _optional(
    got: dict[str, yaml.Node], key: str, what: str, pattern: re.Pattern[str], shape: str, faults: Faults
) -> str | None:
    return values.matching(got[key], f"{what}: {key}", pattern, shape, faults) if key in got else None


def _field(node: yaml.Node, what: str, type_names: frozenset[str], faults: Faults) -> FieldSpec | None:
    entries = mapping(node, what, faults)
    if entries is None:
        return None
    unknown_keys(entries, FIELD_KEYS, what, faults)
    if "name" not in entries or "kind" not in entries:
        faults.add(node, f"{what} needs a name and a kind.")
        return None
    before = len(faults.items)
    name = values.name(entries["name"][1], f"{what}: name", faults)
    if name == "type":  # `!incident set type <name>` changes the incident's type
        faults.add(entries["name"][1], f'{what}: "type" is the incident\'s type, not a field name; choose another.')
        name = None
    what = f'field "{name}"' if name else what
    got = {key: value for key, (_, value) in entries.items()}
    kind = values.choice(got["kind"], f"{what}: kind", tuple(FieldKind), faults)
    options: list[str] = []
    choosing = kind in (FieldKind.SELECT, FieldKind.MULTI_SELECT)
    if "options" in got and kind is not None and not choosing:
        faults.add(got["options"], f"{what}: options are only for the kinds select and multi_select.")
    elif "options" in got:
        for item in values.items(got["options"], f"{what}: options", faults):
            option = values.text(item, f"{what}: an option", faults, limit=75)
            if option is not None and option in options:
                faults.add(item, f'{what}: the option "{option}" is listed twice.')
            elif option is not None:
                options.append(option)
    if choosing and not options and "options" not in got:
        faults.add(node, f"{what}: a {kind} field needs options.")
    required = (
        values.choice(got["required"], f"{what}: required", tuple(Required), faults) if "required" in got else None
    )
    types: list[str] = []
    for item in values.items(got["types"], f"{what}: types", faults) if "types" in got else []:
        type_name = scalar(item)
        if type_name not in type_names:
            faults.add(item, f"{what}: types names {type_name!r}, which is not a type of this file.")
        else:
            types.append(str(type_name))
    description = values.text(got["description"], f"{what}: description", faults) if "description" in got else ""
    if len(faults.items) > before or name is None or kind is None:
        return None
    return FieldSpec(
        name=name,
        kind=FieldKind(kind),
        options=tuple(options),
        required=Required(required) if required else None,
        types=tuple(types),
        description=description or "",
    )
