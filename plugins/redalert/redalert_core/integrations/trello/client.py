"""A small client of Trello's REST API for cards (POST /1/cards, PUT /1/cards/{id}).

TRELLO_API_URL (default https://api.trello.com/1/), TRELLO_API_KEY and TRELLO_TOKEN. The key and token travel in
an `Authorization: OAuth …` header rather than the query string, so no URL (which tools log) ever carries them.
"""

from __future__ import annotations

import httpx

from ...domain.outbox import DeliveryFailed
from ..http import env, new_client, send

DEFAULT_URL = "https://api.trello.com/1/"


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

    def _call(self, method: str, path: str, params: dict) -> dict:
        if not self._key or not self._token:
            raise DeliveryFailed("Trello is not set up: TRELLO_API_KEY and TRELLO_TOKEN are needed", retryable=False)
        header = f'OAuth oauth_consumer_key="{self._key}", oauth_token="{self._token}"'
        request = self._http.build_request(method, self.base_url + path, json=params, headers={"Authorization": header})
        response = send(self._http, request, secrets=[self._key, self._token])
        try:
            return response.json()
        except ValueError:
            raise DeliveryFailed("Trello answered with something that is not JSON", retryable=True) from None

    def create_card(self, params: dict) -> dict:
        """`params`: idList (required), name, desc, due, dueComplete, idMembers (comma-separated). The new card."""
        return self._call("POST", "cards", params)

    def update_card(self, card_id: str, params: dict) -> dict:
        return self._call("PUT", f"cards/{card_id}", params)

    def close(self) -> None:
        self._http.close()
