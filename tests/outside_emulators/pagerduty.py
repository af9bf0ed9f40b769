"""PagerDuty Events API v2 emulator: POST /v2/enqueue per PagerDuty's events-v2 OpenAPI (createV2Event).

Alerts are keyed by (routing_key, dedup_key) like PagerDuty's per-service deduplication: an acknowledge or resolve
applies only to the open alert with the same key sent through the same routing key, otherwise it is accepted (202)
and dropped; a trigger after a resolve opens a new alert."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from .base import EmulatorBase, RollingLimit, json_response

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
MAX_EVENT_BYTES = 512 * 1024


@dataclass(frozen=True)
class Event:
    """One accepted (202) event; `applied` is False when PagerDuty would drop it (no matching open alert)."""

    routing_key: str
    event_action: str
    dedup_key: str
    body: dict[str, Any]
    applied: bool

    @property
    def payload(self) -> dict[str, Any]:
        return self.body.get("payload") or {}


@dataclass
class Alert:
    routing_key: str
    dedup_key: str
    status: str  # triggered | acknowledged | resolved
    summary: str
    source: str
    severity: str
    custom_details: Any
    links: list[dict[str, Any]]
    events: list[Event] = field(default_factory=list)


class _Invalid(Exception):
    def __init__(self, *errors: str) -> None:
        super().__init__(*errors)
        self.errors = list(errors)


class PagerDutyEmulator(EmulatorBase):
    """`routing_keys`: the integration keys that exist (32 characters each); empty accepts any 32-character key.
    `events_per_minute`: the rolling 60 s limit per routing key (429 with Retry-After beyond it); `clock` drives it
    (`emu.limit.clock` can be swapped by a test)."""

    name = "pagerduty"
    url_suffix = "/v2/enqueue"

    def __init__(
        self,
        routing_keys: Iterable[str] = (),
        events_per_minute: int = 120,
        clock: Callable[[], float] = time.monotonic,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.routing_keys: set[str] = set(routing_keys)
        self.limit = RollingLimit(events_per_minute, 60, clock)
        self._events: list[Event] = []
        self._alerts: list[Alert] = []  # every alert ever opened, oldest first

    def add_routing_key(self, key: str) -> None:
        if len(key) != 32:
            raise ValueError("a routing key has 32 characters")
        with self._cond:
            self.routing_keys.add(key)

    # --- state for tests ---------------------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        """Every accepted event, in arrival order."""
        with self._cond:
            return list(self._events)

    def events_for(self, dedup_key: str) -> list[Event]:
        with self._cond:
            return [e for e in self._events if e.dedup_key == dedup_key]

    def actions_for(self, dedup_key: str) -> list[str]:
        return [e.event_action for e in self.events_for(dedup_key)]

    def alert(self, dedup_key: str, routing_key: str | None = None) -> Alert | None:
        """The newest alert with this dedup_key (and routing key, when given)."""
        with self._cond:
            for alert in reversed(self._alerts):
                if alert.dedup_key == dedup_key and routing_key in (None, alert.routing_key):
                    return alert
        return None

    @property
    def alerts(self) -> list[Alert]:
        with self._cond:
            return list(self._alerts)

    def wait_for_events(self, n: int, timeout: float = 10.0) -> list[Event]:
        return self.wait_for(lambda: list(self._events) if len(self._events) >= n else None, timeout)

    def wait_for_alert(self, dedup_key: str, status: str = "triggered", timeout: float = 10.0) -> Alert:
        def found() -> Alert | None:
            alert = self.alert(dedup_key)
            return alert if alert is not None and alert.status == status else None

        return self.wait_for(found, timeout)

    # --- HTTP --------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v2/enqueue", self._enqueue)

    def _error_body(self, status: int) -> Any:
        if status == 429:
            return {"status": "throttle event", "message": "Requests for this service are arriving too quickly."}
        if status == 400:
            return {"status": "invalid event", "message": "Event object is invalid", "errors": ["injected"]}
        return {"status": "unavailable", "message": "Service unavailable, please retry"}

    async def _enqueue(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = self._validate(raw)
        except _Invalid as exc:
            return json_response(
                400, {"status": "invalid event", "message": "Event object is invalid", "errors": exc.errors}
            )
        with self._cond:
            if body["routing_key"] not in self.routing_keys and self.routing_keys:
                return json_response(
                    400,
                    {
                        "status": "invalid event",
                        "message": "Event object is invalid",
                        "errors": ["Invalid routing key"],
                    },
                )
            retry_after = self.limit.hit(body["routing_key"])
            if retry_after is not None:
                resp = self._error_body(429)
                return json_response(429, resp, {"Retry-After": str(retry_after)})
            dedup_key = self._apply(body)
            self._cond.notify_all()
        return json_response(202, {"status": "success", "message": "Event processed", "dedup_key": dedup_key})

    def _validate(self, raw: bytes) -> dict[str, Any]:
        if len(raw) > MAX_EVENT_BYTES:
            raise _Invalid("Event object is larger than 512 KB")
        try:
            body = json.loads(raw)
        except ValueError:
            raise _Invalid("Invalid JSON") from None
        if not isinstance(body, dict):
            raise _Invalid("Event object must be a JSON object")
        errors: list[str] = []
        key = body.get("routing_key")
        if not isinstance(key, str) or not key:
            errors.append("'routing_key' is missing or blank")
        elif len(key) != 32:
            errors.append("'routing_key' must be 32 characters")
        action = body.get("event_action")
        if action not in ACTIONS:
            errors.append("'event_action' must be one of trigger, acknowledge, resolve")
        dedup = body.get("dedup_key")
        if dedup is not None and (not isinstance(dedup, str) or not dedup or len(dedup) > 255):
            errors.append("'dedup_key' must be a non-blank string of at most 255 characters")
        if action in ("acknowledge", "resolve") and not dedup:
            errors.append(f"'dedup_key' is required for {action} events")
        if action == "trigger":
            errors.extend(self._payload_errors(body.get("payload")))
        for link in body.get("links") or []:
            if not isinstance(link, dict) or not link.get("href"):
                errors.append("'links' entries need an 'href'")
        for image in body.get("images") or []:
            if not isinstance(image, dict) or not str(image.get("src", "")).startswith("https://"):
                errors.append("'images' entries need an HTTPS 'src'")
        if errors:
            raise _Invalid(*errors)
        return body

    @staticmethod
    def _payload_errors(payload: Any) -> list[str]:
        if not isinstance(payload, dict):
            return ["'payload' is required for trigger events"]
        errors = []
        summary = payload.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors.append("'payload.summary' is missing or blank")
        elif len(summary) > 1024:
            errors.append("'payload.summary' is longer than 1024 characters")
        if not isinstance(payload.get("source"), str) or not payload["source"].strip():
            errors.append("'payload.source' is missing or blank")
        if payload.get("severity") not in SEVERITIES:
            errors.append("'payload.severity' must be one of critical, error, warning, info")
        stamp = payload.get("timestamp")
        if stamp is not None:
            try:
                datetime.fromisoformat(str(stamp))
            except ValueError:
                errors.append("'payload.timestamp' is not ISO 8601")
        if "custom_details" in payload and not isinstance(payload["custom_details"], dict):
            errors.append("'payload.custom_details' must be an object")
        return errors

    def _apply(self, body: dict[str, Any]) -> str:
        key, action = body["routing_key"], body["event_action"]
        dedup = body.get("dedup_key") or uuid.uuid4().hex
        open_alert = next(
            (
                a
                for a in reversed(self._alerts)
                if a.dedup_key == dedup and a.routing_key == key and a.status != "resolved"
            ),
            None,
        )
        applied = True
        if action == "trigger" and open_alert is None:
            payload = body["payload"]
            open_alert = Alert(
                key,
                dedup,
                "triggered",
                payload["summary"],
                payload["source"],
                payload["severity"],
                payload.get("custom_details"),
                list(body.get("links") or []),
            )
            self._alerts.append(open_alert)
        elif action in ("acknowledge", "resolve"):
            applied = open_alert is not None
            if open_alert is not None and not (action == "acknowledge" and open_alert.status == "acknowledged"):
                open_alert.status = "acknowledged" if action == "acknowledge" else "resolved"
        event = Event(key, action, dedup, body, applied)
        self._events.append(event)
        if open_alert is not None:
            open_alert.events.append(event)
        return dedup
