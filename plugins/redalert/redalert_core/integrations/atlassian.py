"""What Jira's and Confluence's clients share: an Atlassian Cloud site, HTTP Basic auth of an account's email and
API token (kept out of every error and log: integrations/http.py), and JSON answers."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from ..domain.outbox import DeliveryFailed
from .http import env, new_client, send


class AtlassianClient:
    product = ""  # as messages name it: "Jira"
    variables = ("", "", "")  # the environment's site URL, email and API token
    api_path = ""  # after the site's base: "/rest/api/3"

    def __init__(
        self,
        base_url: str | None = None,
        email: str | None = None,
        api_token: str | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        url, mail, token = self.variables
        self.base_url = (base_url or env(url) or "").rstrip("/")
        self._email = email if email is not None else env(mail, "")
        self._token = api_token if api_token is not None else env(token, "")
        self._http = http or new_client()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if not self.base_url or not self._email or not self._token:
            url, mail, token = self.variables
            raise DeliveryFailed(f"{self.product} is not set up: {url}, {mail} and {token} are needed", retryable=False)
        basic = base64.b64encode(f"{self._email}:{self._token}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        request = self._http.build_request(method, f"{self.base_url}{self.api_path}{path}", headers=headers, **kwargs)
        return send(self._http, request, secrets=[self._token, basic])

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise DeliveryFailed(f"{self.product} answered with something that is not JSON", retryable=True) from None

    def close(self) -> None:
        self._http.close()
