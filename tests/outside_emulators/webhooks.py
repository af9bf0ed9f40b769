"""A webhook receiver that verifies Standard Webhooks signatures (spec v1.0.0) with its own code.

Any POST path is accepted. A delivery is verified when webhook-id, webhook-timestamp and webhook-signature are present,
the timestamp is within `tolerance` seconds of `clock()`, and one `v1,<base64>` entry of the signature header equals
base64(HMAC-SHA256(secret, "<id>.<timestamp>.<raw body>")), the secret being the base64 after `whsec_`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .base import EmulatorBase

SECRET_PREFIX = "whsec_"


def make_secret(n_bytes: int = 32) -> str:
    """A fresh secret in the spec's `whsec_<base64>` form (24 to 64 random bytes)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(n_bytes)).decode()


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def signature(secret: str, msg_id: str, timestamp: int | str, body: bytes) -> str:
    """The `v1,<base64>` entry for one message (for the receiver's own tests and for test senders)."""
    mac = hmac.new(secret_bytes(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    webhook_id: str | None
    timestamp: int | None
    verified: bool
    reason: str | None  # why verification failed
    duplicate: bool  # a verified delivery whose webhook-id was already received
    status: int  # what the receiver answered

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def type(self) -> str | None:
        try:
            return self.json().get("type")
        except (ValueError, AttributeError):
            return None


class WebhookReceiver(EmulatorBase):
    """`secrets_`: the endpoint's secrets (several while rotating). `reject_unverified` answers 401 to a delivery
    that fails verification (else 200 and it is only flagged); a duplicate webhook-id is answered 200 again.
    `gone = True`: every delivery is recorded and answered `410 Gone`, the spec's "stop sending to me"."""

    name = "webhooks"

    def __init__(
        self,
        secret: str | list[str] | None = None,
        tolerance: float = 300,
        clock: Callable[[], float] = time.time,
        reject_unverified: bool = True,
        port: int = 0,
    ) -> None:
        super().__init__(port=port)
        secrets_ = [secret] if isinstance(secret, str) else list(secret or [make_secret()])
        for value in secrets_:
            if not value.startswith(SECRET_PREFIX):
                raise ValueError("a Standard Webhooks secret starts with whsec_")
            if not 24 <= len(secret_bytes(value)) <= 64:  # fails early on bad base64 too
                raise ValueError("a Standard Webhooks secret holds 24 to 64 bytes")
        self.secrets = secrets_
        self.tolerance = tolerance
        self.clock = clock
        self.reject_unverified = reject_unverified
        self.gone = False
        self._deliveries: list[Delivery] = []

    @property
    def secret(self) -> str:
        return self.secrets[0]

    def url_for(self, path: str = "/hook") -> str:
        return self.base_url + path

    # --- state for tests ---------------------------------------------------------------------------------------
    @property
    def deliveries(self) -> list[Delivery]:
        """Every POST received (verified or not, duplicates included), in arrival order."""
        with self._cond:
            return list(self._deliveries)

    @property
    def unique(self) -> list[Delivery]:
        """Verified deliveries, the first of each webhook-id only."""
        with self._cond:
            return [d for d in self._deliveries if d.verified and not d.duplicate]

    def wait_for_deliveries(self, n: int, timeout: float = 10.0) -> list[Delivery]:
        """Block until n unique verified deliveries arrived; return them."""
        return self.wait_for(lambda: self.unique if len(self.unique) >= n else None, timeout)

    # --- HTTP --------------------------------------------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        app.router.add_post("/{tail:.*}", self._receive)

    def _error_body(self, status: int) -> Any:
        return {"error": f"injected status {status}"}

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        reason = self.verify(headers, body)
        msg_id = headers.get("webhook-id")
        stamp = headers.get("webhook-timestamp", "")
        with self._cond:
            seen = {d.webhook_id for d in self._deliveries if d.verified}
            duplicate = reason is None and msg_id in seen
            status = 401 if reason is not None and self.reject_unverified else 410 if self.gone else 200
            timestamp = int(stamp) if stamp.isdigit() else None
            delivery = Delivery(
                request.path, headers, body, msg_id, timestamp, reason is None, reason, duplicate, status
            )
            self._deliveries.append(delivery)
            self._cond.notify_all()
        if status != 200:
            return web.json_response({"error": reason or "this endpoint is gone"}, status=status)
        return web.json_response({"received": msg_id, "duplicate": duplicate})

    def verify(self, headers: dict[str, str], body: bytes) -> str | None:
        """None when the delivery verifies, else the reason it does not."""
        msg_id, stamp, sig = (headers.get(f"webhook-{h}") for h in ("id", "timestamp", "signature"))
        if not msg_id or not stamp or not sig:
            return "missing webhook-id, webhook-timestamp or webhook-signature"
        try:
            when = int(stamp)
        except ValueError:
            return "webhook-timestamp is not an integer"
        if abs(self.clock() - when) > self.tolerance:
            return "webhook-timestamp is outside the tolerance"
        entries = [e.split(",", 1)[1] for e in sig.split(" ") if e.startswith("v1,")]
        if not entries:
            return "no v1 signature"
        for secret in self.secrets:
            try:
                expected = signature(secret, msg_id, stamp, body).split(",", 1)[1]
            except binascii.Error:
                continue
            if any(hmac.compare_digest(expected.encode(), entry.encode()) for entry in entries):
                return None
        return "no signature matches"
