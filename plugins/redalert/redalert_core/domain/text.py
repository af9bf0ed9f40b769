"""Text helpers with no Slack and no I/O: making user text inert, clipping, and how times and durations read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .settings import Settings


def escape(text: str) -> str:
    """Text from users, made inert for Slack: no markup, no mentions, no formatting characters."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # The backend posts replies with link_names=true, so a bare "@here" or "@team" would notify people.
    return text.replace("@", "@\u2060")


_BARE_MENTION = re.compile(r"(?<![<\w])@(?=\w)")


def unping(text: str) -> str:
    """A reply that quotes what someone typed: bare @here/@channel/@group stop notifying; <@U…> mentions stay."""
    return _BARE_MENTION.sub("@\u2060", text)


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
