"""An in-process cache of the Slack lookups the slackv3 backend makes to build identifiers.

The backend builds new person and room objects for every message it sees, and each one asks Slack again
(conversations.info three times, users.info and team.info for a channel message). A busy incident channel then hits
conversations.info's limit of about 50 calls a minute. `IdentifierCache` keeps those answers, bounded (least recently
used entries go first) and for a limited time, so stale names heal by themselves even when no event says so.
`CachedLookups` is what identifiers get instead of the WebClient: the four lookups come from the cache, every other
call goes to the real client unchanged.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

DEFAULT_MAX_ENTRIES = 4096
DEFAULT_TTL_SECONDS = 600.0
# Kinds whose entries live longer than the default TTL (None: until forgotten).
TTL_BY_KIND: dict[str, float | None] = {"team": None}
_MISSING = object()
K = TypeVar("K", bound=Hashable)


class ExpiringLru(Generic[K]):
    """A thread-safe mapping that holds at most `max_entries` values, each for at most `ttl` seconds (None: forever)."""

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[float | None, Any]] = OrderedDict()

    def get(self, key: K, default: Any = None) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            expires, value = entry
            if expires is not None and self._clock() >= expires:
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: Any, ttl: float | None) -> None:
        with self._lock:
            expires = None if ttl is None else self._clock() + ttl
            self._entries[key] = (expires, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, predicate: Callable[[K], bool]) -> int:
        """Drop every key the predicate accepts; returns how many went."""
        with self._lock:
            doomed = [key for key in self._entries if predicate(key)]
            for key in doomed:
                del self._entries[key]
            return len(doomed)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class IdentifierCache:
    """Slack's answers to users.info, bots.info, team.info and conversations.info, keyed by (kind, ID).

    A team's domain is the same for every user, so team entries do not expire: one team.info per process, redone
    only when a team_rename or team_domain_change event arrives.
    """

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._entries: ExpiringLru[tuple[str, str]] = ExpiringLru(max_entries, clock)
        # A lookup that started before a forget() must not store the answer it got (it may predate a rename).
        self._generation = 0
        self._generation_lock = threading.Lock()
        # Lock striping: concurrent first messages from one new person make one users.info, not ten.
        self._load_locks = [threading.Lock() for _ in range(32)]

    def fetch(self, kind: str, key: str, load: Callable[[], Any]) -> Any:
        """The cached answer for (kind, key), or load() stored and returned. Errors from load() are not cached."""
        cache_key = (kind, key)
        value = self._entries.get(cache_key, _MISSING)
        if value is not _MISSING:
            return value
        with self._load_locks[hash(cache_key) % len(self._load_locks)]:
            value = self._entries.get(cache_key, _MISSING)
            if value is not _MISSING:
                return value
            generation = self._generation
            value = load()
            with self._generation_lock:
                if generation == self._generation:
                    self._entries.put(cache_key, value, TTL_BY_KIND.get(kind, self.ttl))
            return value

    def forget(self, kind: str, key: str | None = None) -> int:
        """Drop one entry, or every entry of `kind` when key is None; the next lookup asks Slack again."""
        with self._generation_lock:
            self._generation += 1
            return self._entries.discard(lambda k: k[0] == kind and (key is None or k[1] == key))

    def forget_channel(self, channel_id: str) -> int:
        return self.forget("channel", channel_id)

    def forget_user(self, user_id: str) -> int:
        return self.forget("user", user_id)

    def forget_teams(self) -> int:
        return self.forget("team")

    def __len__(self) -> int:
        return len(self._entries)

    def lookups(self, client: Any) -> CachedLookups:
        """What identifiers should use instead of `client` (a WebClient or an already cached stand-in)."""
        if isinstance(client, CachedLookups):
            return client
        return CachedLookups(client, self)


class CachedLookups:
    """A WebClient stand-in for identifier objects: their lookups come from the cache, other calls pass through.

    Only the exact calls the identifiers make are cached (one keyword argument); any other form asks Slack.
    Writes that change what conversations.info returns (topic, purpose, name) drop that channel's entry.
    """

    _CHANNEL_WRITES = frozenset(
        {"conversations_setTopic", "conversations_setPurpose", "conversations_rename", "conversations_join"}
    )

    def __init__(self, client: Any, cache: IdentifierCache) -> None:
        self.client = client
        self.cache = cache

    def users_info(self, **kwargs: Any) -> Any:
        return self._cached("user", "user", self.client.users_info, kwargs)

    def bots_info(self, **kwargs: Any) -> Any:
        return self._cached("bot", "bot", self.client.bots_info, kwargs)

    def team_info(self, **kwargs: Any) -> Any:
        if not kwargs:  # the bot's own team
            return self.cache.fetch("team", "", self.client.team_info)
        return self._cached("team", "team", self.client.team_info, kwargs)

    def conversations_info(self, **kwargs: Any) -> Any:
        return self._cached("channel", "channel", self.client.conversations_info, kwargs)

    def _cached(self, kind: str, argument: str, method: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        if set(kwargs) != {argument}:
            return method(**kwargs)
        return self.cache.fetch(kind, kwargs[argument], lambda: method(**kwargs))

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if name not in self._CHANNEL_WRITES:
            return attribute

        def write_then_forget(**kwargs: Any) -> Any:
            try:
                return attribute(**kwargs)
            finally:
                if "channel" in kwargs:
                    self.cache.forget_channel(kwargs["channel"])

        return write_then_forget
