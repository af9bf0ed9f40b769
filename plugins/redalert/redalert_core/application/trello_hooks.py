"""Trello, both ways: register the board's webhook (through the outbox, at start) and apply what it brings back.

A mixin of RedAlertApp (app.py). TRELLO_APP_SECRET signs Trello's requests; REDALERT_WEB_URL + HOOK_PATH is the
callback Trello must reach (docs/integrations.md).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from ..domain import trello_inbound as inbound
from ..domain.outbox import TRELLO, OutboxMessage
from ..integrations.trello_hook_env import app_secret, trello_callback
from ..services.incidents import IncidentService
from ..services.trello_inbound import Applied, TrelloInbound
from ..store import Store
from .clock import Clock
from .errors import ServiceError


class NotTrello(ServiceError):
    """The request is not signed by Trello for this callback (the route answers 401; nothing changed)."""


class TrelloUseCases:
    store: Store
    clock: Clock
    incidents: IncidentService
    trello_inbound: TrelloInbound

    def register_trello_webhook(self) -> bool:
        """Ask the outbox to make sure the board's webhook exists (never blocks: the leader delivers it, retried).
        One row per start: the deliverer looks before it creates, so a restart never makes a second webhook."""
        integrations = self.incidents.settings.integrations
        callback = trello_callback()
        if not integrations.trello or callback is None:
            return False
        now: datetime = self.clock()
        message = OutboxMessage(
            destination=TRELLO,
            ordering_key=inbound.WEBHOOK_LINK,
            idempotency_key=f"trello-webhook:{integrations.trello_list_id}:{uuid.uuid4().hex}",  # one per start
            payload={"action": "webhook", "callback": callback, "list": integrations.trello_list_id},
        )
        with self.store.transaction():
            return self.store.outbox.add(message, now)

    def receive_trello_webhook(self, body: bytes, signature: str | None) -> Applied:
        """One webhook request from Trello: verified (else NotTrello, nothing changes), then applied once."""
        callback = trello_callback()
        if callback is None or not inbound.verify(body, callback, app_secret(), signature):
            raise NotTrello("This request is not signed by Trello for this address.")
        try:
            payload = json.loads(body)
        except ValueError:
            return Applied(why="not JSON")
        change = inbound.card_change(payload, self.incidents.settings.integrations.trello_done_list_id)
        if change is None:
            return Applied(why="not about a task's card")
        return self.trello_inbound.apply(change)
