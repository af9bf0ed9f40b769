"""A small client of Trello's REST API for cards (POST /1/cards, PUT /1/cards/{id}, GET /1/lists/{id}/cards) and
the webhook that brings card changes back (POST /1/webhooks/, GET /1/tokens/{token}/webhooks).

TRELLO_API_URL (default https://api.trello.com/1/), TRELLO_API_KEY and TRELLO_TOKEN. As Trello's API reference
declares, the key, the token and the card's fields travel as query parameters. Trello's servers also read a JSON
body, so the fields go there too: a server that reads either finds them, and a description too long for a URL goes
only in the body. URLs therefore hold the credentials: httpx's request logs stay off (integrations/http.py) and
errors are scrubbed of them.
"""

from __future__ import annotations

from typing import Any

import httpx

from ...domain.outbox import DeliveryFailed
from ..http import env, new_client, send

DEFAULT_URL = "https://api.trello.com/1/"
MAX_QUERY_TEXT = 2000  # characters of a text field sent in the URL too; longer ones go only in the JSON body


def query_fields(fields: dict) -> dict[str, str]:
    """`fields` as Trello reads them from a query string: true/false, "null" to clear, long texts left out."""
    query = {}
    for name, value in fields.items():
        if value is None:
            query[name] = "null"
        elif isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif not isinstance(value, str) or len(value) <= MAX_QUERY_TEXT:
            query[name] = str(value)
    return query


class TrelloClient:
    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        token: str | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = (base_url or env("TRELLO_API_URL", DEFAULT_URL)).rstrip("/") + "/"
        self._key = api_key if api_key is not None else env("TRELLO_API_KEY", "")
        self._token = token if token is not None else env("TRELLO_TOKEN", "")
        self._http = http or new_client()

    def _call(self, method: str, path: str, fields: dict) -> Any:
        if not self._key or not self._token:
            raise DeliveryFailed("Trello is not set up: TRELLO_API_KEY and TRELLO_TOKEN are needed", retryable=False)
        params = {"key": self._key, "token": self._token, **query_fields(fields)}
        body = fields if method != "GET" else None  # a GET's fields are its query
        request = self._http.build_request(method, self.base_url + path, params=params, json=body)
        response = send(self._http, request, secrets=[self._key, self._token])
        try:
            return response.json()
        except ValueError:
            raise DeliveryFailed("Trello answered with something that is not JSON", retryable=True) from None

    def create_card(self, fields: dict) -> dict:
        """`fields`: idList (required), name, desc, due, dueComplete, idMembers (comma-separated). The new card."""
        return self._call("POST", "cards", fields)

    def list_cards(self, list_id: str) -> list[dict]:
        """The open cards of a list (GET /1/lists/{id}/cards): id, desc and links."""
        found = self._call("GET", f"lists/{list_id}/cards", {"fields": "id,desc,shortUrl,url"})
        return found if isinstance(found, list) else []

    def update_card(self, card_id: str, fields: dict) -> dict:
        return self._call("PUT", f"cards/{card_id}", fields)

    # --- webhooks (Trello's changes flowing back; domain/trello_inbound.py) ---------------------------------------
    def board_of(self, list_id: str) -> str:
        """The board a list is on (GET /1/lists/{id}): a webhook watches a board."""
        return str(self._call("GET", f"lists/{list_id}", {"fields": "idBoard"})["idBoard"])

    def me(self) -> dict:
        """The member the token acts as (GET /1/members/me): RedAlert's own changes carry its id."""
        return self._call("GET", "members/me", {"fields": "id,username,fullName"})

    def webhooks(self) -> list[dict]:
        """The webhooks made with this token (GET /1/tokens/{token}/webhooks)."""
        found = self._call("GET", f"tokens/{self._token}/webhooks", {})
        return found if isinstance(found, list) else []

    def create_webhook(self, callback: str, model_id: str, description: str) -> dict:
        """POST /1/webhooks/; Trello checks the callback with a HEAD request first and answers 400 if it fails."""
        fields = {"callbackURL": callback, "idModel": model_id, "description": description}
        return self._call("POST", "webhooks/", fields)

    def close(self) -> None:
        self._http.close()
