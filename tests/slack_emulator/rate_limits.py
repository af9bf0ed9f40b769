"""Per-method token buckets modelled on Slack's rate-limit tiers."""

from __future__ import annotations

import math
import time

# Requests per minute for each documented tier.
TIER_PER_MINUTE = {"t1": 1.0, "t2": 20.0, "t3": 50.0, "t4": 100.0}
# Special tier: chat.postMessage is ~1/s per channel; auth.test is "hundreds per minute".
POST_MESSAGE_PER_MINUTE = 60.0
POST_MESSAGE_BURST = 3.0
SPECIAL_DEFAULT_PER_MINUTE = 600.0


class _Bucket:
    def __init__(self, per_minute: float, capacity: float) -> None:
        self.rate = per_minute / 60.0  # tokens per second
        self.capacity = max(1.0, capacity)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> int:
        """Take a token; return 0 on success, else the integer Retry-After seconds."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0
        wait = (1.0 - self.tokens) / self.rate if self.rate > 0 else 60.0
        return max(1, math.ceil(wait))


class RateLimiter:
    """Buckets are keyed per method (and per channel for chat.postMessage); capacity is one minute's budget."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def check(self, method: str, tier: str, channel: str | None) -> int:
        if method == "chat.postMessage":
            key = (method, channel or "")
            per_minute, burst = POST_MESSAGE_PER_MINUTE * self.scale, POST_MESSAGE_BURST * self.scale
        else:
            key = (method, "")
            per_minute = TIER_PER_MINUTE.get(tier, SPECIAL_DEFAULT_PER_MINUTE) * self.scale
            burst = per_minute
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(per_minute, math.floor(burst))
        return bucket.take()
