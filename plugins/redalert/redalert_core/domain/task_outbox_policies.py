"""Which outside calls a task or problem change causes (pure, like outbox_policies.py for incidents).

- Trello (TRELLO_LIST_ID set): a task becomes a card `[INC-12] <text>` or `[P3] <text>` in that list, with a
  description naming its incident or problem and the channel, its due date and its owner when TRELLO_MEMBERS maps
  them; done → dueComplete and moved to TRELLO_DONE_LIST_ID when set; reopened → back; owner and due changes
  update the card. All of one task's calls share an ordering key, so the create always comes first.
- Webhooks: task.created, task.done, and problem.updated for every change of a problem's own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import jira_outbox_policies
from .events import payload_of
from .incident import Event, EventKind, Incident
from .outbox import TRELLO, OutboxMessage, Plan
from .outbox_policies import add_webhooks, channel_url, iso
from .problems import Problem
from .settings import Settings
from .tasks import Task

TASK_KINDS = frozenset(
    {
        EventKind.TASK_CREATED,
        EventKind.TASK_DONE,
        EventKind.TASK_REOPENED,
        EventKind.TASK_ASSIGNED,
        EventKind.TASK_DUE_CHANGED,
    }
)
# A problem's own changes (its tasks and reminders have their own meaning).
PROBLEM_KINDS = frozenset(
    {
        EventKind.PROBLEM_OPENED,
        EventKind.INCIDENT_ADDED,
        EventKind.INCIDENT_REMOVED,
        EventKind.STATUS_CHANGED,
        EventKind.CAUSE_SET,
        EventKind.WORKAROUND_SET,
    }
)
MAX_DESC = 16000


def card_link(task_number: int) -> str:
    return f"trello:task:{task_number}"


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    task: Task | None = None  # after the change
    incident: Incident | None = None  # the task's incident
    problem: Problem | None = None  # the task's problem, or the problem that changed


def card_name(task: Task) -> str:
    prefix = f"[INC-{task.incident_number}]" if task.incident_number is not None else f"[P{task.problem_number}]"
    return f"{prefix} {task.text}"


def card_marker(task_number: int) -> str:
    """The first line of a task's card description: how a card created before a crash is recognised."""
    return f"Follow-up task T{task_number} from RedAlert."


def card_description(task: Task, incident: Incident | None, problem: Problem | None) -> str:
    lines = [card_marker(task.number)]
    if incident is not None:
        lines.append(f"Incident {incident.number} ({incident.severity}): {incident.description}")
        if incident.channel_id:
            lines.append(f"Channel: {channel_url(incident.channel_id)}")
    elif problem is not None:
        lines.append(f"Problem P{problem.number}: {problem.title}")
    return "\n".join(lines)[:MAX_DESC]


def task_data(task: Task) -> dict:
    return {
        "number": task.number,
        "text": task.text,
        "incident_number": task.incident_number,
        "problem_number": task.problem_number,
        "owner": task.owner,
        "due": task.due.isoformat() if task.due else None,
        "created_by": task.created_by,
        "created_at": iso(task.created_at),
        "done_at": iso(task.done_at),
        "done_by": task.done_by,
    }


def problem_data(problem: Problem) -> dict:
    return {
        "number": problem.number,
        "title": problem.title,
        "status": str(problem.status),
        "cause": problem.cause,
        "workaround": problem.workaround,
        "incidents": list(problem.incidents),
        "opened_by": problem.opened_by,
        "opened_at": iso(problem.opened_at),
    }


def plan(event: Event, ctx: TaskContext) -> Plan:
    result = Plan()
    kind = str(event.kind)
    if kind in TASK_KINDS and ctx.task is not None:
        _trello(kind, event, ctx.task, ctx, result)
        result.messages += jira_outbox_policies.messages(event, ctx.task, ctx.settings, ctx.incident, ctx.problem)
        _task_webhooks(kind, event, ctx.task, ctx, result)
    elif kind in PROBLEM_KINDS and event.problem_number is not None and ctx.problem is not None:
        change = {"what": kind, "by": event.actor, **payload_of(event).to_data()}
        data = {**problem_data(ctx.problem), "change": change}
        subject = f"problem:{ctx.problem.number}"
        add_webhooks(result, ctx.settings, "problem.updated", f"problem-event-{event.id}", data, event.at, subject)
    return result


def _task_webhooks(kind: str, event: Event, task: Task, ctx: TaskContext, result: Plan) -> None:
    event_type = {EventKind.TASK_CREATED.value: "task.created", EventKind.TASK_DONE.value: "task.done"}.get(kind)
    if event_type is None or (ctx.incident is not None and ctx.incident.is_private):
        return
    # Incident and problem logs number their events separately: the id says which log.
    log = "event" if event.incident_number is not None else "problem-event"
    webhook_id = f"{log}-{event.id}"
    subject = f"task:{task.number}"
    add_webhooks(result, ctx.settings, event_type, webhook_id, task_data(task), event.at, subject, task.incident_number)


def _trello(kind: str, event: Event, task: Task, ctx: TaskContext, result: Plan) -> None:
    integrations = ctx.settings.integrations
    if not integrations.trello or (ctx.incident is not None and ctx.incident.is_private):
        return
    member = integrations.trello_members.get(task.owner or "")
    if kind == EventKind.TASK_CREATED:
        params: dict = {
            "idList": integrations.trello_list_id,
            "name": card_name(task),
            "desc": card_description(task, ctx.incident, ctx.problem),
            "pos": "bottom",
        }
        if task.due:
            params["due"] = task.due.isoformat()
        if member:
            params["idMembers"] = member
        action = "create"
    elif kind == EventKind.TASK_DONE:
        params = {"dueComplete": True}
        if integrations.trello_done_list_id:
            params["idList"] = integrations.trello_done_list_id
        action = "done"
    elif kind == EventKind.TASK_REOPENED:
        params = {"dueComplete": False}
        if integrations.trello_done_list_id:
            params["idList"] = integrations.trello_list_id
        action = "reopen"
    elif kind == EventKind.TASK_ASSIGNED:
        params = {"idMembers": member or ""}
        action = "assign"
    else:
        params = {"due": task.due.isoformat() if task.due else None}
        action = "due"
    log = "i" if event.incident_number is not None else "p"
    result.messages.append(
        OutboxMessage(
            destination=TRELLO,
            ordering_key=card_link(task.number),
            idempotency_key=f"{task.number}:{action}:{log}{event.id}",
            payload={"action": action, "link": card_link(task.number), "task": task.number, "params": params},
            incident_number=task.incident_number,
        )
    )
