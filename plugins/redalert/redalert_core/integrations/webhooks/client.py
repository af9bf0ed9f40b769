"""Delivering one signed webhook: POST the exact JSON bytes that were signed, with the three Standard Webhooks
headers. 2xx is success; 429, 5xx, timeouts and refused connections are retried; other answers (3xx included: redirects
are not followed) are final, and a 410 Gone (DeliveryFailed.status) tells the caller to disable the endpoint.
The answer may take `timeout` seconds (the spec recommends 15-30); connecting, 5."""

from __future__ import annotations

import json

import httpx

from ...domain.outbox import DeliveryFailed
from ..http import new_client, secret, send
from .signing import sign

CONNECT_SECONDS = 5.0


class WebhookClient:
    def __init__(self, http: httpx.Client | None = None) -> None:
        self._http = http or new_client()

    def deliver(
        self, url: str, secret_spec: str, webhook_id: str, body: dict, timestamp: int, timeout: float = 15.0
    ) -> int:
        """Send `body` to `url`; returns the HTTP status. The signature uses the secret `secret_spec` names."""
        key = secret(secret_spec)
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        try:
            signature = sign(key, webhook_id, timestamp, data)
        except ValueError as exc:  # the reason names the rule, never the secret
            raise DeliveryFailed(str(exc), retryable=False) from None
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
        limits = httpx.Timeout(timeout, connect=min(CONNECT_SECONDS, timeout))
        request = self._http.build_request("POST", url, content=data, headers=headers, timeout=limits)
        # The URL itself may carry a token: it is one of the secrets kept out of any error text.
        return send(self._http, request, secrets=[key, url]).status_code

    def close(self) -> None:
        self._http.close()
