"""What a status page publish sends outside: pure policies from one logged event to outbox messages.

- Atlassian Statuspage (STATUSPAGE_PAGE_ID set): every `status_published` → one "publish" message (the deliverer
  creates the Statuspage incident the first time and updates it after), `status_unpublished` → "withdraw". One
  ordering key per incident: in order, once each (the idempotency key is the event's).
- Webhooks subscribed to `status.published`: the public entry as published, nothing internal.

Only published text goes out: the event's data is what the publisher wrote. A private incident is never published
(the store refuses it), so it has no such event.
"""

from __future__ import annotations

from .incident import Event, EventKind
from .outbox import STATUSPAGE, OutboxMessage, Plan
from .outbox_policies import add_webhooks
from .settings import Settings
from .status_page import IMPACT, worst

KINDS = frozenset({EventKind.STATUS_PUBLISHED, EventKind.STATUS_UNPUBLISHED})
WEBHOOK_EVENT = "status.published"


def statuspage_link(number: int) -> str:
    return f"statuspage:incident:{number}"


def marker(number: int) -> dict:
    """Statuspage metadata naming the incident, so a create repeated after a crash finds the first one."""
    return {"redalert": {"incident": str(number)}}


def incident_fields(event: Event, settings: Settings) -> dict:
    """The Statuspage incident body: name, status, body, the mapped components and their states."""
    data = event.data
    assert event.incident_number is not None, "status page events belong to an incident"
    mapping = settings.status_page.statuspage_components
    components = {mapping[name]: state for name, state in data["components"].items() if name in mapping}
    fields: dict = {
        "name": data["title"],
        "status": data["status"],
        "body": data["body"],
        "components": components,
        "component_ids": list(components),
        "metadata": marker(event.incident_number),
    }
    if data["components"]:
        fields["impact_override"] = IMPACT[worst(list(data["components"].values()))]
    return fields


def plan(event: Event, settings: Settings) -> Plan:
    result = Plan()
    if event.kind not in KINDS or event.incident_number is None:
        return result
    number = event.incident_number
    page = settings.status_page
    if page.statuspage:
        action = "publish" if event.kind == EventKind.STATUS_PUBLISHED else "withdraw"
        payload: dict = {"action": action, "page_id": page.statuspage_page_id, "link": statuspage_link(number)}
        if action == "publish":
            payload["first"] = bool(event.data.get("first"))
            payload["incident"] = incident_fields(event, settings)
        result.messages.append(
            OutboxMessage(
                destination=STATUSPAGE,
                ordering_key=statuspage_link(number),
                idempotency_key=f"{number}:{action}:{event.id}",
                payload=payload,
                incident_number=number,
            )
        )
    if event.kind == EventKind.STATUS_PUBLISHED:
        data = event.data
        public = {
            "incident": number,
            "title": data["title"],
            "status": data["status"],
            "body": data["body"],
            "components": dict(data["components"]),
        }
        add_webhooks(
            result, settings, WEBHOOK_EVENT, f"status-{event.id}", public, event.at, f"status:{number}", number
        )
    return result
