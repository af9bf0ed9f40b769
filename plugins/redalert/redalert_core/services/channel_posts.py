"""Posts in an incident's channel that do not need Slack to be up: posted now, or queued in the outbox.

An update or a status change is stored whatever Slack does. Its message goes to the channel at once when it can;
it waits in the outbox (destination SLACK, one ordering key per incident, so they go out in the order they were
made, and each once) when the channel does not exist yet, when Slack fails transiently, or when earlier posts of
the incident are still waiting (a later one must not overtake them). The deliverer finds the channel when it is
time (services/outbox_delivery.py); once the channel exists, `hurry` makes the waiting posts due at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from ..domain.incident import Incident
from ..domain.outbox import SLACK, OutboxMessage
from ..slack.gateway import TRANSIENT_ERRORS, SlackError, SlackGateway
from ..store import Store


def ordering_key(number: int) -> str:
    return f"slack:incident:{number}"


def channel_post(number: int, text: str) -> OutboxMessage:
    """A message for the incident's channel, whichever channel that is when it is delivered."""
    return OutboxMessage(
        destination=SLACK,
        ordering_key=ordering_key(number),
        idempotency_key=f"channel-post:{number}:{uuid.uuid4().hex}",
        payload={"incident": number, "text": text},
        incident_number=number,
    )


class ChannelPosts:
    def __init__(self, store: Store, gateway: Callable[[], SlackGateway], clock: Callable[[], datetime]) -> None:
        self.store = store
        self._gateway = gateway  # read on every post: tests replace the service's gateway
        self.clock = clock

    def post(self, incident: Incident, text: str) -> str | None:
        """Post `text` in the incident's channel now (its ts) or queue it (None). Raises SlackError when Slack
        refused it for good (the channel is gone, a missing scope): waiting would not help."""
        ts = self.try_now(incident, text)
        if ts is None:
            self.queue(incident.number, text)
        return ts

    def try_now(self, incident: Incident, text: str) -> str | None:
        """The post's ts, or None when it must wait (no channel yet, earlier posts waiting, Slack failing)."""
        if not incident.channel_id or self.store.outbox.waiting(ordering_key(incident.number)):
            return None
        try:
            return self._gateway().post_message(incident.channel_id, text)
        except SlackError as exc:
            if exc.code not in TRANSIENT_ERRORS:
                raise
            return None

    def queue(self, number: int, text: str) -> None:
        """Queue the post in the outbox (in the caller's transaction, if any)."""
        self.store.outbox.add(channel_post(number, text), self.clock())

    def hurry(self, number: int) -> bool:
        """The channel exists now: the incident's waiting posts are due at once (not at their next backoff).
        False when none waits."""
        key = ordering_key(number)
        if not self.store.outbox.waiting(key):
            return False
        self.store.outbox.due_now(key, self.clock())
        return True
