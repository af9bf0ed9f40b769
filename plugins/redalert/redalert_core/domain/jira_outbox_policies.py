"""Which Jira Cloud calls a task change causes (pure; the deliverer is services/jira_delivery.py).

With JIRA_PROJECT_KEY set, a task becomes an issue `[INC-12] <text>` (or `[P3] <text>`) with an Atlassian Document
Format description naming the incident and linking its channel, labels `redalert`, `inc-12` (or `p3`) and the task's
marker `redalert-task-7` (how a retried create finds the issue a crash left unlinked, and how a webhook names the
task before the link is stored), its due
date, priority (JIRA_PRIORITIES by the incident's severity) and assignee (JIRA_USERS; else the deliverer looks the
owner up by email). Done → the transition to the `done` category; reopen → back to `new`/`indeterminate`; owner and
due changes → an edit. A change that came from Jira itself (actor `jira:<accountId>`) sends nothing back.
"""

from __future__ import annotations

from typing import Any

from .incident import Event, EventKind, Incident
from .outbox import JIRA, OutboxMessage
from .outbox_policies import channel_url
from .outside_actors import JIRA_PREFIX
from .problems import Problem
from .settings import Settings
from .tasks import Task

FROM_JIRA = JIRA_PREFIX  # the actor of a change applied from a Jira webhook (outside_actors.py)
MAX_SUMMARY = 255
LABEL = "redalert"
TASK_MARKER = "redalert-task-"


def issue_link(task_number: int) -> str:
    """Where the issue of a task is remembered (store.remote): {"key", "id", "url"}."""
    return f"jira:task:{task_number}"


def task_of_issue(key: str) -> str:
    """The reverse link, from an issue key to its task: {"task": n}."""
    return f"jira:issue:{key}"


def task_marker(task_number: int) -> str:
    """The label that names the task on its issue, set at the create."""
    return f"{TASK_MARKER}{task_number}"


def marked_task(labels: list[str] | tuple[str, ...]) -> int | None:
    """The task an issue's labels name (RedAlert's label and a task marker), else None."""
    if LABEL not in labels:
        return None
    numbers = {label.removeprefix(TASK_MARKER) for label in labels if label.startswith(TASK_MARKER)}
    return int(numbers.pop()) if len(numbers) == 1 and next(iter(numbers)).isdigit() else None


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
    return [LABEL, owner, task_marker(task.number)]


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
        payload["marker"] = task_marker(task.number)
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
