"""A small client of PagerDuty's REST API: who is on call now (`GET /oncalls` with the users included).

Base URL from PAGERDUTY_API_URL (default https://api.pagerduty.com), key from PAGERDUTY_API_TOKEN
(`Authorization: Token token=…`). Failures raise DeliveryFailed with a short reason free of the key."""

from __future__ import annotations

import httpx

from ...domain.oncall import OnCallPerson, OnCallTarget
from ...domain.outbox import DeliveryFailed
from ..http import env, new_client, send

DEFAULT_API_URL = "https://api.pagerduty.com"
PAGE = 100
MAX_PAGES = 10  # 1,000 on-call entries is far beyond any escalation policy; stop rather than loop


def configured() -> bool:
    """True when a REST API key is set (without one RedAlert never asks PagerDuty who is on call)."""
    return bool(env("PAGERDUTY_API_TOKEN"))


class PagerDutyRestClient:
    def __init__(self, url: str | None = None, token: str | None = None, http: httpx.Client | None = None) -> None:
        self.url = (url or env("PAGERDUTY_API_URL", DEFAULT_API_URL)).rstrip("/")
        self.token = token if token is not None else env("PAGERDUTY_API_TOKEN", "")
        self._http = http or new_client()

    def oncalls(self, target: OnCallTarget) -> list[OnCallPerson]:
        """Everyone on call now for these policies and schedules, with their email (include[]=users)."""
        if not self.token:
            raise DeliveryFailed("PAGERDUTY_API_TOKEN is not set", retryable=False)
        params: list[tuple[str, str | int]] = [("include[]", "users"), ("limit", PAGE)]
        params += [("escalation_policy_ids[]", p) for p in target.escalation_policies]
        params += [("schedule_ids[]", s) for s in target.schedules]
        people: list[OnCallPerson] = []
        for page in range(MAX_PAGES):
            body = self._get("/oncalls", [*params, ("offset", page * PAGE)])
            for entry in body.get("oncalls") or []:
                person = _person(entry)
                if person is not None:
                    people.append(person)
            if not body.get("more"):
                break
        return people

    def _get(self, path: str, params: list[tuple[str, str | int | float | bool | None]]) -> dict:
        headers = {
            "Authorization": f"Token token={self.token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
            "Content-Type": "application/json",
        }
        request = self._http.build_request("GET", self.url + path, params=params, headers=headers)
        response = send(self._http, request, secrets=[self.token])
        try:
            body = response.json()
        except ValueError:
            raise DeliveryFailed("PagerDuty answered with something other than JSON", retryable=True) from None
        return body if isinstance(body, dict) else {}

    def close(self) -> None:
        self._http.close()


def _person(entry: dict) -> OnCallPerson | None:
    user = entry.get("user") or {}
    if not isinstance(user, dict) or not user.get("id"):
        return None
    schedule = entry.get("schedule") or {}
    return OnCallPerson(
        pagerduty_id=str(user["id"]),
        name=str(user.get("name") or user.get("summary") or user["id"]),
        email=str(user.get("email") or ""),
        level=int(entry.get("escalation_level") or 1),
        escalation_policy=str((entry.get("escalation_policy") or {}).get("id") or ""),
        schedule=str(schedule.get("id")) if isinstance(schedule, dict) and schedule.get("id") else None,
    )
