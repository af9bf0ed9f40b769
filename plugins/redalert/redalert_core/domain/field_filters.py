"""Filtering incidents by custom field values (issue 22), pure: `!incident stats 90d team=payments` and the web
report's `field.<name>=<value>` parameters. Several filters must all match; a multi_select matches when its choices
include the value. An unknown field or a value its field cannot hold is refused with what it takes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .commands import ParseError
from .incident_fields import check_value
from .workflow_model import FieldKind, WorkflowsFile

# A `name=value` word (a value with spaces quoted, straight or curly), or any other word.
_WORD = re.compile(r"""([A-Za-z][A-Za-z0-9_-]{0,29})=("[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|\S*)|(\S+)""")
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}


@dataclass(frozen=True)
class FieldFilter:
    """Incidents whose field `name` holds `value`; `contains`: a multi_select whose choices include it."""

    name: str
    value: str
    contains: bool = False

    def describe(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"{self.name}={value}"


def split_filter_words(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The ordinary words of `text`, and its `name=value` words (the value without its quotes)."""
    words: list[str] = []
    pairs: list[tuple[str, str]] = []
    for match in _WORD.finditer(text):
        if match.group(3) is not None:
            words.append(match.group(3))
            continue
        name, raw = match.group(1), match.group(2)
        close = _QUOTES.get(raw[:1])
        if close is not None:
            if len(raw) < 2 or raw[-1] != close:
                raise ParseError(f'The value of {name} opens a quote that does not close: {name}="two words".')
            raw = raw[1:-1]
        pairs.append((name, raw))
    return words, pairs


def parse_filters(pairs: Iterable[tuple[str, str]], file: WorkflowsFile) -> tuple[FieldFilter, ...]:
    """Each (field, value) checked against the workflows file in force: ParseError naming the fields for an unknown
    one, and what the field takes for a value it cannot hold (an option that is not one of a select's)."""
    filters: list[FieldFilter] = []
    for name, raw in pairs:
        spec = file.field_named(name.lower())
        if spec is None:
            if not file.fields:
                raise ParseError(
                    f'"{name[:30]}" is not a field: the workflows file in force (REDALERT_WORKFLOWS_FILE) has none.'
                )
            names = ", ".join(known.name for known in file.fields)
            raise ParseError(f'"{name[:30]}" is not a field. Fields: {names}.')
        value = check_value(spec, raw)
        if spec.kind == FieldKind.MULTI_SELECT:
            filters += [FieldFilter(spec.name, choice, contains=True) for choice in value.split(",")]
        else:
            filters.append(FieldFilter(spec.name, value))
    return tuple(dict.fromkeys(filters))


def describe(filters: Iterable[FieldFilter]) -> str:
    """`team=payments, regions=eu` (empty for none)."""
    return ", ".join(item.describe() for item in filters)
