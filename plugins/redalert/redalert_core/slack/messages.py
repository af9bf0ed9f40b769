"""Texts RedAlert posts: replies, the incident summary (Block Kit with a text fallback), topic and purpose.

Replies pass through Errbot's Markdown conversion, so no line starts with `#` (it would become a header).
User-supplied text is escaped so that it can neither ping @channel nor break out of formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ..domain.incident import Incident
from ..domain.problems import Problem
from ..domain.settings import Settings
from ..domain.tasks import Task
from ..domain.text import clip, duration, escape, severity_label, when

TOPIC_LIMIT = 250
HEADER_LIMIT = 150


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str | None) -> str:
    return f"<#{channel_id}>" if channel_id else "(no channel yet)"


def topic(incident: Incident, settings: Settings) -> str:
    """Plain text (Slack does not format topics), at most 250 characters."""
    return clip(f"{severity_label(settings, incident.severity)} | {incident.description}", TOPIC_LIMIT)


def purpose(incident: Incident, settings: Settings) -> str:
    return clip(
        f"RedAlert incident {incident.number} ({severity_label(settings, incident.severity)}): {incident.description}",
        TOPIC_LIMIT,
    )


def summary(incident: Incident, settings: Settings, invited: list[str]) -> tuple[str, list[dict]]:
    """The summary posted and pinned when an incident opens: the live summary in its first state."""
    return live_summary(
        incident,
        settings,
        status=settings.statuses[0],
        roles={},
        commander=incident.opened_by,
        participants=invited,
        last_update=None,
    )


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
    elif incident.status.value == "opening":
        line += " · still opening (see !incident retry)"
    return line


# --- incident workflow (workflow.py) ---------------------------------------------------------------------------


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
) -> tuple[str, list[dict]]:
    """The pinned summary as it stands now (chat.update after every change): (fallback text, blocks)."""
    label = severity_label(settings, incident.severity)
    description = escape(incident.description)
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
    blocks = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(f"Incident {incident.number}: {incident.description}", 150)},
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
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*Description*\n{description}", 3000)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*Last update*\n{update}", 3000)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*People*\n{who}", 3000)}},
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
    return text, blocks


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
