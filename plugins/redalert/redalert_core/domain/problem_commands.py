"""Parsing of `!incident link|unlink|show`, `!problem …` and `!task …` arguments (no I/O); ParseError on bad input.

Identifiers are `P3` and `T7`, case-insensitive; the letter may be left out where only one kind of number can be
meant (`!task done 7`, `!problem show 3`). Where an incident number could also be meant (`!task add`, `!task list`),
a bare number is an incident and a problem needs its P.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .commands import GROUP_MENTION, SPECIAL_MENTION, USER_MENTION, ParseError, plain_text
from .links import LINK_KINDS, LinkKind, parse_kind
from .problems import MAX_TITLE, PROBLEM_STATUSES, ProblemStatus, parse_status
from .response_parsing import free_text
from .tasks import DUE_USAGE, parse_due

_INCIDENT = re.compile(r"^#?(\d{1,9})\Z")
_PROBLEM = re.compile(r"^[Pp]#?(\d{1,9})\Z")
_TASK = re.compile(r"^[Tt]#?(\d{1,9})\Z")
_BARE_SPECIAL = re.compile(r"(?<![<\w])@(here|channel|everyone)\b", re.IGNORECASE)
_DUE_CLAUSE = re.compile(r"(?:^|\s)due\s+(in\s+\S+(?:\s+days?)?|\S+)\s*\Z", re.IGNORECASE)
MAX_TASK_TEXT = 500
# Slack user IDs are about a dozen characters; the owner column holds 64. A longer "mention" is nobody.
MAX_USER_ID = 32


def incident_number(token: str) -> int | None:
    match = _INCIDENT.match(token)
    return int(match.group(1)) if match else None


def problem_number(token: str, *, bare: bool = True) -> int | None:
    """`P3`, `p3` (and `3` when `bare`)."""
    match = _PROBLEM.match(token) or (_INCIDENT.match(token) if bare else None)
    return int(match.group(1)) if match else None


def task_number(token: str) -> int | None:
    match = _TASK.match(token) or _INCIDENT.match(token)
    return int(match.group(1)) if match else None


# --- incident links -------------------------------------------------------------------------------------------
@dataclass
class LinkCommand:
    number: int | None  # None: the incident whose channel this is
    other: int
    kind: LinkKind = LinkKind.RELATED


LINK_USAGE = f"Usage: !incident link [<n>] <m> [{'|'.join(LINK_KINDS)}], e.g. `!incident link 12 9 caused-by`."
UNLINK_USAGE = "Usage: !incident unlink [<n>] <m>, e.g. `!incident unlink 12 9`."


def _numbers_then(text: str, usage: str) -> tuple[list[int], list[str]]:
    words = plain_text(text).split()
    numbers: list[int] = []
    while words and (number := incident_number(words[0])) is not None:
        numbers.append(number)
        words.pop(0)
    if not numbers or len(numbers) > 2:
        raise ParseError(usage)
    return numbers, words


def parse_link(text: str) -> LinkCommand:
    numbers, rest = _numbers_then(text, LINK_USAGE)
    kind = LinkKind.RELATED
    if rest:
        found = parse_kind(rest[0]) if len(rest) == 1 else None
        if found is None:
            raise ParseError(f'"{" ".join(rest)[:40]}" is not a kind of link: {", ".join(LINK_KINDS)}.')
        kind = found
    return LinkCommand(numbers[0] if len(numbers) == 2 else None, numbers[-1], kind)


def parse_unlink(text: str) -> LinkCommand:
    numbers, rest = _numbers_then(text, UNLINK_USAGE)
    if rest:
        raise ParseError(UNLINK_USAGE)
    return LinkCommand(numbers[0] if len(numbers) == 2 else None, numbers[-1])


def parse_optional_incident(text: str, usage: str) -> int | None:
    words = plain_text(text).split()
    if not words:
        return None
    if len(words) == 1 and incident_number(words[0]) is not None:
        return incident_number(words[0])
    raise ParseError(usage)


# --- problems -------------------------------------------------------------------------------------------------
@dataclass
class ProblemOpen:
    title: str
    incidents: list[int]


def parse_problem_open(text: str) -> ProblemOpen:
    """`<title> [<incident numbers…>]`: trailing numbers are the incidents to link."""
    words = plain_text(text).split()
    incidents: list[int] = []
    while len(words) > 1 and (number := incident_number(words[-1])) is not None:
        incidents.insert(0, number)
        words.pop()
    title = free_text(" ".join(words)) if words else ""
    if not title:
        raise ParseError(
            "Usage: !problem open <title> [<incident numbers…>], e.g. `!problem open Disk fills up 12 14`."
        )
    if len(title) > MAX_TITLE:
        raise ParseError(f"The title is {len(title)} characters long; keep it under {MAX_TITLE}.")
    return ProblemOpen(title, list(dict.fromkeys(incidents)))


def problem_and_rest(text: str, usage: str) -> tuple[int, str]:
    """`P3 <rest…>` (the letter is optional)."""
    parts = text.strip().split(None, 1)
    number = problem_number(plain_text(parts[0])) if parts else None
    if number is None:
        raise ParseError(f"Usage: {usage}.")
    return number, parts[1].strip() if len(parts) > 1 else ""


def parse_problem_incidents(text: str, usage: str, *, single: bool = False) -> tuple[int, list[int]]:
    """`P3 <n…>` (`single`: exactly one n)."""
    number, rest = problem_and_rest(text, usage)
    words = plain_text(rest).split()
    incidents = [incident_number(w) for w in words]
    if not incidents or None in incidents or (single and len(incidents) != 1):
        raise ParseError(f"Usage: {usage}.")
    return number, list(dict.fromkeys(i for i in incidents if i is not None))


def parse_problem_status(text: str) -> tuple[int, ProblemStatus, str | None]:
    usage = f"!problem status P<n> <{'|'.join(PROBLEM_STATUSES)}> [note]"
    number, rest = problem_and_rest(text, usage)
    parts = rest.split(None, 1)
    if not parts:
        raise ParseError(f"Usage: {usage}.")
    status = parse_status(plain_text(parts[0]))
    if status is None:
        raise ParseError(f'"{plain_text(parts[0])[:30]}" is not a problem status: {", ".join(PROBLEM_STATUSES)}.')
    note = free_text(parts[1]) if len(parts) > 1 else ""
    return number, status, note or None


def parse_problem_text(text: str, word: str) -> tuple[int, str]:
    """`P3 <text>` for `!problem cause` and `!problem workaround`."""
    usage = f"!problem {word} P<n> <text>"
    number, rest = problem_and_rest(text, usage)
    said = free_text(rest)
    if not said:
        raise ParseError(f"Usage: {usage}.")
    return number, said


def parse_problem_show(text: str) -> int:
    number, rest = problem_and_rest(text, "!problem show P<n>")
    if rest:
        raise ParseError("Usage: !problem show P<n>.")
    return number


def parse_problem_list(text: str) -> bool:
    word = plain_text(text).lower()
    if word in ("", "open"):
        return False
    if word == "all":
        return True
    raise ParseError("Usage: !problem list (open problems) or !problem list all.")


# --- tasks ----------------------------------------------------------------------------------------------------
@dataclass
class TaskTarget:
    incident: int | None = None
    problem: int | None = None


@dataclass
class TaskAdd:
    target: TaskTarget  # both None: the incident whose channel this is
    text: str
    owner: str | None
    due: date | None


TASK_ADD_USAGE = (
    "Usage: !task add [<n>|P<n>] <text> [@owner] [due <YYYY-MM-DD>|due in <N>d], "
    "e.g. `!task add Add an alert on disk usage @alice due in 7d`."
)


def owner_of(text: str) -> str | None:
    """The one user mentioned as owner; refuses @here/@channel/@everyone, user groups and several people."""
    if SPECIAL_MENTION.search(text) or _BARE_SPECIAL.search(text):
        raise ParseError("A task is owned by one person: @here, @channel or @everyone cannot own it.")
    if GROUP_MENTION.search(text):
        raise ParseError("A task is owned by one person, not a user group: mention someone from the group.")
    users = list(dict.fromkeys(USER_MENTION.findall(text)))
    if len(users) > 1:
        raise ParseError("A task has one owner: mention one person.")
    if users and len(users[0]) > MAX_USER_ID:
        raise ParseError(f"That owner is not a Slack user: user IDs are at most {MAX_USER_ID} characters.")
    return users[0] if users else None


def _target(token: str) -> TaskTarget | None:
    number = incident_number(token)
    if number is not None:
        return TaskTarget(incident=number)
    number = problem_number(token, bare=False)
    return TaskTarget(problem=number) if number is not None else None


def parse_task_add(text: str, today: date) -> TaskAdd:
    text = text.strip()
    parts = text.split(None, 1)
    target = _target(parts[0]) if parts else None
    rest = parts[1] if target is not None and len(parts) > 1 else ("" if target is not None else text)
    owner = owner_of(rest)
    rest = USER_MENTION.sub(" ", rest)
    due = None
    clause = _DUE_CLAUSE.search(rest)
    if clause:
        due = parse_due(clause.group(1), today)
        rest = rest[: clause.start()]
    said = free_text(rest)
    if not said:
        raise ParseError(TASK_ADD_USAGE)
    if len(said) > MAX_TASK_TEXT:
        raise ParseError(f"The task is {len(said)} characters long; keep it under {MAX_TASK_TEXT}.")
    return TaskAdd(target or TaskTarget(), said, owner, due)


def task_and_rest(text: str, usage: str) -> tuple[int, str]:
    parts = text.strip().split(None, 1)
    number = task_number(plain_text(parts[0])) if parts else None
    if number is None:
        raise ParseError(f"Usage: {usage}.")
    return number, parts[1].strip() if len(parts) > 1 else ""


def parse_task_done(text: str) -> tuple[int, str | None]:
    number, rest = task_and_rest(text, "!task done T<n> [note]")
    return number, free_text(rest) or None


def parse_task_reopen(text: str) -> int:
    number, rest = task_and_rest(text, "!task reopen T<n>")
    if rest:
        raise ParseError("Usage: !task reopen T<n>.")
    return number


def parse_task_assign(text: str) -> tuple[int, str]:
    usage = "!task assign T<n> @owner"
    number, rest = task_and_rest(text, usage)
    owner = owner_of(rest)
    if owner is None or plain_text(rest):
        raise ParseError(f"Usage: {usage} (mention exactly one person).")
    return number, owner


def parse_task_due(text: str, today: date) -> tuple[int, date]:
    usage = "!task due T<n> <YYYY-MM-DD|in <N>d>"
    number, rest = task_and_rest(text, usage)
    rest = plain_text(rest)
    if rest.lower().startswith("due "):
        rest = rest[4:]
    if not rest:
        raise ParseError(f"Usage: {usage} ({DUE_USAGE}).")
    return number, parse_due(rest, today)


@dataclass
class TaskListScope:
    """What `!task list` shows: `kind` is default, mine, open, all, incident or problem."""

    kind: str
    number: int | None = None


def parse_task_list(text: str) -> TaskListScope:
    word = plain_text(text).lower()
    if word in ("", "mine", "open", "all"):
        return TaskListScope(word or "default")
    target = _target(word)
    if target is None:
        raise ParseError("Usage: !task list [mine|open|all|<n>|P<n>].")
    if target.incident is not None:
        return TaskListScope("incident", target.incident)
    return TaskListScope("problem", target.problem)
