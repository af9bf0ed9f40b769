"""Reading YAML text with every value's position, so each fault names its line and column (1-based).

PyYAML's composer keeps a mark on every node; values are built from the nodes here, scalars by PyYAML's safe
constructor (so `true`, `3`, `null` mean what YAML says). Parsing text only: no files, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass(frozen=True, order=True)
class Fault:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class Faults:
    """Every fault found; a loader keeps going after one, so a file is fixed in one round."""

    items: list[Fault] = field(default_factory=list)

    def add(self, node: yaml.Node | None, message: str) -> None:
        line, column = position(node)
        self.items.append(Fault(line, column, message))

    def sorted(self) -> list[Fault]:
        return sorted(self.items)


def position(node: yaml.Node | None) -> tuple[int, int]:
    if node is None or node.start_mark is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def compose(text: str, faults: Faults) -> yaml.Node | None:
    """The document's root node, or None (empty text, or a syntax error recorded in `faults`)."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = error.problem or error.context or "not valid YAML"
        faults.items.append(Fault(line, column, f"not valid YAML: {problem}"))
    except yaml.YAMLError as error:
        faults.items.append(Fault(1, 1, f"not valid YAML: {error}"))
    return None


def scalar(node: yaml.Node) -> Any:
    """A scalar node's value as YAML means it (str, int, float, bool, None); a collection gives NotScalar."""
    if not isinstance(node, yaml.ScalarNode):
        return NOT_SCALAR
    try:
        return yaml.SafeLoader("").construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value


class _NotScalar:
    def __repr__(self) -> str:
        return "a list or mapping"


NOT_SCALAR = _NotScalar()


def mapping(node: yaml.Node, what: str, faults: Faults) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """A mapping's entries by key (key node, value node); a repeated or non-text key is a fault."""
    if not isinstance(node, yaml.MappingNode):
        faults.add(node, f"{what} must be a mapping (key: value), not {describe(node)}.")
        return None
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = scalar(key_node)
        if not isinstance(key, str):
            faults.add(key_node, f"{what}: a key must be text, not {describe(key_node)}.")
        elif key in entries:
            faults.add(key_node, f'{what}: the key "{key}" appears twice.')
        else:
            entries[key] = (key_node, value_node)
    return entries


def sequence(node: yaml.Node, what: str, faults: Faults) -> list[yaml.Node] | None:
    if not isinstance(node, yaml.SequenceNode):
        faults.add(node, f"{what} must be a list, not {describe(node)}.")
        return None
    return list(node.value)


def describe(node: yaml.Node) -> str:
    """How a value reads in a fault: its kind, and a short quote for a scalar."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = scalar(node)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    text = str(value)
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def unknown_keys(
    entries: dict[str, tuple[yaml.Node, yaml.Node]], allowed: tuple[str, ...], what: str, faults: Faults
) -> None:
    for key, (key_node, _) in entries.items():
        if key not in allowed:
            faults.add(key_node, f'{what}: unknown key "{key}" (known: {", ".join(allowed)}).')
