"""The incident itself as a Jira issue (optional, JIRA_INCIDENT_ISSUE_TYPE): which calls an incident change causes
(pure; delivered by services/jira_delivery.py like task issues, in order per incident).

Opened → an issue `[INC-12] [SEV2 · investigating] <description>` with labels `redalert`, `incident`, `inc-12`,
the marker `redalert-incident-12` (a retried create finds it) and the severity's priority; a severity or status
change → the summary (and priority) edited; the resolved status or closing → the transition to the `done` category.
Not for private incidents. Jira's webhooks about this issue change nothing in RedAlert (it has no task link).
"""

from __future__ import annotations

from typing import Any

from .events import SeverityChanged, StatusChanged, payload_of
from .incident import Event, EventKind, Incident
from .outbox import JIRA, OutboxMessage
from .settings import Settings

MAX_SUMMARY = 255


def incident_issue_link(number: int) -> str:
    """Where the incident's issue is remembered (store.remote): {"key", "id", "url"}; also the ordering key."""
    return f"jira:incident:{number}"


def incident_marker(number: int) -> str:
    """The label that names the incident on its issue."""
    return f"redalert-incident-{number}"


def summary(incident: Incident, status: str) -> str:
    text = " ".join(incident.description.split())
    return f"[INC-{incident.number}] [{incident.severity.upper()} · {status}] {text}"[:MAX_SUMMARY]


def _description(incident: Incident, channel_url: str | None) -> dict[str, Any]:
    lines = [f"Incident {incident.number} from RedAlert ({incident.severity}): {incident.description}"]
    if channel_url:
        lines.append(f"Incident channel: {channel_url}")
    content = [{"type": "paragraph", "content": [{"type": "text", "text": line}]} for line in lines]
    return {"type": "doc", "version": 1, "content": content}


def messages(
    event: Event, incident: Incident, settings: Settings, status: str, opened: bool, channel_url: str | None
) -> list[OutboxMessage]:
    """The rows of one incident event (`opened`: the moment outside systems learn of it, see outbox_policies)."""
    jira = settings.integrations.jira
    project = jira.project_for(incident.severity)
    if not jira.incident_issue_type or project is None or incident.is_private:
        return []
    number, payload_ = incident.number, payload_of(event)
    link = incident_issue_link(number)
    payload: dict[str, Any] = {"incident": number, "link": link, "owner": None}
    fields: dict[str, Any] = {"summary": summary(incident, status)}
    if incident.severity in jira.priorities:
        fields["priority"] = {"name": jira.priorities[incident.severity]}
    if opened:
        fields |= {
            "project": {"key": project},
            "issuetype": {"name": jira.incident_issue_type},
            "description": _description(incident, channel_url),
            "labels": ["redalert", "incident", f"inc-{number}", incident_marker(number)],
        }
        payload.update(action="create", fields=fields, account=None, marker=incident_marker(number))
    elif isinstance(payload_, StatusChanged) and payload_.to == settings.resolved_status:
        payload.update(action="done", categories=["done"])
    elif isinstance(payload_, SeverityChanged | StatusChanged):
        payload.update(action="edit", fields=fields)
    elif event.kind == EventKind.CLOSED:
        payload.update(action="done", categories=["done"])
    else:
        return []
    rows = [OutboxMessage(JIRA, link, f"incident:{number}:{payload['action']}:{event.id}", payload, number)]
    if payload["action"] == "done":  # the summary also says it is resolved
        edit = {**payload, "action": "edit", "fields": fields}
        rows.insert(0, OutboxMessage(JIRA, link, f"incident:{number}:edit:{event.id}", edit, number))
    return rows
