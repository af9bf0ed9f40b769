"""Incident types and custom field values in commands (issue 22), pure: which type `!incident open` names, the
trailing `<field>=<value>` words, whether a value fits its field's kind, and which required fields are missing.

Values stay what people typed (a `user` field keeps the Slack id); they are made inert where they are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .commands import ParseError
from .workflow_model import FieldKind, FieldSpec, IncidentType, Required, WorkflowsFile

# One `name=value` word at the end of a text; a value with spaces is quoted ("…" or '…').
_TRAILING = re.compile(r"""(?:^|\s)([a-z][a-z0-9_-]{0,29})=("[^"]*"|'[^']*'|\S+)\s*\Z""")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>\Z")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}\Z")
_URL = re.compile(r"^https?://[^\s<>]+\Z", re.IGNORECASE)
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?\Z")
MAX_VALUE = 500
_PRIVATE = re.compile(r"^(?:--|—|–)private\b", re.IGNORECASE)  # as commands.parse_open reads it


def pick_type(text: str, file: WorkflowsFile) -> tuple[IncidentType | None, str]:
    """The type the first word names (then the rest of the text), else the file's first type (and all the text)."""
    first, _, rest = text.strip().partition(" ")
    named = file.type_named(first.lower()) if first else None
    if named is not None:
        return named, rest.strip()
    return file.default_type(), text.strip()


def split_fields(text: str, file: WorkflowsFile, type_name: str | None) -> tuple[str, dict[str, str]]:
    """The text without its trailing `<field>=<value>` words (fields of the type only), and the checked values."""
    values: dict[str, str] = {}
    rest = text.rstrip()
    while (match := _TRAILING.search(rest)) is not None:
        name, raw = match.group(1), match.group(2)
        spec = file.field_named(name)
        if spec is None or not spec.applies_to(type_name):
            break  # an ordinary word of the description (`ratio=3`)
        if raw[:1] in "\"'" and len(raw) >= 2:
            raw = raw[1:-1]
        values.setdefault(name, check_value(spec, raw))  # the last word counts: it is read first
        rest = rest[: match.start()].rstrip()
    return rest, dict(reversed(list(values.items())))


def check_value(spec: FieldSpec, raw: str) -> str:
    """The value as stored, or a ParseError naming the field and what it takes."""
    value = raw.strip()
    if not value:
        raise ParseError(f"{spec.name} needs a value.")
    if len(value) > MAX_VALUE:
        raise ParseError(f"{spec.name} takes at most {MAX_VALUE} characters.")
    if spec.kind == FieldKind.SELECT and value not in spec.options:
        raise ParseError(f"{spec.name} is one of {', '.join(spec.options)}.")
    if spec.kind == FieldKind.MULTI_SELECT:
        chosen = [part.strip() for part in value.split(",") if part.strip()]
        wrong = [part for part in chosen if part not in spec.options]
        if wrong or not chosen:
            raise ParseError(f"{spec.name} takes any of {', '.join(spec.options)}, separated by commas.")
        return ",".join(dict.fromkeys(chosen))
    if spec.kind == FieldKind.NUMBER and not _NUMBER.match(value):
        raise ParseError(f"{spec.name} is a number, like 42 or 2.5.")
    if spec.kind == FieldKind.URL and not _URL.match(value):
        raise ParseError(f"{spec.name} is a link starting with http:// or https://.")
    if spec.kind == FieldKind.USER:
        mention = _MENTION.match(value)
        if mention is not None:
            return mention.group(1)
        if not _USER_ID.match(value):
            raise ParseError(f"{spec.name} is a Slack user: mention them (@name).")
    return value


def missing(file: WorkflowsFile, type_name: str | None, values: dict[str, str], when: Required) -> list[str]:
    """The fields required `when` (open or close) that the incident of this type has no value for."""
    return [
        spec.name
        for spec in file.fields_of(type_name)
        if spec.required == when and not values.get(spec.name, "").strip()
    ]


def refuse_missing(names: list[str], when: Required) -> None:
    if names:
        verb = "open" if when == Required.OPEN else "close"
        fields = ", ".join(names)
        raise ParseError(f"Cannot {verb} without {fields}: add " + " ".join(f"{name}=<value>" for name in names) + ".")


@dataclass(frozen=True)
class TypedOpen:
    """What the workflows file makes of `!incident open` words: the text left for the ordinary parse, the type,
    its field values, and what the type adds (private by default, people and groups to invite)."""

    text: str
    incident_type: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    private: bool = False
    invite_users: tuple[str, ...] = ()
    invite_groups: tuple[str, ...] = ()


def read_open(text: str, file: WorkflowsFile, severities: frozenset[str] = frozenset()) -> TypedOpen:
    """`[--private] [<type>] [<severity>] <description> [<field>=<value> …]`: ParseError for a bad value or a field
    required at open that is missing. Without types or fields in the file the text is untouched."""
    if not file.types and not file.fields:
        return TypedOpen(text)
    flag, body = "", text.strip()
    if (private := _PRIVATE.match(body)) is not None:
        flag, body = "--private ", body[private.end() :].strip()
    kind, rest = pick_type(body, file) if file.types else (None, body)
    type_name = kind.name if kind is not None else None
    rest, values = split_fields(rest, file, type_name)
    refuse_missing(missing(file, type_name, values, Required.OPEN), Required.OPEN)
    first = rest.split(" ", 1)[0]
    if kind is not None and kind.severity and first.lower() not in severities:
        rest = f"{kind.severity} {rest}"  # the type's default severity when none is given
    if kind is None:
        return TypedOpen(flag + rest, None, values)
    return TypedOpen(flag + rest, kind.name, values, kind.private, kind.invite_users, kind.invite_groups)
