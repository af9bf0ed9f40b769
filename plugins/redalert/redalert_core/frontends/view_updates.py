"""views.update for open modals, one at a time per view and the newest choice last.

A person may pick one type, then another, quicker than Slack answers: each pick is a block_actions payload carrying
the view's hash at that moment, and each runs on the interactivity pool. Per view, updates run in turn; a pick older
than the one already shown is dropped; and when our own earlier update changed the hash (`hash_conflict` with the
payload's hash), the newer pick is sent again with the hash that update returned. Any other conflict means the view
changed elsewhere (another replica, a submission): the update is dropped — the person's next pick brings a new one.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from ..slack.gateway import SlackError, SlackGateway

log = logging.getLogger(__name__)
REMEMBERED = 1000  # views whose last update is remembered (a modal lives minutes; this is plenty)


class ViewUpdates:
    def __init__(self, gateway: SlackGateway) -> None:
        self.gateway = gateway
        self._guard = threading.Lock()
        self._locks: OrderedDict[str, threading.Lock] = OrderedDict()
        self._shown: OrderedDict[str, tuple[float, str]] = OrderedDict()  # view id -> (pick's time, its hash)

    def _lock(self, view_id: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.setdefault(view_id, threading.Lock())
            self._locks.move_to_end(view_id)
            while len(self._locks) > REMEMBERED:
                self._locks.popitem(last=False)
            return lock

    def show(self, view_id: str, picked_at: float, view_hash: str | None, build: Callable[[], dict]) -> bool:
        """Replace the view with what `build` makes for a pick made at `picked_at` (its action_ts); False when a
        newer pick is already shown or the view changed elsewhere."""
        with self._lock(view_id):
            last = self._shown.get(view_id)
            if last is not None and last[0] >= picked_at:
                return False
            view = build()
            try:
                updated = self.gateway.update_view(view_id, view, view_hash)
            except SlackError as exc:
                if exc.code != "hash_conflict" or last is None:
                    raise
                updated = self.gateway.update_view(view_id, view, last[1])  # our own update moved the hash
            with self._guard:
                self._shown[view_id] = (picked_at, str(updated.get("hash") or ""))
                while len(self._shown) > REMEMBERED:
                    self._shown.popitem(last=False)
            return True
