"""What the gateway reports about each Slack call, for whoever watches (the metrics, observability/metrics.py).

The gateway knows nothing of Prometheus: it calls an observer, by default one that does nothing.
"""

from __future__ import annotations

from typing import Protocol


class SlackCallObserver(Protocol):
    def call(self, method: str, result: str) -> None:
        """A call finished: result "ok", or Slack's error code once retries are over."""

    def retry(self, method: str, reason: str) -> None:
        """A request is sent again: reason "ratelimited" (429), "server_error" or "connection_error"."""

    def rate_limited(self, method: str) -> None:
        """A 429 that is not retried any more (the wait budget is spent)."""

    def paced(self, method: str, seconds: float) -> None:
        """A call waited `seconds` for its turn under the client-side rate pacing."""


class NoObserver:
    def call(self, method: str, result: str) -> None:
        pass

    def retry(self, method: str, reason: str) -> None:
        pass

    def rate_limited(self, method: str) -> None:
        pass

    def paced(self, method: str, seconds: float) -> None:
        pass


def method_of(url: str) -> str:
    """The Web API method a request URL names (…/api/chat.postMessage → chat.postMessage)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
