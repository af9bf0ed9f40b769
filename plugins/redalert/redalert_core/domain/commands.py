"""Parsing of `!incident …` arguments from the raw Slack text: mentions, numbers, channel references.

The slackv3 backend rewrites mentions before commands see them (`<!subteam^S1|@sre>` becomes `@sre`), so the plugin
hands these functions the raw event text when it has it. Every problem raises ParseError with a reply for the user.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from .settings import Settings

# Long enough for a pasted error message or stack trace (people should not have to retype in the worst moment);
# the channel name, topic, purpose and summary header take the start, the summary and post-mortem show it all.
MAX_DESCRIPTION = 4000
MAX_RESOLUTION = 4000

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
GROUP_MENTION = re.compile(r"<!subteam\^(S[A-Z0-9]+)(?:\|[^<>]*)?>")
CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^<>]*))?>")
SPECIAL_MENTION = re.compile(r"<!(channel|here|everyone)(?:\|[^<>]*)?>")
LINK = re.compile(r"<((?:https?|mailto):[^<>|]+)(?:\|([^<>]*))?>")
_SPACES = re.compile(r"\s+")


class ParseError(ValueError):
    """Bad input; the message is the reply."""


@dataclass
class Mentions:
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.users or self.groups)


@dataclass
class OpenCommand:
    severity: str
    description: str
    mentions: Mentions
    is_private: bool = False


@dataclass
class InviteCommand:
    number: int | None
    mentions: Mentions


@dataclass
class CloseCommand:
    number: int | None
    channel_id: str | None
    resolution: str | None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# Each user group costs a Slack call and fans out to all its members: one command names at most this many.
MAX_GROUPS = 10


def too_many_groups(count: int) -> str:
    return f"That is {count} user groups; one command takes at most {MAX_GROUPS}. Nothing changed."


def check_group_count(groups: list[str], error: type[Exception] = ParseError) -> None:
    """Refuse more than MAX_GROUPS user groups before any of them is looked up."""
    if len(groups) > MAX_GROUPS:
        raise error(too_many_groups(len(groups)))


def find_mentions(text: str) -> Mentions:
    """User and user-group mentions in Slack markup, in order, without repeats."""
    return Mentions(users=_unique(USER_MENTION.findall(text)), groups=_unique(GROUP_MENTION.findall(text)))


def plain_text(text: str) -> str:
    """Readable text without mentions: links keep their label, channels read #name, entities are decoded."""
    text = USER_MENTION.sub(" ", text)
    text = GROUP_MENTION.sub(" ", text)
    text = SPECIAL_MENTION.sub(lambda m: m.group(1), text)  # never re-ping @channel from a description
    text = CHANNEL_MENTION.sub(lambda m: f"#{m.group(2)}" if m.group(2) else "#channel", text)
    text = LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = html.unescape(text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def command_tail(raw_text: str, *words: str) -> str | None:
    """What follows the command's words (`incident`, `invite`; `task`, `add`) in the raw message text, mention markup
    intact, or None when the text has no such command. The `!` prefix is optional (a mention of the bot works too)."""
    pattern = r"(?<!\w)!?" + r"\s+".join(re.escape(w) for w in words) + r"\b(.*)\Z"
    match = re.search(pattern, raw_text, flags=re.IGNORECASE | re.DOTALL)
    return match.group(1).strip() if match else None


def parse_open(text: str, settings: Settings) -> OpenCommand:
    """`[--private] <severity> <description…>` with mentions anywhere in the description."""
    text, is_private = _private_flag(text)
    parts = text.strip().split(None, 1)
    known = ", ".join(settings.severity_values)
    if not parts:
        raise ParseError(f"Usage: !incident open <severity> <description>. Severities: {known}.")
    severity = settings.severity(parts[0])
    if severity is None:
        shown = plain_text(parts[0])[:30] or "?"
        raise ParseError(f'"{shown}" is not a severity. Use one of: {known}.')
    rest = parts[1] if len(parts) > 1 else ""
    description = plain_text(rest)
    if not description:
        raise ParseError(f"Say what is happening: !incident open {severity.value} <description>.")
    if len(description) > MAX_DESCRIPTION:
        raise ParseError(
            f"The description is {len(description)} characters long; the limit is {MAX_DESCRIPTION}. "
            "Shorten it and post the rest in the incident channel once it is open."
        )
    mentions = find_mentions(rest)
    check_group_count(mentions.groups)
    return OpenCommand(severity=severity.value, description=description, mentions=mentions, is_private=is_private)


_PRIVATE_FLAG = re.compile(r"^\s*(?:--|—|–)private\b", re.IGNORECASE)


def _private_flag(text: str) -> tuple[str, bool]:
    """Strip a leading `--private` (Slack clients may turn -- into an em or en dash)."""
    match = _PRIVATE_FLAG.match(text)
    return (text[match.end() :], True) if match else (text, False)


def _leading_number(text: str) -> tuple[int | None, str]:
    parts = text.split(None, 1)
    if parts and parts[0].lstrip("#").isdigit() and parts[0].lstrip("#").isascii():
        number = int(parts[0].lstrip("#"))
        if not 0 < number < 2**31:
            raise ParseError(f"{parts[0]} is not an incident number.")
        return number, parts[1] if len(parts) > 1 else ""
    return None, text


def parse_invite(text: str) -> InviteCommand:
    """`[<number>] <mentions…>`."""
    number, rest = _leading_number(text.strip())
    mentions = find_mentions(rest)
    check_group_count(mentions.groups)
    if not mentions:
        raise ParseError(
            "Mention who to invite: !incident invite @alice @oncall-team (or !incident invite <number> @alice)."
        )
    leftover = plain_text(rest)
    if leftover:
        raise ParseError(f'Only mentions can be invited; I do not know what to do with "{leftover[:60]}".')
    return InviteCommand(number=number, mentions=mentions)


def parse_close(text: str) -> CloseCommand:
    """`[<number> | <#channel>] [resolution…]`."""
    text = text.strip()
    channel = CHANNEL_MENTION.match(text)
    if channel:
        number, channel_id, rest = None, channel.group(1), text[channel.end() :]
    else:
        (number, rest), channel_id = _leading_number(text), None
    resolution = plain_text(rest)
    if len(resolution) > MAX_RESOLUTION:
        raise ParseError(f"The resolution is {len(resolution)} characters long; the limit is {MAX_RESOLUTION}.")
    return CloseCommand(number=number, channel_id=channel_id, resolution=resolution or None)


def parse_list(text: str) -> bool:
    """`list` or `list all`; returns whether closed incidents are included."""
    word = text.strip().lower()
    if word in ("", "open"):
        return False
    if word == "all":
        return True
    raise ParseError("Usage: !incident list (open incidents) or !incident list all (closed ones too).")
