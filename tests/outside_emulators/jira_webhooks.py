"""Jira Cloud's webhook deliveries, as the Jira emulator sends them: a JSON POST per change, from a background
thread in the order the changes happened, signed `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>` when the
webhook has a secret, identified by `X-Atlassian-Webhook-Identifier` (the same on every retry).

Jira Cloud's retry policy: a delivery answered 408, 409, 425, 429 or 5xx, or not answered at all (connection
refused or cut, timeout), is retried, each retry carrying `X-Atlassian-Webhook-Retry: <n>`; any other status ends
it. Jira spreads its retries over up to about half an hour; the emulator waits `delays` seconds instead (`retries`
of them, 5 by default), and a test may hold retries with `pause_retries()` until `resume_retries()`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

RETRIED_STATUSES = frozenset({408, 409, 425, 429})


def retried(status: int) -> bool:
    """Whether Jira retries a delivery that got `status` (0: no answer)."""
    return status == 0 or status >= 500 or status in RETRIED_STATUSES


def hub_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class SentWebhook:
    event: str
    body: bytes
    headers: dict[str, str]
    statuses: list[int] = field(default_factory=list)  # one per attempt (0: no answer)
    gave_up: bool = False  # every retry failed (Jira lists it among the failed webhooks)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def status(self) -> int | None:
        return self.statuses[-1] if self.statuses else None


class WebhookSender:
    def __init__(
        self, cond: threading.Condition, retries: int = 5, delays: tuple[float, ...] = (0.1, 0.2, 0.4, 0.8, 1.6)
    ) -> None:
        self._cond = cond
        self.retries = retries
        self.delays = delays
        self._retrying = threading.Event()
        self._retrying.set()
        self.url: str | None = None
        self.secret: str | None = None
        self.sent: list[SentWebhook] = []
        self._ids = itertools.count(1)
        self._queue: queue.Queue[SentWebhook] = queue.Queue()
        threading.Thread(target=self._run, name="jira-webhooks", daemon=True).start()

    def register(self, url: str, secret: str | None) -> None:
        self.url, self.secret = url, secret

    def send(self, event: str, issue: dict[str, Any], user: dict[str, Any], changelog: dict | None) -> None:
        """Queue one delivery (called under the emulator's lock, so deliveries keep the changes' order)."""
        if self.url is None:
            return
        payload: dict[str, Any] = {"timestamp": int(time.time() * 1000), "webhookEvent": event, "user": user,
                                   "issue": issue}  # fmt: skip
        if changelog is not None:
            payload["issue_event_type_name"] = "issue_generic"
            payload["changelog"] = changelog
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": f"wh-{next(self._ids)}"}
        if self.secret:
            headers["X-Hub-Signature"] = hub_signature(self.secret, body)
        self._queue.put(SentWebhook(event, body, headers))

    def pause_retries(self) -> None:
        """Retries wait (first attempts still go out) until resume_retries()."""
        self._retrying.clear()

    def resume_retries(self) -> None:
        self._retrying.set()

    def post(self, delivery: SentWebhook, url: str | None = None, retry: int = 0) -> int:
        """POST `delivery` once (a replay, when called by a test); its status (0 when there was no answer).
        `retry`: the how-manieth retry this is (sent as X-Atlassian-Webhook-Retry)."""
        headers = {**delivery.headers, **({"X-Atlassian-Webhook-Retry": str(retry)} if retry else {})}
        request = urllib.request.Request(url or self.url or "", data=delivery.body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        with self._cond:
            delivery.statuses.append(status)
            self._cond.notify_all()
        return status

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            with self._cond:
                self.sent.append(delivery)
            for attempt in range(self.retries + 1):
                if attempt:
                    time.sleep(self.delays[min(attempt, len(self.delays)) - 1])
                    self._retrying.wait()
                if not retried(self.post(delivery, retry=attempt)):
                    break
            else:
                with self._cond:
                    delivery.gave_up = True
                    self._cond.notify_all()

    def answered(self) -> list[SentWebhook]:
        """Deliveries that have been answered at least once."""
        with self._cond:
            return [d for d in self.sent if d.statuses]
