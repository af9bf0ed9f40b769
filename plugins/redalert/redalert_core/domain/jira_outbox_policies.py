"""Which Jira Cloud calls a task change causes (pure; the deliverer is services/jira_delivery.py).

With JIRA_PROJECT_KEY set, a task becomes an issue `[INC-12] <text>` (or `[P3] <text>`) with an Atlassian Document
Format description naming the incident and linking its channel, labels `redalert` and `inc-12` (or `p3`), its due
date, priority (JIRA_PRIORITIES by the incident's severity) and assignee (JIRA_USERS; else the deliverer looks the
owner up by email). Done → the transition to the `done` category; reopen → back to `new`/`indeterminate`; owner and
due changes → an edit. A change that came from Jira itself (actor `jira:<accountId>`) sends nothing back.
"""

from __future__ import annotations

from typing import Any

from .incident import Event, EventKind, Incident
from .outbox import JIRA, OutboxMessage
from .outbox_policies import channel_url
from .problems import Problem
from .settings import Settings
from .tasks import Task

FROM_JIRA = "jira:"  # the actor of a change applied from a Jira webhook
MAX_SUMMARY = 255


def issue_link(task_number: int) -> str:
    """Where the issue of a task is remembered (store.remote): {"key", "id", "url"}."""
    return f"jira:task:{task_number}"


def task_of_issue(key: str) -> str:
    """The reverse link, from an issue key to its task: {"task": n}."""
    return f"jira:issue:{key}"


def summary(task: Task) -> str:
    prefix = f"[INC-{task.incident_number}]" if task.incident_number is not None else f"[P{task.problem_number}]"
    return f"{prefix} {' '.join(task.text.split())}"[:MAX_SUMMARY]


def _paragraph(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(parts)}


def _text(text: str, link: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if link:
        node["marks"] = [{"type": "link", "attrs": {"href": link}}]
    return node


def description(task: Task, incident: Incident | None, problem: Problem | None) -> dict[str, Any]:
    """An Atlassian Document: the task's origin, the incident (severity, description) and a link to its channel."""
    content = [_paragraph(_text(f"Follow-up task T{task.number} from RedAlert."))]
    if incident is not None:
        content.append(_paragraph(_text(f"Incident {incident.number} ({incident.severity}): {incident.description}")))
        if incident.channel_id:
            url = channel_url(incident.channel_id)
            content.append(_paragraph(_text("Incident channel: "), _text(url, url)))
    elif problem is not None:
        content.append(_paragraph(_text(f"Problem P{problem.number}: {problem.title}")))
    return {"type": "doc", "version": 1, "content": content}


def labels(task: Task) -> list[str]:
    owner = f"inc-{task.incident_number}" if task.incident_number is not None else f"p{task.problem_number}"
    return ["redalert", owner]


def messages(
    event: Event, task: Task, settings: Settings, incident: Incident | None, problem: Problem | None
) -> list[OutboxMessage]:
    """The Jira outbox rows of one task event (none when Jira is off, the incident private, or Jira caused it)."""
    jira = settings.integrations.jira
    kind = str(event.kind)
    if not jira.enabled or (incident is not None and incident.is_private) or (event.actor or "").startswith(FROM_JIRA):
        return []
    severity = incident.severity if incident is not None else None
    project = jira.project_for(severity)
    if project is None:
        return []
    payload: dict[str, Any] = {"task": task.number, "link": issue_link(task.number), "owner": task.owner}
    if kind == EventKind.TASK_CREATED:
        fields: dict[str, Any] = {
            "project": {"key": project},
            "summary": summary(task),
            "issuetype": {"name": jira.issue_type},
            "description": description(task, incident, problem),
            "labels": labels(task),
        }
        if task.due:
            fields["duedate"] = task.due.isoformat()
        if severity is not None and severity in jira.priorities:
            fields["priority"] = {"name": jira.priorities[severity]}
        payload.update(action="create", fields=fields, account=jira.users.get(task.owner or ""))
    elif kind == EventKind.TASK_DONE:
        payload.update(action="done", categories=["done"])
    elif kind == EventKind.TASK_REOPENED:
        payload.update(action="reopen", categories=["new", "indeterminate"])
    elif kind == EventKind.TASK_ASSIGNED:
        payload.update(action="assign", account=jira.users.get(task.owner or ""))
    elif kind == EventKind.TASK_DUE_CHANGED:
        payload.update(action="due", fields={"duedate": task.due.isoformat() if task.due else None})
    else:
        return []
    log = "i" if event.incident_number is not None else "p"
    key = f"{task.number}:{payload['action']}:{log}{event.id}"
    return [OutboxMessage(JIRA, issue_link(task.number), key, payload, task.incident_number)]
