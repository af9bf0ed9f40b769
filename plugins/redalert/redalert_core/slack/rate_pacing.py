"""Client-side pacing under Slack's per-method rate-limit tiers, so a burst of opens never becomes a 429 storm.

Slack limits each method per workspace and app (tier 1-4, per minute) and chat.postMessage per channel (about one
message a second, with short bursts). A token bucket per method (per channel for chat.postMessage) makes a caller
wait for its turn instead of sending a request that Slack would refuse. Buckets start full, as Slack's do, so a
quiet bot still answers a burst at once; pacing only sets in when a minute's budget is spent. 429s that still
happen (other clients on the same app, a stricter Slack) are handled by the Retry-After retry in slack_gateway.

Priorities: when a budget is short, replies to commands and posts in sev1/sev2 incident channels (`URGENT`, the
default) go before digests, reminders, charts and bulk updates (`BULK`). An urgent call reserves its turn in the
queue at once; a bulk call takes a token only when nobody is queued and one token of the burst is left for urgent
calls, and otherwise waits and looks again, so an urgent call arriving meanwhile goes first.

Slack's budgets are per app: replicas on one PostgreSQL take their turns from buckets in the database instead
(`share`, store/rate_buckets.py), and fall back to their own buckets while the database does not answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import IntEnum

log = logging.getLogger(__name__)

# A shared bucket: (key, tokens per second, capacity) -> seconds to wait for the token just taken.
SharedReserve = Callable[[str, float, float], float]
# A shared bucket's token taken only if `headroom` more stay: (key, per second, capacity, headroom) -> 0.0 when
# taken, else the seconds after which to look again (nothing taken).
SharedTakeIfFree = Callable[[str, float, float, float], float]
BULK_RECHECK_SECONDS = 0.25  # at most this long between a bulk caller's looks at a busy bucket
BULK_MIN_PAUSE_SECONDS = 0.001


class Priority(IntEnum):
    URGENT = 0  # replies to commands, posts in sev1/sev2 incident channels, anything not marked
    BULK = 1  # digests, reminders, charts, bulk updates: they yield to any queued urgent call


# After the shared budget fails, pace alone for this long before asking again: a database that is down must not
# add a connection timeout to every Slack call.
SHARED_RETRY_SECONDS = 10.0
SHARED_FAILURE_LOG_SECONDS = 60.0  # a database outage logs one warning a minute, not one per Slack call

# Documented requests per minute for each tier (docs.slack.dev/apis/web-api/rate-limits).
TIER_PER_MINUTE = {"t1": 1.0, "t2": 20.0, "t3": 50.0, "t4": 100.0}
# "Special" methods: auth.test allows "hundreds per minute".
SPECIAL_PER_MINUTE = 600.0
POST_MESSAGE_PER_MINUTE = 60.0  # about one per second per channel
POST_MESSAGE_BURST = 3.0
# Refill a little slower than the documented rate so timing skew between us and Slack does not cost a 429: 5 %
# slower, and 20 ms more per token for the jitter between taking a turn and the request reaching Slack.
SAFETY = 0.95
JITTER_SECONDS = 0.02

# The tier of every method RedAlert calls (reference §3); unknown methods are paced as tier 3.
METHOD_TIERS = {
    "auth.test": "special",
    "conversations.create": "t2",
    "conversations.setTopic": "t2",
    "conversations.setPurpose": "t2",
    "conversations.archive": "t2",
    "conversations.unarchive": "t2",
    "conversations.list": "t2",
    "conversations.invite": "t3",
    "conversations.join": "t3",
    "conversations.info": "t3",
    "conversations.members": "t4",
    "pins.add": "t2",
    "bookmarks.add": "t2",
    "usergroups.list": "t2",
    "usergroups.users.list": "t2",
    "users.info": "t4",
    "users.lookupByEmail": "t3",
    "views.open": "t4",
    "views.update": "t4",
    "views.push": "t4",
    "chat.postEphemeral": "t4",
    "conversations.open": "t3",
}
DEFAULT_TIER = "t3"


class TokenBucket:
    """`capacity` tokens, refilled at `per_second`; `reserve` hands out the time at which a token is yours."""

    def __init__(self, per_second: float, capacity: float, clock: Callable[[], float]) -> None:
        self.per_second = per_second
        self.capacity = max(1.0, capacity)
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()

    def reserve(self) -> float:
        """Take a token now or in the future (tokens may go negative: a queue); returns seconds to wait."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.per_second)
        self._stamp = now
        self._tokens -= 1.0
        if self._tokens >= 0:
            return 0.0
        return -self._tokens / self.per_second

    def take_if_free(self, headroom: float) -> float:
        """Take a token only if `headroom` tokens stay (and nobody is queued): 0.0, else seconds until there are."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.per_second)
        self._stamp = now
        needed = 1.0 + headroom - 1e-9  # a float refill may fall a hair short of a whole token
        if self._tokens >= needed:
            self._tokens -= 1.0
            return 0.0
        return (needed - self._tokens) / self.per_second


class RatePacer:
    """One bucket per method (per channel for chat.postMessage): this process's own, or after `share` the
    replicas' common one.

    `scale` multiplies every rate and burst: 1.0 for Slack, and the emulator's `per_minute_scale` in tests.
    """

    def __init__(
        self,
        scale: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.scale = scale
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()
        self._shared: SharedReserve | None = None
        self._shared_take: SharedTakeIfFree | None = None
        self._shared_failed_at = float("-inf")
        self._warned_at = float("-inf")
        self.waited = 0.0  # total seconds callers spent waiting, for tests and logs

    def share(self, reserve: SharedReserve | None, take_if_free: SharedTakeIfFree | None = None) -> None:
        """From now on take turns from buckets shared with other processes (None: this process's own again)."""
        self._shared = reserve
        self._shared_take = take_if_free

    @staticmethod
    def _limits(method: str, channel: str | None) -> tuple[str, float, float]:
        """(bucket key, requests per minute, burst) for a call, by Slack's tier of the method."""
        if method == "chat.postMessage":
            return f"{method}:{channel or ''}", POST_MESSAGE_PER_MINUTE, POST_MESSAGE_BURST
        tier = METHOD_TIERS.get(method, DEFAULT_TIER)
        per_minute = TIER_PER_MINUTE.get(tier, SPECIAL_PER_MINUTE)
        return method, per_minute, per_minute  # Slack's tier budgets are per minute: a minute's worth may come at once

    def _reserve(self, method: str, channel: str | None, priority: Priority = Priority.URGENT) -> float:
        """URGENT: the seconds to wait for the turn just reserved. BULK: 0.0 when a token was taken, else (negative)
        minus the seconds after which to look again."""
        key, per_minute, burst = self._limits(method, channel)
        rate = 1.0 / (60.0 / (per_minute * self.scale * SAFETY) + JITTER_SECONDS)
        capacity = max(1.0, float(int(burst * self.scale)))
        headroom = 1.0 if capacity > 1 else 0.0  # a bulk caller leaves the burst's last token to urgent ones
        shared = self._shared
        if shared is not None and self._clock() - self._shared_failed_at >= SHARED_RETRY_SECONDS:
            # Replicas keep one token of the burst back: a turn taken by one process may reach Slack after the
            # next turn, taken by another, and the two then arrive closer together than the bucket spaced them.
            spare = capacity - 1 if capacity > 2 else capacity
            try:
                if priority is Priority.BULK and self._shared_take is not None:
                    return -self._shared_take(key, rate, spare, headroom)
                return shared(key, rate, spare)
            except Exception:
                now = self._shared_failed_at = self._clock()
                if now - self._warned_at >= SHARED_FAILURE_LOG_SECONDS:
                    self._warned_at = now
                    log.warning("Shared Slack rate budget unavailable; pacing this process alone", exc_info=True)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(rate, capacity, self._clock)
            if priority is Priority.BULK:
                return -bucket.take_if_free(headroom)
            return bucket.reserve()

    def wait_turn(self, method: str, channel: str | None = None, priority: Priority = Priority.URGENT) -> float:
        """Block until this call may go out; returns the seconds waited."""
        waited = 0.0
        while True:
            delay = self._reserve(method, channel, priority)
            if delay >= 0:  # a turn is ours, now or after `delay`
                waited += delay
                if delay > 0:
                    self._sleep(delay)
                break
            # Bulk, and the budget is busy: look again soon (urgent callers go first).
            pause = min(max(-delay, BULK_MIN_PAUSE_SECONDS), BULK_RECHECK_SECONDS)
            waited += pause
            self._sleep(pause)
        with self._lock:
            self.waited += waited
        return waited
