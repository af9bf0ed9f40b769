"""What a workflow's `webhook` action sends (docs/workflows.md): a signed delivery of type `workflow.<name>` to the
webhook the action names, whatever that webhook's `events`.

Its `webhook-id` is `workflow-<run key>`: the run key is one per (incident, workflow, trigger, action), so the
outbox writes it once (its idempotency key) and a receiver sees one id however often it is retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .integrations_config import Webhook
from .outbox import OutboxMessage
from .outbox_policies import Context, incident_data, webhook_message

EVENT_PREFIX = "workflow."


def event_type(workflow: str) -> str:
    return EVENT_PREFIX + workflow


def webhook_id(run_key: str) -> str:
    return f"workflow-{run_key}"


def message(
    hook: Webhook,
    context: Context,
    *,
    incident_type: str,
    fields: Mapping[str, str],
    workflow: str,
    trigger: str,
    run_key: str,
    at: datetime,
) -> OutboxMessage:
    """The incident as stored (as `incident.*` deliveries carry it), its type and custom fields, and which workflow
    run sent it; ordered with the incident's other deliveries to that endpoint."""
    number = context.incident.number
    data = {
        **incident_data(context),
        "type": incident_type or None,
        "fields": dict(fields),
        "workflow": {"name": workflow, "trigger": trigger, "run": run_key},
    }
    return webhook_message(hook, event_type(workflow), webhook_id(run_key), data, at, f"incident:{number}", number)
