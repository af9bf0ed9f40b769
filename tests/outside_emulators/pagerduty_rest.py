"""PagerDuty REST API emulator: `GET /oncalls` and `GET /users/{id}` per PagerDuty's REST OpenAPI (listOnCalls,
getUser; tests/specs/pagerduty-rest-oncalls-users.openapiv3.json).

Auth is `Authorization: Token token=<key>` (401 otherwise); errors are `{"error": {"message", "code", "errors"}}`
with PagerDuty's codes (2001 invalid input, 2006 authentication failed, 2100 not found, 2020 rate limit); the rate
limit is per token over a rolling minute (429 with Retry-After and ratelimit-* headers). On-call entries are seeded:
`add_user`, `add_oncall(policy, user, level, schedule)`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .base import EmulatorBase, RollingLimit, json_response

API = "https://api.pagerduty.com"
WEB = "https://example.pagerduty.com"
INCLUDES = ("escalation_policies", "users", "schedules")


@dataclass(frozen=True)
class PDUser:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class OnCall:
    escalation_policy: str
    user: str
    level: int
    schedule: str | None
    start: str | None
    end: str | None


def _error(status: int, message: str, code: int, errors: list[str] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return json_response(status, {"error": body})


class PagerDutyRestEmulator(EmulatorBase):
    """`tokens`: the REST API keys that work (empty: any non-empty key); `requests_per_minute`: the rolling limit
    per token (PagerDuty's REST limit is 900 a minute per account); `clock` drives it."""

    name = "pagerduty-rest"
    url_suffix = ""

    def __init__(
        self,
        tokens: Iterable[str] = (),
        requests_per_minute: int = 900,
        clock: Callable[[], float] = time.monotonic,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        self.tokens = set(tokens)
        self.limit = RollingLimit(requests_per_minute, 60, clock)
        self._users: dict[str, PDUser] = {}
        self._oncalls: list[OnCall] = []

    # --- seeding -----------------------------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str, email: str) -> PDUser:
        with self._cond:
            self._users[user_id] = PDUser(user_id, name, email)
            return self._users[user_id]

    def add_oncall(
        self,
        escalation_policy: str,
        user_id: str,
        level: int = 1,
        schedule: str | None = None,
        start: str | None = "2024-01-01T00:00:00Z",
        end: str | None = "2099-01-01T00:00:00Z",
    ) -> None:
        with self._cond:
            if user_id not in self._users:
                raise ValueError(f"unknown user {user_id}: add_user first")
            self._oncalls.append(OnCall(escalation_policy, user_id, level, schedule, start, end))

    def clear_oncalls(self) -> None:
        with self._cond:
            self._oncalls.clear()

    # --- HTTP --------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get("/oncalls", self._list_oncalls)
        app.router.add_get("/users/{id}", self._get_user)

    def _error_body(self, status: int) -> Any:
        known = {
            400: ("Invalid Input Provided", 2001),
            401: ("Authentication failed", 2006),
            403: ("Access Denied", 2011),
            404: ("Not Found", 2100),
            429: ("Rate Limit Exceeded", 2020),
        }
        message, code = known.get(status, ("Internal Server Error", 5000))
        return {"error": {"message": message, "code": code}}

    def _gate(self, request: web.Request) -> web.Response | None:
        """401 without a valid token, 429 beyond the rate limit; None lets the request through."""
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Token token=").strip() if auth.startswith("Token token=") else ""
        if not token or (self.tokens and token not in self.tokens):
            return _error(401, "Authentication failed", 2006)
        with self._cond:
            retry_after = self.limit.hit(token)
        if retry_after is not None:
            response = _error(429, "Rate Limit Exceeded", 2020)
            response.headers.update(
                {
                    "Retry-After": str(retry_after),
                    "ratelimit-limit": str(self.limit.limit),
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(retry_after),
                }
            )
            return response
        return None

    async def _list_oncalls(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return refused
        query = request.query
        includes = query.getall("include[]", [])
        bad = [i for i in includes if i not in INCLUDES]
        try:
            limit = int(query.get("limit", "25"))
            offset = int(query.get("offset", "0"))
        except ValueError:
            return _error(400, "Invalid Input Provided", 2001, ["limit and offset must be integers"])
        if bad or not 0 < limit <= 100 or offset < 0:
            errors = [f"include[] {i!r} is not one of {', '.join(INCLUDES)}" for i in bad] or ["limit or offset"]
            return _error(400, "Invalid Input Provided", 2001, errors)
        policies = set(query.getall("escalation_policy_ids[]", []))
        schedules = set(query.getall("schedule_ids[]", []))
        users = set(query.getall("user_ids[]", []))
        with self._cond:
            found = [
                o
                for o in self._oncalls
                if (not policies or o.escalation_policy in policies)
                and (not schedules or o.schedule in schedules)
                and (not users or o.user in users)
            ]
            page = [self._oncall_json(o, includes) for o in found[offset : offset + limit]]
        body: dict[str, Any] = {"oncalls": page, "limit": limit, "offset": offset, "more": offset + limit < len(found)}
        body["total"] = len(found) if query.get("total") == "true" else None
        return json_response(200, body)

    async def _get_user(self, request: web.Request) -> web.Response:
        refused = self._gate(request)
        if refused is not None:
            return refused
        with self._cond:
            user = self._users.get(request.match_info["id"])
        if user is None:
            return _error(404, "Not Found", 2100)
        return json_response(200, {"user": self._user_json(user)})

    def _oncall_json(self, oncall: OnCall, includes: list[str]) -> dict[str, Any]:
        user = self._users[oncall.user]
        policy = _reference("escalation_policy", oncall.escalation_policy, f"Policy {oncall.escalation_policy}")
        out: dict[str, Any] = {
            "escalation_policy": policy,
            "user": self._user_json(user) if "users" in includes else _reference("user", user.id, user.name),
            "schedule": _reference("schedule", oncall.schedule, f"Schedule {oncall.schedule}")
            if oncall.schedule
            else None,
            "escalation_level": oncall.level,
            "start": oncall.start,
            "end": oncall.end,
        }
        if out["schedule"] is None:
            del out["schedule"]
        return out

    @staticmethod
    def _user_json(user: PDUser) -> dict[str, Any]:
        return {
            **_reference("user", user.id, user.name),
            "type": "user",
            "name": user.name,
            "email": user.email,
            "time_zone": "Etc/UTC",
            "role": "user",
        }


def _reference(kind: str, ident: str, summary: str) -> dict[str, Any]:
    plural = {"escalation_policy": "escalation_policies"}.get(kind, kind + "s")
    return {
        "id": ident,
        "type": f"{kind}_reference",
        "summary": summary,
        "self": f"{API}/{plural}/{ident}",
        "html_url": f"{WEB}/{plural}/{ident}",
    }
