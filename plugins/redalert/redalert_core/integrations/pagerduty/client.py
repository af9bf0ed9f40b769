"""A small client of PagerDuty's Events API v2 (POST /v2/enqueue; the routing key travels in the body)."""

from __future__ import annotations

import httpx

from ..http import env, new_client, secret, send

DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue"


class PagerDutyClient:
    """`url` defaults to PAGERDUTY_EVENTS_URL, else PagerDuty's own endpoint."""

    def __init__(self, url: str | None = None, http: httpx.Client | None = None) -> None:
        self.url = url or env("PAGERDUTY_EVENTS_URL", DEFAULT_URL)
        self._http = http or new_client()

    def send_event(self, event: dict) -> str:
        """Send one event (its routing_key may be "env:NAME"); returns the dedup_key PagerDuty acknowledged."""
        routing_key = secret(str(event.get("routing_key", "")))
        body = {**event, "routing_key": routing_key}
        request = self._http.build_request("POST", self.url, json=body)
        response = send(self._http, request, secrets=[routing_key])
        try:
            return str(response.json().get("dedup_key") or event.get("dedup_key") or "")
        except ValueError:
            return str(event.get("dedup_key") or "")

    def close(self) -> None:
        self._http.close()
