"""The API's JSON for an incident (openapi.json's Incident schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...application.results import AlertsReceived, ApiIncident


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def incident(view: ApiIncident) -> dict[str, Any]:
    found = view.incident
    body: dict[str, Any] = {
        "number": found.number,
        "severity": found.severity,
        "description": found.description,
        "status": view.status,
        "private": found.is_private,
        "opened_at": _time(found.opened_at),
        "closed_at": _time(found.closed_at),
        "type": found.incident_type,
        "fields": dict(view.fields),  # a multi_select's choices separated by commas, as stored
    }
    if found.channel_id:
        body["channel"] = {"id": found.channel_id, "name": found.channel_name or ""}
    elif not found.is_closed:
        body["slack"] = "pending"
    if found.resolution:
        body["resolution"] = found.resolution
    if view.timeline is not None:
        body["timeline"] = [{"at": _time(at), "text": text} for at, text in view.timeline]
    if view.warnings:
        body["warnings"] = list(view.warnings)
    return body


def alerts_received(received: AlertsReceived) -> dict[str, Any]:
    """What an alert notification did (openapi.json's AlertsReceived schema)."""
    return {
        "incident": received.incident,
        "opened": received.opened,
        "previous_incident": received.previous_incident,
        "new_alerts": received.new_alerts,
        "repeats": received.repeats,
        "changed": received.changed,
        "ignored": received.ignored,
        "status": received.status,
    }
