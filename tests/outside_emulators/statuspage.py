"""Atlassian Statuspage REST API v1 emulator (incidents and components), from Statuspage's published API reference.

Auth `Authorization: OAuth <api key>` (or `?api_key=`); bodies JSON `{"incident": {...}}`; incident statuses
investigating/identified/monitoring/resolved (and the scheduled ones); component statuses operational,
under_maintenance, degraded_performance, partial_outage, major_outage. Errors are `{"message": ...}` (ErrorEntity):
401 for a bad key, 404 for an unknown page or incident, 422 for invalid fields. The rate limit is 1 request/s per
key over a 60 s rolling window: a 429 with Retry-After beyond it.
"""

from __future__ import annotations

import itertools
import json
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .base import EmulatorBase, RollingLimit, json_response

INCIDENT_STATUSES = (
    "investigating", "identified", "monitoring", "resolved", "scheduled", "in_progress", "verifying", "completed",
)  # fmt: skip
COMPONENT_STATUSES = ("operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage", "")
MAX_NAME, MAX_BODY = 255, 25000
_serial = itertools.count(1)


def new_id() -> str:
    """A 12-character lowercase id shaped like Statuspage's."""
    n, out = next(_serial), ""
    alphabet = string.digits + string.ascii_lowercase
    for _ in range(12):
        n, digit = divmod(n * 7919 + 13, 36)
        out += alphabet[digit]
    return out


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Incident:
    id: str
    page_id: str
    name: str
    status: str
    impact: str
    components: dict[str, str]
    metadata: dict
    created_at: str
    updated_at: str
    updates: list[dict] = field(default_factory=list)  # newest first, as Statuspage lists them
    resolved_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "page_id": self.page_id,
            "name": self.name,
            "status": self.status,
            "impact": self.impact,
            "shortlink": f"https://stspg.io/{self.id[:6]}",
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "resolved_at": self.resolved_at,
            "metadata": self.metadata,
            "components": [{"id": cid, "status": status} for cid, status in self.components.items()],
            "incident_updates": list(self.updates),
        }


class StatuspageEmulator(EmulatorBase):
    name = "statuspage"
    url_suffix = "/v1"

    def __init__(self, api_key: str = "sp-key-0123456789abcdef", clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.api_key = api_key
        self.limit = RollingLimit(60, 60, clock)
        self.pages: dict[str, dict[str, str]] = {}  # page id -> component id -> status
        self._incidents: dict[str, Incident] = {}

    def add_page(self, page_id: str, components: list[str]) -> None:
        with self._cond:
            self.pages[page_id] = dict.fromkeys(components, "operational")

    @property
    def incidents(self) -> list[Incident]:
        with self._cond:
            return list(self._incidents.values())

    def wait_for_incident(self, predicate: Callable[[Incident], bool], timeout: float = 10.0) -> Incident:
        return self.wait_for(lambda: next((i for i in self._incidents.values() if predicate(i)), None), timeout)

    # --- HTTP ---------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        base = "/v1/pages/{page_id}"
        one = base + "/incidents/{incident_id}"
        for method, path, action in (
            ("POST", base + "/incidents", self._create),
            ("GET", base + "/incidents", self._list),
            ("GET", one, self._get),
            ("PATCH", one, self._update),
            ("PUT", one, self._update),
            ("DELETE", one, self._delete),
            ("PATCH", base + "/components/{component_id}", self._component),
        ):
            app.router.add_route(method, path, self._handler(action))

    def _handler(self, action: Callable[[dict, dict], web.Response]) -> Callable:
        async def handle(request: web.Request) -> web.Response:
            return await self._handle(request, action)

        return handle

    def _error_body(self, status: int) -> Any:
        messages = {401: "Could not authenticate", 404: "Not found", 429: "Rate limit exceeded"}
        return {"message": messages.get(status, "Service unavailable")}

    async def _handle(self, request: web.Request, action: Callable[[dict, dict], web.Response]) -> web.Response:
        header = request.headers.get("Authorization", "")
        key = header[len("OAuth ") :] if header.startswith("OAuth ") else request.query.get("api_key")
        if key != self.api_key:
            return json_response(401, self._error_body(401))
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return json_response(400, {"message": "Malformed JSON"})
        with self._cond:
            wait = self.limit.hit(key)
            if wait is not None:
                return json_response(429, self._error_body(429), {"Retry-After": str(wait)})
            page = self.pages.get(request.match_info["page_id"])
            if page is None:
                return json_response(404, self._error_body(404))
            return action(page, {**request.match_info, "body": body})

    def _fields(self, page: dict[str, str], body: Any, creating: bool) -> dict | str:
        """The incident's fields, or the 422 message."""
        incident = body.get("incident") if isinstance(body, dict) else None
        if not isinstance(incident, dict):
            return "incident is missing"
        name = incident.get("name")
        if creating and (not isinstance(name, str) or not name.strip()):
            return "Name can't be blank"
        if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME):
            return f"Name is too long (maximum is {MAX_NAME} characters)"
        if "status" in incident and incident["status"] not in INCIDENT_STATUSES:
            return "Status is invalid"
        text = incident.get("body")
        if text is not None and (not isinstance(text, str) or len(text) > MAX_BODY):
            return f"Body is too long (maximum is {MAX_BODY} characters)"
        components = incident.get("components") or {}
        if not isinstance(components, dict):
            return "Components is invalid"
        for cid, status in components.items():
            if cid not in page:
                return f"Component {cid} was not found"
            if status not in COMPONENT_STATUSES:
                return f"Component status {status} is invalid"
        return incident

    def _create(self, page: dict[str, str], args: dict) -> web.Response:
        fields = self._fields(page, args["body"], creating=True)
        if isinstance(fields, str):
            return json_response(422, {"message": fields})
        stamp = now()
        incident = Incident(
            id=new_id(), page_id=args["page_id"], name=fields["name"], status=fields.get("status") or "investigating",
            impact=fields.get("impact_override") or "none", components={}, metadata=fields.get("metadata") or {},
            created_at=stamp, updated_at=stamp,
        )  # fmt: skip
        self._apply(page, incident, fields, stamp)
        self._incidents[incident.id] = incident
        self._cond.notify_all()
        return json_response(201, incident.to_json())

    def _apply(self, page: dict[str, str], incident: Incident, fields: dict, stamp: str) -> None:
        affected = []
        for cid, status in (fields.get("components") or {}).items():
            affected.append({"code": cid, "name": cid, "old_status": page[cid], "new_status": status})
            page[cid] = status
            incident.components[cid] = status
        incident.name = fields.get("name") or incident.name
        incident.status = fields.get("status") or incident.status
        if incident.status == "resolved" and incident.resolved_at is None:
            incident.resolved_at = stamp
        if fields.get("body"):
            incident.updates.insert(
                0,
                {"id": new_id(), "incident_id": incident.id, "status": incident.status, "body": fields["body"],
                 "created_at": stamp, "display_at": stamp, "updated_at": stamp, "affected_components": affected},
            )  # fmt: skip
        incident.updated_at = stamp

    def _incident(self, args: dict) -> Incident | None:
        found = self._incidents.get(args["incident_id"])
        return found if found is not None and found.page_id == args["page_id"] else None

    def _update(self, page: dict[str, str], args: dict) -> web.Response:
        incident = self._incident(args)
        if incident is None:
            return json_response(404, self._error_body(404))
        fields = self._fields(page, args["body"], creating=False)
        if isinstance(fields, str):
            return json_response(422, {"message": fields})
        self._apply(page, incident, fields, now())
        self._cond.notify_all()
        return json_response(200, incident.to_json())

    def _get(self, page: dict[str, str], args: dict) -> web.Response:
        incident = self._incident(args)
        return json_response(200, incident.to_json()) if incident else json_response(404, self._error_body(404))

    def _list(self, page: dict[str, str], args: dict) -> web.Response:
        mine = [i for i in self._incidents.values() if i.page_id == args["page_id"]]
        return json_response(200, [i.to_json() for i in sorted(mine, key=lambda i: i.created_at, reverse=True)])

    def _delete(self, page: dict[str, str], args: dict) -> web.Response:
        incident = self._incident(args)
        if incident is None:
            return json_response(404, self._error_body(404))
        del self._incidents[incident.id]
        self._cond.notify_all()
        return json_response(200, incident.to_json())

    def _component(self, page: dict[str, str], args: dict) -> web.Response:
        cid = args["component_id"]
        component = args["body"].get("component") if isinstance(args["body"], dict) else None
        if cid not in page:
            return json_response(404, self._error_body(404))
        if not isinstance(component, dict) or component.get("status") not in COMPONENT_STATUSES:
            return json_response(422, {"message": "Status is invalid"})
        page[cid] = component["status"]
        self._cond.notify_all()
        return json_response(200, {"id": cid, "page_id": args["page_id"], "status": page[cid]})
