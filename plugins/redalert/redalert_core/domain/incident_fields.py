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

# The trailing words of a command: `name=value` (a value with spaces quoted, straight or curly quotes as Slack
# clients type them) and mentions of people or user groups (which stay where they are), in any order.
_TRAILING_FIELD = re.compile(r"""(?:^|\s)([A-Za-z][A-Za-z0-9_-]{0,29})=("[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|\S+)\s*\Z""")
_TRAILING_MENTION = re.compile(
    r"(?:^|\s)(<@[UW][A-Z0-9]+(?:\|[^<>]*)?>|<!subteam\^S[A-Z0-9]+(?:\|[^<>]*)?>|@[\w.-]+)\s*\Z"
)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
_SLACK_LINK = re.compile(r"^<((?:https?|mailto):[^<>|\s]+)(?:\|[^<>]*)?>\Z", re.IGNORECASE)
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
    """The text without its trailing `<field>=<value>` words, and their checked values.

    The trailing words are those after the description: field words and mentions in any order (the mentions stay
    in the text, where the ordinary parse finds them). A trailing `word=value` that is not a field of the type is
    refused, naming the type's fields; a file without fields leaves every such word to the description.
    """
    values: dict[str, str] = {}
    kept: list[str] = []  # the trailing mentions, last first
    rest = text.rstrip()
    while True:
        if (mention := _TRAILING_MENTION.search(rest)) is not None:
            kept.append(mention.group(1))
            rest = rest[: mention.start()].rstrip()
            continue
        match = _TRAILING_FIELD.search(rest)
        if match is None or not file.fields:
            break
        spec = field_of(file, match.group(1), type_name)
        values.setdefault(spec.name, check_value(spec, unquote(spec, match.group(2))))  # the last word counts
        rest = rest[: match.start()].rstrip()
    refuse_stray_fields(rest, file)
    return " ".join([rest, *reversed(kept)]).strip(), dict(reversed(list(values.items())))


def field_of(file: WorkflowsFile, name: str, type_name: str | None) -> FieldSpec:
    """The field `name` of an incident of this type, or a ParseError naming the fields it has."""
    spec = file.field_named(name.lower())
    if spec is not None and spec.applies_to(type_name):
        return spec
    of = f" of {type_name} incidents" if type_name else ""
    names = ", ".join(known.name for known in file.fields_of(type_name)) or "none"
    raise ParseError(f'"{name[:30]}" is not a field{of}. Fields: {names}.')


def unquote(spec: FieldSpec, raw: str) -> str:
    """A value without its quotes; ParseError for a quote that opens and does not close."""
    close = _QUOTES.get(raw[:1])
    if close is None:
        return raw
    if len(raw) < 2 or raw[-1] != close:
        raise ParseError(_unclosed(spec.name))
    return raw[1:-1]


def _unclosed(name: str) -> str:
    return f'The value of {name} opens a quote that does not close: {name}="two words".'


def refuse_stray_fields(rest: str, file: WorkflowsFile) -> None:
    """A field word left inside the description (`team="payments core` without its closing quote, or `impact=EU
    cards down`, whose value runs on) is refused rather than silently kept as description text; the last one is
    named, since the words after it are what kept it there."""
    stray = [
        (spec, match)
        for match in re.finditer(r"(?:^|\s)([A-Za-z][A-Za-z0-9_-]{0,29})=(\S?)", rest)
        if (spec := file.field_named(match.group(1).lower())) is not None
    ]
    if not stray:
        return
    spec, match = stray[-1]
    close = _QUOTES.get(match.group(2))
    if close is not None and close not in rest[match.end() :]:
        raise ParseError(_unclosed(spec.name))
    raise ParseError(
        f"{spec.name}= is followed by other words: field words go at the end, and a value of several words in "
        f'quotes ({spec.name}="two words").'
    )


def check_value(spec: FieldSpec, raw: str) -> str:
    """The value as stored, or a ParseError naming the field and what it takes."""
    value = from_slack(raw.strip())
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


def from_slack(value: str) -> str:
    """Slack's markup of typed text undone: a link it wrapped (`<https://…|label>`) is the URL, `&amp;` `&lt;` `&gt;`
    are the characters typed. Mentions stay as they are."""
    link = _SLACK_LINK.match(value)
    if link is not None:
        return link.group(1)
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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


def from_labels(file: WorkflowsFile, labels: Mapping[str, str]) -> tuple[IncidentType | None, dict[str, str]]:
    """An alert's incident: the file's first type, and the fields of that type named like one of the alerts' common
    labels whose value the field takes. An alert is never refused: a value a field cannot hold, or a field required
    at open that no label gives, is left unset (`!incident set` fills it in)."""
    kind = file.default_type()
    values: dict[str, str] = {}
    for spec in file.fields_of(kind.name if kind else None):
        raw = labels.get(spec.name)
        if raw is None:
            continue
        try:
            values[spec.name] = check_value(spec, raw)
        except ParseError:
            continue
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
