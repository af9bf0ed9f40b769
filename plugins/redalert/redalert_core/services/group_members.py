"""Members of Slack user groups, each kept for a minute: a group mentioned again and again (every open, every invite,
INCLUDE_IN_INCIDENT) costs one `usergroups.users.list` call a minute, not one per mention."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

GROUP_MEMBERS_TTL = timedelta(minutes=1)


class GroupMembersCache:
    """`fetch(group_id)` answers, by group, for GROUP_MEMBERS_TTL on `clock` (the service's, which tests move).
    A failed fetch is not kept: the next mention asks Slack again."""

    def __init__(self, fetch: Callable[[str], list[str]], clock: Callable[[], datetime]) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[datetime, list[str]]] = {}

    def members(self, group_id: str) -> list[str]:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(group_id)
            if entry is not None and timedelta(0) <= now - entry[0] < GROUP_MEMBERS_TTL:
                return list(entry[1])
        members = list(self._fetch(group_id))
        with self._lock:
            # Expired entries go as new ones come, so the cache holds at most the groups of the last minute.
            self._entries = {g: e for g, e in self._entries.items() if now - e[0] < GROUP_MEMBERS_TTL}
            self._entries[group_id] = (now, members)
        return list(members)
