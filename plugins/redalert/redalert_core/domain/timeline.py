"""Timelines: the events people care about, each told in one line (no Errbot, no Slack). One teller for both logs:
an incident's (`!incident timeline`, the post-mortem) and a problem's history (`!problem show`), so an event that
happens in both (a status change, a task) reads the same in either.

The caller says how to show a person and how to make user text safe for where it goes (Slack markup, Markdown).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from . import api_tokens, outside_actors
from . import events as ev
from . import problem_events as pe
from .event_payload import Payload, Unknown
from .incident import Event
from .links import Link, LinkKind

Show = Callable[[str], str]


def describe(event: Event, person: Show, quote: Show) -> str | None:
    """One line for the event, or None for bookkeeping events (steps, mentions, announcements)."""
    payload = ev.payload_of(event)
    by = _who(event.actor, person, quote, getattr(payload, "by_name", None))
    if isinstance(payload, ev.Opened) and api_tokens.token_name(event.actor):
        return f"Opened through the API by {by} as {quote(payload.severity)}: {quote(payload.description)}"
    return (
        _incident(payload, by, person, quote)
        or _links_and_problems(event, payload, by, quote)
        or _tasks(payload, by, person, quote, _where(event.actor))
    )


def _incident(payload: Payload | Unknown, by: str, person: Show, quote: Show) -> str | None:
    """An incident's own life: opening, the workflow, paging, the status page, closing."""
    match payload:
        case ev.Opened():
            return f"Opened by {by} as {quote(str(payload.severity))}: {quote(str(payload.description))}"
        case ev.AlertReceived():
            state = "resolved" if payload.status == "resolved" else "firing"
            return f"Alert {quote(payload.name)} {state} (from {quote(payload.source)})"
        case ev.SlackPending():
            return "Slack did not answer: the channel, invites and summary follow when it does"
        case ev.Invited():
            return "Invited " + ", ".join(person(u) for u in payload.users)
        case ev.InviteFailed():
            return "Could not invite " + ", ".join(person(u) for u in payload.failed)
        case ev.RoleAssigned():
            return f"{by} made {person(payload.user)} {quote(payload.role)}"
        case ev.StatusChanged():
            note = f": {quote(payload.note)}" if payload.note else ""
            return f"Status {quote(payload.from_ or 'start')} → {quote(payload.to)} by {by}{note}"
        case ev.SeverityChanged():
            return f"Severity {quote(payload.from_ or '?')} → {quote(payload.to)} by {by}"
        case ev.ChannelRenamed():
            return f"Channel renamed to {quote(payload.to)}"
        case ev.UpdatePosted():
            return f"Update by {by}: {quote(payload.text)}"
        case ev.NoteAdded():
            author = f" (message by {person(payload.author)})" if payload.author else ""
            return f"Note by {by}{author}: {quote(payload.text)}"
        case ev.FieldSet():
            return f"{quote(payload.name)} set to {quote(payload.value)} by {by}"
        case ev.TypeChanged():
            return f"Type {quote(payload.from_ or 'none')} → {quote(payload.to)} by {by}"
        case ev.Reminded(to=str(to)) if to:
            return f"Reminder sent to {person(to)} ({quote(payload.reminder)})"
        case ev.Paged():
            return f"{by} paged PagerDuty ({quote(str(payload.severity or '?'))})"
        case ev.StatusPublished():
            return f"Published on the status page by {by} ({quote(str(payload.status))}): {quote(payload.body)}"
        case ev.StatusUnpublished():
            return f"Withdrawn from the status page by {by}"
        case ev.Closed():
            resolution = f": {quote(payload.resolution)}" if payload.resolution else ""
            return f"Closed by {by}{resolution}"
    return None


def _who(actor: str | None, person: Show, quote: Show, by_name: str | None = None) -> str:
    """Who did it: a person, an API token (never shown as a mention), someone in Jira (by the name Jira gave), or
    RedAlert itself."""
    if not actor:
        return "RedAlert"
    if outside_actors.place(actor):
        return quote(outside_actors.named(by_name))
    return api_tokens.describe_actor(actor) if api_tokens.token_name(actor) else person(actor)


def _where(actor: str | None) -> str:
    """' in Jira' for a change made there, else an empty string."""
    place = outside_actors.place(actor)
    return f" in {place}" if place else ""


def _link_text(event: Event, payload: pe.IncidentLinked) -> str:
    here = event.incident_number
    assert here is not None, "link events belong to an incident"
    other = payload.other if payload.source == here else here
    return Link(payload.source, other, LinkKind(payload.link_kind), None, event.at).describe_from(here)


def _links_and_problems(event: Event, payload: Payload | Unknown, by: str, quote: Show) -> str | None:
    """Links between incidents, the incident's problem, and a problem's own history."""
    match payload:
        case pe.IncidentLinked():
            return f"Linked by {by}: {_link_text(event, payload)}"
        case pe.IncidentUnlinked():
            return f"Unlinked from incident {payload.other} by {by}"
        case pe.ProblemLinked():
            return f"Linked to problem P{payload.problem} ({quote(payload.title)}) by {by}"
        case pe.ProblemUnlinked():
            return f"Unlinked from problem P{payload.problem} by {by}"
        case pe.ProblemUpdated(change="status"):
            note = f": {quote(payload.note)}" if payload.note else ""
            return f"Problem P{payload.problem} {payload.from_} → {payload.to} by {by}{note}"
        case pe.ProblemUpdated():
            return f"Problem P{payload.problem} {quote(payload.change)} set by {by}: {quote(payload.text or '')}"
        case pe.ProblemOpened():
            return f"Opened by {by}: {quote(payload.title)}"
        case pe.IncidentAdded():
            return f"Incident {payload.incident} linked by {by}"
        case pe.IncidentRemoved():
            return f"Incident {payload.incident} unlinked by {by}"
        case pe.CauseSet():
            return f"Cause set by {by}: {quote(payload.text)}"
        case pe.WorkaroundSet():
            return f"Workaround set by {by}: {quote(payload.text)}"
        case pe.StaleReminded():
            return "Reminder sent: still investigating with every incident closed"
    return None


def _tasks(payload: Payload | Unknown, by: str, person: Show, quote: Show, where: str) -> str | None:
    """Follow-up tasks, in whichever log they are (`where`: " in Jira" for a change made there)."""
    match payload:
        case pe.TaskCreated():
            extras = []
            if payload.owner:
                extras.append(f"owner {person(payload.owner)}")
            if payload.due:
                extras.append(f"due {payload.due}")
            tail = f" ({', '.join(extras)})" if extras else ""
            return f"Task T{payload.task} added by {by}: {quote(payload.text)}{tail}"
        case pe.TaskDone():
            note = f": {quote(payload.note)}" if payload.note else ""
            return f"Task T{payload.task} done{where} by {by}{note}"
        case pe.TaskReopened():
            return f"Task T{payload.task} reopened{where} by {by}"
        case pe.TaskAssigned():
            return f"Task T{payload.task} assigned to {person(payload.owner)}{where} by {by}"
        case pe.TaskDueChanged():
            return f"Task T{payload.task} now due {payload.due} (set{where} by {by})"
        case pe.TaskNudged():
            return f"Reminder sent to {person(payload.to)}: task T{payload.task} is overdue"
    return None


def entries(events: Sequence[Event], person: Show, quote: Show) -> list[tuple[datetime, str]]:
    """(time, line) for every event worth showing, oldest first."""
    lines = []
    for event in events:
        text = describe(event, person, quote)
        if text is not None:
            lines.append((event.at, text))
    return lines
