"""Incident types and custom field values (issue 22), pure: which type `!incident open` names, the trailing
`<field>=<value>` words, whether a value fits its field's kind, and which required fields are missing.

Every front end checks with these, in the same words: chat (one refusal), the modal (a message under each field's
block) and the HTTP API (one message per field) — `check_open` and `check_fields` name each bad value by its key:
`type` and `fields.<name>` at open, the field's own name when fields are set later.

Values stay what people typed (a `user` field keeps the Slack id); they are made inert where they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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
    """Chat's refusal: what is missing and the words that give it."""
    if names:
        how = " ".join(f"{name}=<value>" for name in names)
        raise ParseError(f"{missing_message(', '.join(names), when)[:-1]}: add {how}.")


def missing_message(name: str, when: Required) -> str:
    """A field required at open or close that has no value: "Cannot open without team." """
    return f"Cannot {'open' if when == Required.OPEN else 'close'} without {name}."


def not_a_field(name: str, file: WorkflowsFile, type_name: str | None) -> str:
    names = ", ".join(spec.name for spec in file.fields_of(type_name)) or "none"
    return f'"{name[:30]}" is not a field of this incident. Fields: {names}.'


def not_a_type(name: str, file: WorkflowsFile) -> str:
    if not file.types:
        return "There are no incident types: the workflows file (REDALERT_WORKFLOWS_FILE) names none."
    return f'"{name[:30]}" is not an incident type. Use one of: {", ".join(kind.name for kind in file.types)}.'


class FieldsRefused(ParseError):
    """Bad values, each with its message, keyed `type` / `fields.<name>` (at open) or by the field's name (when
    set later): the HTTP API's 422 keys and the modal's block ids. Read as one text, it is the chat refusal."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.fields = problems
        super().__init__(" ".join(problems.values()))


TYPE_KEY = "type"


def open_key(name: str) -> str:
    return f"fields.{name}"


def resolve_type(file: WorkflowsFile, name: str | None) -> IncidentType | None:
    """The type named (any case), else the file's first; FieldsRefused on `type` when the name is none of them."""
    if name is None:
        return file.default_type()
    kind = file.type_named(name.strip().lower())
    if kind is None:
        raise FieldsRefused({TYPE_KEY: not_a_type(name, file)})
    return kind


def check_fields(
    file: WorkflowsFile,
    type_name: str | None,
    given: Mapping[str, str],
    *,
    required: Required | None = None,
    key: Callable[[str], str] = lambda name: name,
) -> dict[str, str]:
    """The values as stored, each checked against its field (check_value), and with `required` each field then
    required that has no value; FieldsRefused naming every one that is wrong."""
    problems: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, raw in given.items():
        spec = file.field_named(name.strip().lower())
        if spec is None or not spec.applies_to(type_name):
            problems[key(name)] = not_a_field(name, file, type_name)
            continue
        try:
            values[spec.name] = check_value(spec, raw)
        except ParseError as error:
            problems[key(spec.name)] = str(error)
    if required is not None:
        for name in missing(file, type_name, values, required):
            problems.setdefault(key(name), missing_message(name, required))
    if problems:
        raise FieldsRefused(problems)
    return values


def check_open(
    file: WorkflowsFile, type_name: str | None, given: Mapping[str, str]
) -> tuple[IncidentType | None, dict[str, str]]:
    """An open's type (named, else the file's first) and its field values, those required at open included;
    FieldsRefused keyed `type` and `fields.<name>`. A wrong type is refused alone: the fields depend on it."""
    kind = resolve_type(file, type_name)
    values = check_fields(file, kind.name if kind else None, given, required=Required.OPEN, key=open_key)
    return kind, values


@dataclass(frozen=True)
class TypedOpen:
    """What the workflows file makes of `!incident open` words: the text left for the ordinary parse, the type and
    its field values (what the type adds, private by default and people to invite, is the application's
    `typed_open`, the same for every front end)."""

    text: str
    incident_type: str | None = None
    fields: dict[str, str] = field(default_factory=dict)


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
    return TypedOpen(flag + rest, kind.name if kind is not None else None, values)
