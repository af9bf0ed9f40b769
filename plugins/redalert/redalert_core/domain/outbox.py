"""The transactional outbox's model: messages for outside systems, their delivery states, and the retry rules.

A message is written with the change that causes it and delivered later by the dispatcher. Everything here is
pure: when to try again, when to give up, and how a failed attempt is classified.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus

from .redaction import scrub_tokens

# The systems a message can go to; each has a deliverer in services/outbox_delivery.py.
PAGERDUTY = "pagerduty"
WEBHOOK = "webhook"
CONFLUENCE = "confluence"
TRELLO = "trello"
SLACK = "slack"  # a notice in an incident channel caused by a delivery (a page link, a dead-letter warning)
STATUSPAGE = "statuspage"
JIRA = "jira"

DEFAULT_GIVE_UP = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=5)
# A page or a notification is worth little late: once the other side is back, a waiting row goes out within a
# minute. Only each ordering key's oldest row is tried, so an outage costs one request per key a minute.
MAX_RETRY = timedelta(minutes=1)
MAX_ERROR = 300
MAX_DETAIL = 500


class State(enum.StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"


WAITING = (State.PENDING, State.RETRYING)


@dataclass(frozen=True)
class OutboxMessage:
    """One call to make. `ordering_key`: messages sharing it are delivered oldest first, one at a time.
    `idempotency_key`: unique per destination; writing the same message twice keeps the first."""

    destination: str
    ordering_key: str
    idempotency_key: str
    payload: dict
    incident_number: int | None = None


@dataclass
class OutboxRow:
    id: int
    destination: str
    ordering_key: str
    idempotency_key: str
    payload: dict
    state: State
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    attempts_since: datetime  # when the current run of attempts began (creation or the last requeue)
    incident_number: int | None = None
    last_error: str | None = None  # stored_error(): the short reason, then the admins' detail on later lines
    delivered_at: datetime | None = None

    @property
    def error_reason(self) -> str | None:
        """What everyone may read: a status and a reason RedAlert wrote, never the outside system's body."""
        return self.last_error.split("\n", 1)[0] if self.last_error else None

    @property
    def error_detail(self) -> str | None:
        """What the outside system answered, scrubbed of token-like text: for admins only."""
        if not self.last_error or "\n" not in self.last_error:
            return None
        return self.last_error.split("\n", 1)[1]


def stored_error(reason: str, detail: str | None) -> str:
    """One text column holds both: the reason (one line), then the detail."""
    reason = " ".join(reason.split())
    return f"{reason}\n{detail}" if detail else reason


class DeliveryFailed(Exception):
    """An attempt that did not deliver. `retryable` False: the destination refused it for good (dead at once).
    `reason` is RedAlert's own short text (it is shown in the incident channel) and must never hold a secret or
    the outside system's words; `detail` is what the system answered, kept for admins and scrubbed of tokens.
    `status`: the HTTP answer, when there was one. `quiet`: people were already told another way, so a dead row
    posts no warning in its incident's channel."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        detail: str | None = None,
        status: int | None = None,
        quiet: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason[:MAX_ERROR]
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status
        self.quiet = quiet
        self.detail = scrub_tokens(" ".join(detail.split()))[:MAX_DETAIL] if detail and detail.strip() else None


def status_reason(status: int) -> str:
    """`HTTP 400 (Bad Request)`: the status and its standard phrase, nothing the other side chose."""
    try:
        return f"HTTP {status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return f"HTTP {status}"


def failure_for_status(status: int, detail: str, retry_after: str | None = None) -> DeliveryFailed:
    """HTTP answers that are not success: 429 and 5xx (and 408) are worth retrying, any other 4xx is final."""
    retryable = status == 429 or status == 408 or status >= 500
    return DeliveryFailed(
        status_reason(status),
        retryable=retryable,
        retry_after=parse_retry_after(retry_after),
        detail=detail,
        status=status,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare for these APIs and is treated as absent)."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds)


def backoff(attempts: int, jitter: float) -> timedelta:
    """The wait after the `attempts`-th failure: 5 s doubling up to 1 min, scaled by 0.5-1.0 (`jitter` in [0, 1))
    so that many rows failing together do not retry together."""
    # The exponent is capped: 2**n seconds overflows timedelta after ~45 failures (an hour-long outage).
    base = min(FIRST_RETRY * (2 ** min(max(0, attempts - 1), 16)), MAX_RETRY)
    return base * (0.5 + jitter / 2)


@dataclass(frozen=True)
class Verdict:
    state: State
    next_attempt_at: datetime
    error: str  # the short reason, fit for the incident channel
    detail: str | None = None  # the outside system's answer, scrubbed: admins only

    @property
    def stored(self) -> str:
        return stored_error(self.error, self.detail)


def after_failure(row: OutboxRow, failure: DeliveryFailed, now: datetime, give_up: timedelta, jitter: float) -> Verdict:
    """What becomes of a row whose attempt failed: retried later, or dead (refused for good, or out of time)."""
    attempts = row.attempts + 1
    if not failure.retryable:
        return Verdict(State.DEAD, now, failure.reason, failure.detail)
    wait = backoff(attempts, jitter)
    if failure.retry_after is not None:
        wait = max(wait, timedelta(seconds=failure.retry_after))
    if now + wait - row.attempts_since > give_up:
        hours = give_up.total_seconds() / 3600
        reason = f"gave up after {hours:g} h and {attempts} attempts; last: {failure.reason}"
        return Verdict(State.DEAD, now, reason, failure.detail)
    return Verdict(State.RETRYING, now + wait, failure.reason, failure.detail)


@dataclass
class Plan:
    """What a policy wants done for one event: the messages to write with it."""

    messages: list[OutboxMessage] = field(default_factory=list)
