"""A small client of Atlassian Statuspage's REST API v1 (incidents).

STATUSPAGE_API_URL (default https://api.statuspage.io/v1) and STATUSPAGE_API_KEY; the key goes in
`Authorization: OAuth <key>`. Statuspage answers 420 or 429 past its rate limit: both are retried.
"""

from __future__ import annotations

import httpx

from ...domain.outbox import DeliveryFailed
from ..http import env, new_client, send

DEFAULT_URL = "https://api.statuspage.io/v1"


class StatuspageClient:
    def __init__(self, base_url: str | None = None, api_key: str | None = None, http: httpx.Client | None = None):
        self.base_url = (base_url or env("STATUSPAGE_API_URL") or DEFAULT_URL).rstrip("/")
        self._key = api_key if api_key is not None else env("STATUSPAGE_API_KEY", "")
        self._http = http or new_client()

    def _call(self, method: str, path: str, body: dict | None = None) -> dict | list:
        if not self._key:
            raise DeliveryFailed("Statuspage is not set up: STATUSPAGE_API_KEY is needed", retryable=False)
        headers = {"Authorization": f"OAuth {self._key}", "Accept": "application/json"}
        request = self._http.build_request(method, f"{self.base_url}{path}", headers=headers, json=body)
        try:
            response = send(self._http, request, secrets=[self._key])
        except DeliveryFailed as exc:
            if exc.reason.startswith("HTTP 420"):  # Statuspage's older rate-limit answer
                raise DeliveryFailed(exc.reason, retryable=True, retry_after=exc.retry_after) from None
            raise
        try:
            return response.json()
        except ValueError:
            raise DeliveryFailed("Statuspage answered with something that is not JSON", retryable=True) from None

    def _incident(self, method: str, path: str, incident: dict) -> dict:
        found = self._call(method, path, {"incident": incident})
        if not isinstance(found, dict):  # Statuspage answers a write with the incident object
            raise DeliveryFailed("Statuspage answered with something that is not an incident", retryable=True)
        return found

    def create_incident(self, page_id: str, incident: dict) -> dict:
        return self._incident("POST", f"/pages/{page_id}/incidents", incident)

    def update_incident(self, page_id: str, incident_id: str, incident: dict) -> dict:
        return self._incident("PATCH", f"/pages/{page_id}/incidents/{incident_id}", incident)

    def delete_incident(self, page_id: str, incident_id: str) -> None:
        self._call("DELETE", f"/pages/{page_id}/incidents/{incident_id}")

    def find_incident(self, page_id: str, marker: dict) -> dict | None:
        """An incident whose metadata holds `marker` (one created just before a crash that forgot its id)."""
        found = self._call("GET", f"/pages/{page_id}/incidents")
        for incident in found if isinstance(found, list) else []:
            metadata = incident.get("metadata") or {}
            if all(metadata.get(k) == v for k, v in marker.items()):
                return incident
        return None

    def close(self) -> None:
        self._http.close()
