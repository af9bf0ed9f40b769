"""Client-side pacing under Slack's per-method rate-limit tiers, so a burst of opens never becomes a 429 storm.

Slack limits each method per workspace and app (tier 1-4, per minute) and chat.postMessage per channel (about one
message a second, with short bursts). A token bucket per method (per channel for chat.postMessage) makes a caller
wait for its turn instead of sending a request that Slack would refuse. Buckets start full, as Slack's do, so a
quiet bot still answers a burst at once; pacing only sets in when a minute's budget is spent. 429s that still
happen (other clients on the same app, a stricter Slack) are handled by the Retry-After retry in slack_gateway.

Slack's budgets are per app: replicas on one PostgreSQL take their turns from buckets in the database instead
(`share`, store/rate_buckets.py), and fall back to their own buckets while the database does not answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# A shared bucket: (key, tokens per second, capacity) -> seconds to wait for the token just taken.
SharedReserve = Callable[[str, float, float], float]
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
# Refill a little slower than the documented rate so timing skew between us and Slack does not cost a 429.
SAFETY = 0.95

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
        self._shared_failed_at = float("-inf")
        self._warned_at = float("-inf")
        self.waited = 0.0  # total seconds callers spent waiting, for tests and logs

    def share(self, reserve: SharedReserve | None) -> None:
        """From now on take turns from buckets shared with other processes (None: this process's own again)."""
        self._shared = reserve

    @staticmethod
    def _limits(method: str, channel: str | None) -> tuple[str, float, float]:
        """(bucket key, requests per minute, burst) for a call, by Slack's tier of the method."""
        if method == "chat.postMessage":
            return f"{method}:{channel or ''}", POST_MESSAGE_PER_MINUTE, POST_MESSAGE_BURST
        tier = METHOD_TIERS.get(method, DEFAULT_TIER)
        per_minute = TIER_PER_MINUTE.get(tier, SPECIAL_PER_MINUTE)
        return method, per_minute, per_minute  # Slack's tier budgets are per minute: a minute's worth may come at once

    def _reserve(self, method: str, channel: str | None) -> float:
        key, per_minute, burst = self._limits(method, channel)
        rate, capacity = per_minute * self.scale * SAFETY / 60.0, max(1.0, float(int(burst * self.scale)))
        shared = self._shared
        if shared is not None and self._clock() - self._shared_failed_at >= SHARED_RETRY_SECONDS:
            try:
                return shared(key, rate, capacity)
            except Exception:
                now = self._shared_failed_at = self._clock()
                if now - self._warned_at >= SHARED_FAILURE_LOG_SECONDS:
                    self._warned_at = now
                    log.warning("Shared Slack rate budget unavailable; pacing this process alone", exc_info=True)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = TokenBucket(rate, capacity, self._clock)
            return bucket.reserve()

    def wait_turn(self, method: str, channel: str | None = None) -> float:
        """Block until this call may go out; returns the seconds waited."""
        delay = self._reserve(method, channel)
        with self._lock:
            self.waited += delay
        if delay > 0:
            self._sleep(delay)
        return delay
