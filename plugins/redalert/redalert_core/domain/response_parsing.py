"""Parsing of the workflow commands' arguments (lead, role, status, severity, update, note); ParseError on bad input.

Every command takes an optional leading incident number (`12` or `#12`), needed outside the incident's channel.
"""

from __future__ import annotations

from dataclasses import dataclass

from .commands import USER_MENTION, ParseError, _leading_number, find_mentions, plain_text

MAX_TEXT = 3000


@dataclass
class Targeted:
    """A command's incident number (None: the channel it was typed in), its arguments, and the text as typed."""

    number: int | None
    rest: str
    whole: str


def target(text: str) -> Targeted:
    text = text.strip()
    number, rest = _leading_number(text)
    return Targeted(number=number, rest=rest.strip(), whole=text)


def one_user(text: str, usage: str) -> str:
    """Exactly one user mention and nothing else."""
    users = find_mentions(text).users
    leftover = plain_text(text)
    if len(users) != 1 or leftover or "<!subteam" in text:
        raise ParseError(f"Usage: {usage} (mention exactly one person).")
    return users[0]


def role_and_user(text: str, roles: tuple[str, ...]) -> tuple[str, str]:
    usage = f"!incident role [<number>] <role> @person (roles: {', '.join(roles)})"
    parts = text.split(None, 1)
    if len(parts) < 2:
        raise ParseError(f"Usage: {usage}.")
    role = plain_text(parts[0]).lower()
    if role == "lead":
        role = "commander"
    if role not in roles:
        raise ParseError(f'"{role[:30]}" is not a role. Roles: {", ".join(roles)}.')
    return role, one_user(parts[1], usage)


def word_and_note(text: str, usage: str) -> tuple[str, str | None]:
    """`<word> [note…]`, e.g. a status and what changed."""
    parts = text.split(None, 1)
    if not parts:
        raise ParseError(f"Usage: {usage}.")
    note = free_text(parts[1]) if len(parts) > 1 else ""
    return plain_text(parts[0]).lower(), note or None


def free_text(raw: str) -> str:
    """What someone wrote (an update, a note): mentions kept readable as @U…, markup removed, length capped."""
    text = plain_text(USER_MENTION.sub(lambda m: f" @{m.group(1)} ", raw))
    if len(text) > MAX_TEXT:
        raise ParseError(f"That is {len(text)} characters long; keep it under {MAX_TEXT}.")
    return text
