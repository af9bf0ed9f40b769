"""The Jira emulator's JQL: the small part of the language RedAlert and tests use, read as Jira Cloud reads it.

`<field> = <value>`, `<field> != <value>` and `<field> in (<value>, …)` joined by AND, then an optional
`ORDER BY <field> [ASC|DESC]`; values quoted ("…" or '…') or bare words. Fields: project, key, labels, issuetype,
status (its name) and statusCategory (its key). Jira's `/search/jql` refuses an unbounded query (no restriction) and
names an unknown field; both are 400s with an ErrorCollection, as Jira answers them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .jira_model import FieldErrors, Issue

TOKEN = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(!=|=|\(|\)|,)|([\w.\-]+))""")
SEARCHABLE = ("project", "key", "labels", "issuetype", "status", "statuscategory")
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."


def _values(issue: Issue) -> dict[str, list[str]]:
    """Each searchable field's values (several for labels), compared case-insensitively as JQL does."""
    fields = issue.fields
    return {
        "project": [issue.project],
        "key": [issue.key],
        "labels": list(fields.get("labels") or []),
        "issuetype": [str(fields.get("issuetype"))],
        "status": [issue.status_name],
        "statuscategory": [issue.category],
    }


@dataclass(frozen=True)
class Clause:
    field: str
    negated: bool
    values: tuple[str, ...]

    def matches(self, issue: Issue) -> bool:
        have = {v.lower() for v in _values(issue)[self.field]}
        hit = any(v.lower() in have for v in self.values)
        return hit != self.negated


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    order_by: str = "key"
    descending: bool = False

    def run(self, issues: list[Issue]) -> list[Issue]:
        found = [i for i in issues if not i.deleted and all(c.matches(i) for c in self.clauses)]
        by_key: Callable[[Issue], tuple] = lambda i: (i.project, int(i.key.rsplit("-", 1)[1]))  # noqa: E731
        by_created: Callable[[Issue], tuple] = lambda i: (int(i.id),)  # noqa: E731
        return sorted(found, key=by_key if self.order_by == "key" else by_created, reverse=self.descending)


def _tokens(jql: str) -> list[tuple[str, str]]:
    """(kind, text): kind "value" for quoted text, "op" for = != ( ) ,, "word" for the rest."""
    out, at = [], 0
    while at < len(jql.rstrip()):
        match = TOKEN.match(jql, at)
        if match is None:
            bad = jql[at:].strip()[0]
            raise FieldErrors(messages=[f"Error in the JQL Query: The character '{bad}' is a reserved JQL character."])
        quoted = match.group(1) if match.group(1) is not None else match.group(2)
        if quoted is not None:
            out.append(("value", re.sub(r"\\(.)", r"\1", quoted)))
        elif match.group(3):
            out.append(("op", match.group(3)))
        else:
            out.append(("word", match.group(4)))
        at = match.end()
    return out


def parse(jql: str) -> Query:
    tokens = _tokens(jql or "")
    clauses: list[Clause] = []
    order_by, descending = "key", False
    i = 0

    def expect_value() -> str:
        nonlocal i
        if i >= len(tokens) or tokens[i][0] == "op":
            raise FieldErrors(messages=["Error in the JQL Query: Expecting either a value, list or function."])
        i += 1
        return tokens[i - 1][1]

    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "word" and text.lower() == "order" and i + 1 < len(tokens) and tokens[i + 1][1].lower() == "by":
            if i + 2 >= len(tokens):
                raise FieldErrors(messages=["Error in the JQL Query: Expecting a field name after 'order by'."])
            order_by = tokens[i + 2][1].lower()
            if order_by not in ("key", "created"):
                raise FieldErrors(messages=[f"Not able to sort using field '{tokens[i + 2][1]}'."])
            descending = i + 3 < len(tokens) and tokens[i + 3][1].lower() == "desc"
            break
        if clauses:
            if text.lower() != "and":
                raise FieldErrors(messages=[f"Error in the JQL Query: Expecting 'AND' but got '{text}'."])
            i += 1
            kind, text = tokens[i] if i < len(tokens) else ("", "")
        field = text.lower()
        if field not in SEARCHABLE:
            raise FieldErrors(messages=[f"Field '{text}' does not exist or you do not have permission to view it."])
        i += 1
        op = tokens[i][1].lower() if i < len(tokens) else ""
        i += 1
        if op in ("=", "!="):
            clauses.append(Clause(field, op == "!=", (expect_value(),)))
        elif op == "in" and i < len(tokens) and tokens[i][1] == "(":
            i += 1
            values = [expect_value()]
            while i < len(tokens) and tokens[i][1] == ",":
                i += 1
                values.append(expect_value())
            if i >= len(tokens) or tokens[i][1] != ")":
                raise FieldErrors(messages=["Error in the JQL Query: Expecting ')' to close the list."])
            i += 1
            clauses.append(Clause(field, False, tuple(values)))
        else:
            raise FieldErrors(messages=[f"Error in the JQL Query: Expecting operator but got '{op}'."])
    if not clauses:
        raise FieldErrors(messages=[UNBOUNDED])
    return Query(tuple(clauses), "key" if order_by == "key" else "created", descending)
