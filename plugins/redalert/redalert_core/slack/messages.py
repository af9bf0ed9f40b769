"""Texts RedAlert posts: replies, the incident summary (Block Kit with a text fallback), topic and purpose.

Replies pass through Errbot's Markdown conversion, so no line starts with `#` (it would become a header).
User-supplied text goes through domain.text (escape for markup, plain for plain text) so that it can neither ping
@channel nor break out of formatting, whichever path it takes; the gateway and the backend defuse broadcasts once more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from ..domain import api_tokens, outside_actors
from ..domain.incident import Incident
from ..domain.problems import Problem
from ..domain.settings import Settings
from ..domain.tasks import Task
from ..domain.text import clip, duration, escape, plain, severity_label, when
from .blocks import summary_actions

TOPIC_LIMIT = 250
HEADER_LIMIT = 150
SECTION_LIMIT = 3000  # Block Kit's limit on a section's text
FALLBACK_DESCRIPTION = 300  # the notification text of the summary quotes the start; the blocks hold it all


def user(user_id: str) -> str:
    if api_tokens.token_name(user_id):  # an API caller: named as its token, never a mention
        return escape(api_tokens.describe_actor(user_id))
    if outside_actors.place(user_id):  # someone in Jira: texts that know the name say it (timeline.py)
        return f"someone in {outside_actors.place(user_id)}"
    return f"<@{user_id}>"


def channel(channel_id: str | None) -> str:
    return f"<#{channel_id}>" if channel_id else "(no channel yet)"


def topic(incident: Incident, settings: Settings) -> str:
    """Plain text (Slack does not format topics), at most 250 characters."""
    return clip(plain(f"{severity_label(settings, incident.severity)} | {incident.description}"), TOPIC_LIMIT)


def purpose(incident: Incident, settings: Settings) -> str:
    label = severity_label(settings, incident.severity)
    return clip(plain(f"RedAlert incident {incident.number} ({label}): {incident.description}"), TOPIC_LIMIT)


def summary(
    incident: Incident, settings: Settings, invited: list[str], fields: Sequence[tuple[str, str]] = ()
) -> tuple[str, list[dict]]:
    """The summary posted and pinned when an incident opens: the live summary in its first state."""
    return live_summary(
        incident,
        settings,
        status=settings.statuses[0],
        roles={},
        commander=incident.opened_by,
        participants=invited,
        last_update=None,
        fields=fields,
    )


FIELD_LIMIT = 2000  # Block Kit's limit on one text of a section's `fields`
FIELDS_PER_SECTION = 10  # and on how many a section holds


def field_sections(fields: Sequence[tuple[str, str]]) -> list[dict]:
    """The incident's type and custom fields (REDALERT_WORKFLOWS_FILE), `(name, mrkdwn value)` each, already inert."""
    texts = [{"type": "mrkdwn", "text": clip(f"*{escape(name)}*\n{value}", FIELD_LIMIT)} for name, value in fields]
    return [
        {"type": "section", "fields": texts[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(texts), FIELDS_PER_SECTION)
    ]


def closing(
    incident: Incident,
    closed_by: str,
    closed_at: datetime,
    resolution: str | None,
    open_tasks: Sequence[Task] = (),
) -> str:
    text = f"Incident {incident.number} closed by {user(closed_by)} after {duration(closed_at - incident.opened_at)}."
    if resolution:
        text += f"\nResolution: {escape(resolution)}"
    if open_tasks:
        text += f"\nStill open ({len(open_tasks)}): " + "; ".join(task_brief(t) for t in open_tasks[:20])
        if len(open_tasks) > 20:
            text += f"; and {len(open_tasks) - 20} more (`!task list {incident.number}`)"
    return text + "\nThis channel is now archived."


def task_brief(task: Task) -> str:
    """`T7 Fix the alert (<@U…>, due 2026-12-03)` for closing messages and summaries."""
    extras = [user(task.owner) if task.owner else "no owner"]
    if task.due:
        extras.append(f"due {task.due.isoformat()}")
    return f"T{task.number} {escape(clip(task.text, 120))} ({', '.join(extras)})"


def list_line(incident: Incident) -> str:
    line = (
        f"Incident {incident.number} · {incident.severity} · {channel(incident.channel_id)} · "
        f"{escape(clip(incident.description, 80))} · opened {when(incident.opened_at)} by {user(incident.opened_by)}"
    )
    if incident.is_closed and incident.closed_at:
        line += f" · closed {incident.closed_at.strftime('%Y-%m-%d')}"
    elif incident.phase.value == "closing":
        line += " · closing (its channel is being archived)"
    elif incident.phase.value == "opening":
        line += " · still opening (see !incident retry)"
    return line


# --- incident workflow (response.py) ---------------------------------------------------------------------------


def role_lines(roles: dict[str, str], role_names: tuple[str, ...], commander: str) -> list[str]:
    """One line per configured role: who holds it, or that nobody does."""
    lines = []
    for role in role_names:
        holder = commander if role == "commander" else roles.get(role)
        lines.append(f"{role.capitalize()}: {user(holder) if holder else 'unassigned'}")
    return lines


def live_summary(
    incident: Incident,
    settings: Settings,
    *,
    status: str,
    roles: dict[str, str],
    commander: str,
    participants: list[str],
    last_update: tuple[datetime, str, str] | None,
    open_tasks: int = 0,
    problem: Problem | None = None,
    fields: Sequence[tuple[str, str]] = (),
) -> tuple[str, list[dict]]:
    """The pinned summary as it stands now (chat.update after every change): (fallback text, blocks).

    `fields`: the type and custom field values shown under severity and status (see field_sections).

    An open incident's summary carries the Join / Update / Resolve / Close buttons; a closed one's has none.
    """
    label = severity_label(settings, incident.severity)
    description = escape(clip(incident.description, FALLBACK_DESCRIPTION))
    text = (
        f"Incident {incident.number} ({label}, {status}): {description}. Commander {user(commander)}."
        if not incident.is_closed
        else f"Incident {incident.number} ({label}) is closed: {description}."
    )
    who = ", ".join(user(u) for u in participants[:40]) or "nobody yet"
    if len(participants) > 40:
        who += f" and {len(participants) - 40} more"
    update = "No update yet: `!incident update <text>` posts one."
    if last_update:
        at, by, said = last_update
        update = f"{when(at)} by {user(by)}: {escape(said)}"
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(plain(f"Incident {incident.number}: {incident.description}"), HEADER_LIMIT),
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Severity*\n{escape(label)}"},
                {"type": "mrkdwn", "text": f"*Status*\n{escape(status)}"},
                {"type": "mrkdwn", "text": "*Roles*\n" + "\n".join(role_lines(roles, settings.roles, commander))},
                {"type": "mrkdwn", "text": f"*Opened by*\n{user(incident.opened_by)} at {when(incident.opened_at)}"},
            ],
        },
        *field_sections(fields),
        *description_sections(incident.description),
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*Last update*\n{update}", SECTION_LIMIT)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*People*\n{who}", SECTION_LIMIT)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Open tasks*\n{open_tasks}"},
                {"type": "mrkdwn", "text": "*Problem*\n" + problem_brief(problem)},
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "`!incident status|update|lead|role|severity|note|timeline|postmortem|show`; "
                    "`!task add <text> @owner due in 3d`; 📌 a message to add it to the timeline; "
                    "`!incident close [resolution]` when done.",
                }
            ],
        },
    ]
    if not incident.is_closed:
        blocks.append(summary_actions(incident.number, resolved=status == settings.resolved_status))
    return text, blocks


def description_sections(description: str) -> list[dict]:
    """The whole description, escaped, in as many sections as Block Kit's 3,000-character limit needs.

    Cut between words (inside a word only when it alone is too long), never inside an entity or an inert mention.
    """
    chunks, current = [], ""
    title = "*Description*\n"
    for piece in _pieces(description):
        if current.strip() and len(title) + len(escape(current + piece)) > SECTION_LIMIT:
            chunks.append(title + escape(current).strip())
            current, title = "", ""
        current += piece
    chunks.append(title + (escape(current).strip() or "…"))
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def _pieces(text: str) -> list[str]:
    """Words with their following spaces; a word too long for one section is cut into short runs."""
    pieces = []
    for word in re.findall(r"\S+\s*|\s+", text):
        pieces += [word[i : i + 500] for i in range(0, len(word), 500)]
    return pieces


def problem_brief(problem: Problem | None) -> str:
    if problem is None:
        return "none"
    return f"P{problem.number} ({problem.status.value}): {escape(clip(problem.title, 150))}"


def announcement(incident: Incident, settings: Settings) -> str:
    """The first post about an incident in its severity's announcement channel; updates are threaded under it."""
    return (
        f":rotating_light: Incident {incident.number} ({escape(severity_label(settings, incident.severity))}) "
        f"opened by {user(incident.opened_by)}: {escape(incident.description)}\n"
        f"Follow it in {channel(incident.channel_id)}; updates are posted in this thread."
    )


def status_update(incident: Incident, actor: str, text: str, status: str) -> str:
    return f":memo: Update on incident {incident.number} ({status}) from {user(actor)}:\n{escape(text)}"


def update_reminder(incident: Incident, commander: str, since: datetime, now: datetime) -> str:
    return (
        f":alarm_clock: {user(commander)}, incident {incident.number} has had no update for "
        f"{duration(now - since)}. Post one with `!incident update <what is happening>`."
    )


def close_reminder(incident: Incident, commander: str, resolved_at: datetime, now: datetime) -> str:
    return (
        f":alarm_clock: {user(commander)}, incident {incident.number} was resolved {duration(now - resolved_at)} ago "
        "but is still open. Close it with `!incident close [resolution]` when nothing is left to do."
    )
