"""Delivering status page publishes to Atlassian Statuspage (an outbox destination, see status_outbox_policies.py).

The first publish creates the Statuspage incident and remembers its id (store.remote); later ones update it;
`withdraw` deletes it. A create repeated after a crash finds the first one by its metadata before making another.
The incident channel gets the public link once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain.outbox import DeliveryFailed, OutboxRow
from ..domain.status_outbox_policies import marker
from ..store import Store
from .first_use import FirstUse
from .outbox_delivery import Delivery, notice, notice_channel

if TYPE_CHECKING:
    from ..integrations.statuspage import StatuspageClient


class StatuspageDeliverer:
    def __init__(self, store: Store, client: Callable[[], StatuspageClient] | None = None) -> None:
        self.store = store
        self._client = FirstUse(client or _statuspage_client)

    @property
    def client(self) -> StatuspageClient:
        return self._client.get()

    def __call__(self, row: OutboxRow) -> Delivery:
        payload, number = row.payload, row.incident_number
        incident = self.store.incidents.get(number) if number is not None else None
        if incident is None or incident.is_private:
            raise DeliveryFailed("a private (or unknown) incident is never sent to Statuspage", retryable=False)
        link, page_id = payload["link"], payload["page_id"]
        remembered = self.store.remote.get(link) or {}
        known = remembered.get("incident_id")
        if payload["action"] == "withdraw":
            if known:
                try:
                    self.client.delete_incident(page_id, known)
                except DeliveryFailed as exc:
                    if not exc.reason.startswith("HTTP 404"):  # already gone is what we want
                        raise
            return Delivery(remember={link: {**remembered, "incident_id": None}})
        fields = payload["incident"]
        if known:
            self.client.update_incident(page_id, known, fields)
            return Delivery()
        found = self.client.find_incident(page_id, marker(incident.number))
        created = found or self.client.create_incident(page_id, fields)
        url = created.get("shortlink")
        delivery = Delivery(remember={link: {"incident_id": created["id"], "url": url}})
        channel = notice_channel(incident)
        if channel and url:
            text = f"Incident {number} is on the public status page (Statuspage): {url}"
            delivery.follow_ups.append(notice(channel, text, f"statuspage-link:{number}", number))
        return delivery


def _statuspage_client() -> StatuspageClient:
    from ..integrations.statuspage import StatuspageClient  # imported on first use (services/first_use.py)

    return StatuspageClient()
