"""Text helpers with no Slack and no I/O: making user text inert, clipping, and how times and durations read.

Why a word joiner (U+2060, invisible): Slack only notifies for the exact sequences `<!channel>`, `<!here>`,
`<!everyone>`, `<!subteam^…>` and, with link_names, a bare `@name`. A word joiner right after every `<`, `&` and `@`
that comes from users breaks each of them without changing what people read. Entities alone are not enough: Errbot's
Markdown converter decodes `&lt;` back into `<` (and `\\!` into `!`) on every reply, so `&lt;!channel&gt;` would leave
the bot as a real ping. With the joiner, no decoding step can bring a `<!`, an `&lt;` or an `&#60;` back.

The same joiner between `]` and `(` keeps `[label](https://…)` from becoming a link: slackv3's converter turns it into
Slack's `<url|label>`, whose label can disguise where it leads. User text never carries a labelled link; URLs show as
themselves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from .settings import Settings

WORD_JOINER = "\u2060"

_BARE_MENTION = re.compile(r"(?<![<\w])@(?=\w)")
# In text that mixes RedAlert's own markup with quoted user text: every `<` except the mentions and links RedAlert
# writes (<@U…>, <#C…>, <https://…|…>), and every `&` that starts something a converter could decode.
_FOREIGN_BRACKET = re.compile(r"<(?!@[UW][A-Z0-9]+(?:\|[^<>]*)?>|#[CG][A-Z0-9]+(?:\|[^<>]*)?>|(?:https?|mailto):)")
# Any `&` before `#` or a letter: HTML decoders also accept entities without their `;` (`&#60!`, `&lt`).
_ENTITY_START = re.compile(r"&(?=[#A-Za-z])")
_AMPERSAND = re.compile(r"&(?=([#A-Za-z]))?")
# What would notify a whole channel, workspace or user group; RedAlert itself never writes these.
# `](` is where slackv3's converter (and Markdown) would read a link with a label.
_LINK_TARGET = re.compile(r"\](?=\()")
BROADCAST = re.compile(r"<!(?:channel|here|everyone|subteam\^)[^<>]*>", re.IGNORECASE)


def escape(text: str) -> str:
    """Text from users for Slack markup (mrkdwn, replies): no markup, no mentions, whichever path it takes."""
    # An "&" that starts an entity-like run gets a joiner, so "&lt;" typed by someone never decodes to "<".
    text = _AMPERSAND.sub(lambda m: "&amp;" + (WORD_JOINER if m.group(1) else ""), text)
    text = text.replace("<", "&lt;" + WORD_JOINER).replace(">", "&gt;")
    text = _LINK_TARGET.sub("]" + WORD_JOINER, text)
    # The backend posts replies with link_names=true, so a bare "@here" or "@team" would notify people.
    return text.replace("@", "@" + WORD_JOINER)


def plain(text: str) -> str:
    """Text from users for Slack's plain-text places (topic, purpose, Block Kit plain_text): shown as typed, inert."""
    text = text.replace("<", "<" + WORD_JOINER).replace("@", "@" + WORD_JOINER)
    text = _LINK_TARGET.sub("]" + WORD_JOINER, text)
    return _ENTITY_START.sub("&" + WORD_JOINER, text)


def unping(text: str) -> str:
    """A reply that quotes what someone typed: bare @here/@channel/@group and <!…> stop notifying; <@U…> stay."""
    text = _FOREIGN_BRACKET.sub("<" + WORD_JOINER, text)
    text = _ENTITY_START.sub("&" + WORD_JOINER, text)
    text = _LINK_TARGET.sub("]" + WORD_JOINER, text)
    return _BARE_MENTION.sub("@" + WORD_JOINER, text)


def defuse_broadcasts(text: str) -> str:
    """The last line of defence on anything leaving for Slack: `<!channel>`, `<!here>`, `<!everyone>` and
    `<!subteam^…>` become visible but inert text. User mentions (`<@U…>`) and links are untouched."""
    return BROADCAST.sub(lambda m: "<" + WORD_JOINER + m.group(0)[1:].replace("@", "@" + WORD_JOINER), text)


def defuse_payload(value: Any) -> Any:
    """defuse_broadcasts applied to every string in a JSON-like value (Block Kit blocks, attachments)."""
    if isinstance(value, str):
        return defuse_broadcasts(value)
    if isinstance(value, list):
        return [defuse_payload(item) for item in value]
    if isinstance(value, dict):
        return {key: defuse_payload(item) for key, item in value.items()}
    return value


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def severity_label(settings: Settings, value: str) -> str:
    severity = settings.severity(value)
    return severity.label if severity else value


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours or days:
        parts.append(f"{hours}h")
    parts.append(f"{mins}m")
    return " ".join(parts)
