"""Delivering one outbox row to its system: the destination's client call, plus what to remember and to post after.

Each deliverer returns a Delivery (written in the same transaction that marks the row delivered) or raises
DeliveryFailed. Redelivery after a crash is harmless: PagerDuty dedups by dedup_key, webhook receivers by
webhook-id, a Confluence page is found by its title and a Trello card by its task marker before a second is created.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import task_outbox_policies as task_policies
from ..domain import trello_inbound
from ..domain.incident import Incident
from ..domain.outbox import (
    CONFLUENCE,
    PAGERDUTY,
    SLACK,
    TRELLO,
    WEBHOOK,
    DeliveryFailed,
    OutboxMessage,
    OutboxRow,
)
from ..domain.webhook_rules import DEFAULT_TIMEOUT_SECONDS, default_name, endpoint_key
from ..slack.gateway import SlackError, SlackGateway
from ..store import Store
from .first_use import made_or

if TYPE_CHECKING:
    from ..integrations.confluence import ConfluenceClient
    from ..integrations.pagerduty import PagerDutyClient
    from ..integrations.trello import TrelloClient
    from ..integrations.webhooks import WebhookClient

# Slack answers that no retry will change.
_FINAL_SLACK_ERRORS = {"channel_not_found", "is_archived", "not_in_channel", "invalid_auth", "account_inactive"}


@dataclass
class Delivery:
    remember: dict[str, dict] = field(default_factory=dict)
    follow_ups: list[OutboxMessage] = field(default_factory=list)


def notice(channel_id: str, text: str, key: str, incident_number: int | None) -> OutboxMessage:
    """A message in Slack caused by a delivery, itself delivered through the outbox."""
    return OutboxMessage(
        destination=SLACK,
        ordering_key=f"slack:{channel_id}",
        idempotency_key=key,
        payload={"channel": channel_id, "text": text},
        incident_number=incident_number,
    )


def notice_channel(incident: Incident | None) -> str | None:
    """Where to tell people about an incident: its channel while open, else where it was opened (archived
    channels take no messages)."""
    if incident is None:
        return None
    if not incident.is_closed and incident.channel_id:
        return incident.channel_id
    return incident.origin_channel


class Deliverers:
    def __init__(
        self,
        store: Store,
        gateway: SlackGateway | None,
        clock: Callable[[], datetime],
        *,
        pagerduty: PagerDutyClient | None = None,
        webhooks: WebhookClient | None = None,
        confluence: ConfluenceClient | None = None,
        trello: TrelloClient | None = None,
    ) -> None:
        self.store = store
        self.gateway = gateway
        self.clock = clock
        # The clients are made on first use (services/first_use.py), unless a test gives its own.
        self._pagerduty_client = made_or(pagerduty, _pagerduty_client)
        self._webhook_client = made_or(webhooks, _webhook_client)
        self._confluence_client = made_or(confluence, _confluence_client)
        self._trello_client = made_or(trello, _trello_client)
        # Extra destinations (or replacements) by name: row -> Delivery.
        self.extra: dict[str, Callable[[OutboxRow], Delivery]] = {}
        # Who hears that a webhook was disabled (the plugin sets its admins) and WEBHOOK_TIMEOUT_SECONDS.
        self.admins: Callable[[], Sequence[str]] = tuple
        self.webhook_timeout: Callable[[], float] = lambda: DEFAULT_TIMEOUT_SECONDS

    @property
    def pagerduty(self) -> PagerDutyClient:
        return self._pagerduty_client.get()

    @property
    def webhooks(self) -> WebhookClient:
        return self._webhook_client.get()

    @property
    def confluence(self) -> ConfluenceClient:
        return self._confluence_client.get()

    @property
    def trello(self) -> TrelloClient:
        return self._trello_client.get()

    def deliver(self, row: OutboxRow) -> Delivery:
        handler = self.extra.get(row.destination) or {
            PAGERDUTY: self._pagerduty,
            WEBHOOK: self._webhook,
            CONFLUENCE: self._confluence,
            SLACK: self._slack,
            TRELLO: self._trello,
        }.get(row.destination)
        if handler is None:
            raise DeliveryFailed(f"no deliverer for {row.destination}", retryable=False)
        return handler(row)

    def close(self) -> None:
        clients = (self._pagerduty_client, self._webhook_client, self._confluence_client, self._trello_client)
        for made in (first.made() for first in clients):
            if made is not None:
                made.close()

    # --- destinations -------------------------------------------------------------------------------------------
    def _pagerduty(self, row: OutboxRow) -> Delivery:
        self.pagerduty.send_event(row.payload)
        return Delivery()

    def _webhook(self, row: OutboxRow) -> Delivery:
        """A 410 Gone disables the endpoint (Standard Webhooks 1.0: stop sending): its rows are not sent until an
        admin enables it, and the admins hear of it once, instead of a warning per row in incident channels."""
        payload = row.payload
        endpoint, name = endpoint_key(payload["url"]), payload.get("name") or default_name(payload["url"], set())
        if self.store.webhook_states.get(endpoint) is not None:
            raise DeliveryFailed(
                f"not sent: webhook {name} is disabled (its receiver answered 410 Gone)", retryable=False, quiet=True
            )
        timestamp = int(self.clock().timestamp())
        try:
            self.webhooks.deliver(
                payload["url"], payload["secret"], payload["id"], payload["body"], timestamp, self.webhook_timeout()
            )
        except DeliveryFailed as failure:
            if failure.status != 410:
                raise
            self._disable_webhook(endpoint, name, failure.reason)
            reason = f"{failure.reason}; webhook {name} is now disabled"
            raise DeliveryFailed(reason, retryable=False, status=410, quiet=True) from None
        return Delivery()

    def _disable_webhook(self, endpoint: str, name: str, reason: str) -> None:
        now = self.clock()
        text = (
            f":no_entry: Webhook {name} is disabled: its receiver answered 410 Gone, which under the Standard "
            "Webhooks rules means it wants no more deliveries, so RedAlert sends it nothing more. When it is back, "
            f"an admin can turn it on again with `!incident webhook enable {name}`."
        )
        with self.store.transaction():
            if self.store.webhook_states.disable(endpoint, name, reason, now):
                for admin in dict.fromkeys(self.admins()):
                    key = f"webhook-gone:{endpoint[:16]}:{now.isoformat()}:{admin}"
                    self.store.outbox.add(notice(admin, text, key, None), now)

    def _slack(self, row: OutboxRow) -> Delivery:
        if self.gateway is None:
            raise DeliveryFailed("Slack is not connected", retryable=True)
        channel = row.payload.get("channel") or self._incident_channel(row.payload["incident"])
        try:
            self.gateway.post_message(channel, row.payload["text"])
        except SlackError as exc:
            raise DeliveryFailed(f"Slack: {exc.describe()}", retryable=exc.code not in _FINAL_SLACK_ERRORS) from None
        return Delivery()

    def _incident_channel(self, number: int) -> str:
        """Where a post for an incident's channel goes (services/channel_posts.py): it may not exist yet."""
        incident = self.store.incidents.get(number)
        if incident is None or incident.is_closed:
            raise DeliveryFailed("the incident's channel is archived", retryable=False, quiet=True)
        if not incident.channel_id:
            # Not an error to tell anyone about: the channel is created when Slack answers, then this is hurried.
            raise DeliveryFailed("waiting for the incident's channel to be created", retryable=True)
        return incident.channel_id

    def _confluence(self, row: OutboxRow) -> Delivery:
        payload = row.payload
        link = payload["link"]
        remembered = self.store.remote.get(link) or {}
        space_id = remembered.get("space_id") or self.confluence.space_id(payload["space_key"])
        title, body = payload["title"], payload["body"]
        page = self.confluence.page(remembered["page_id"]) if remembered.get("page_id") else None
        if page is None:
            # Created before a crash that forgot to remember it? Titles are unique in a space: look first.
            page = self.confluence.find_page(space_id, title)
        if page is None:
            ref = self.confluence.create_page(space_id, title, body, payload.get("parent_id"))
            text = f"Post-mortem of incident {row.incident_number} published in Confluence: {ref.url}"
        else:
            ref = self.confluence.update_page(page.id, title, body, page.version + 1, "Updated by RedAlert")
            text = f"Post-mortem of incident {row.incident_number} updated in Confluence (version {ref.version}): "
            text += ref.url
        delivery = Delivery(remember={link: {"space_id": space_id, "page_id": ref.id, "version": ref.version}})
        delivery.remember[link]["url"] = ref.url
        number = row.incident_number
        channel = notice_channel(self.store.incidents.get(number)) if number is not None else None
        if channel:
            delivery.follow_ups.append(notice(channel, text, f"confluence:{row.id}", number))
        return delivery

    def _card_made_before(self, payload: dict) -> dict | None:
        marker = task_policies.card_marker(payload["task"])
        cards = self.trello.list_cards(payload["params"]["idList"])
        return next((card for card in cards if str(card.get("desc", "")).startswith(marker)), None)

    def _trello(self, row: OutboxRow) -> Delivery:
        payload = row.payload
        if payload["action"] == "webhook":
            return self._trello_webhook(payload)
        link = payload["link"]
        remembered = self.store.remote.get(link) or {}
        card_id = remembered.get("card_id")
        if payload["action"] == "create":
            if card_id:
                return Delivery()  # created before; a redelivery makes no second card
            # Created just before a crash that forgot to remember it? Its description starts with the task's marker.
            card = self._card_made_before(payload) or self.trello.create_card(payload["params"])
            url = card.get("shortUrl") or card.get("url")
            delivery = Delivery(remember={link: {"card_id": card["id"], "url": url}})
            delivery.remember[trello_inbound.card_key(card["id"])] = {"task": payload["task"]}  # webhooks come back
            number = row.incident_number
            channel = notice_channel(self.store.incidents.get(number)) if number is not None else None
            if channel and url:
                text = f"Trello card for task T{payload['task']}: {url}"
                delivery.follow_ups.append(notice(channel, text, f"trello:{row.id}", number))
            return delivery
        if not card_id:
            # The create has not been delivered (it went dead): nothing to update yet.
            raise DeliveryFailed("the card was never created (see the task's create row)", retryable=False)
        self.trello.update_card(card_id, payload["params"])
        return Delivery()

    def _trello_webhook(self, payload: dict) -> Delivery:
        """Register the webhook on the board of TRELLO_LIST_ID unless the token already has it (every start asks;
        only a missing one is made). A 400 is retried: Trello refuses when its HEAD check of the callback fails,
        and the web port may not be listening yet."""
        callback = payload["callback"]
        board = self.trello.board_of(payload["list"])
        me = self.trello.me().get("id")
        found = [h for h in self.trello.webhooks() if h.get("callbackURL") == callback and h.get("idModel") == board]
        if found:
            hook = found[0]
        else:
            try:
                hook = self.trello.create_webhook(callback, board, "RedAlert: tasks done, reopened or assigned")
            except DeliveryFailed as failure:
                if failure.status != 400:
                    raise
                raise DeliveryFailed(failure.reason, retryable=True, status=400, detail=failure.detail) from None
        remember = {"id": hook.get("id"), "board": board, "callback": callback, "member_id": me}
        return Delivery(remember={trello_inbound.WEBHOOK_LINK: remember})


# Imported on first use (services/first_use.py).
def _pagerduty_client() -> PagerDutyClient:
    from ..integrations.pagerduty import PagerDutyClient

    return PagerDutyClient()


def _webhook_client() -> WebhookClient:
    from ..integrations.webhooks import WebhookClient

    return WebhookClient()


def _confluence_client() -> ConfluenceClient:
    from ..integrations.confluence import ConfluenceClient

    return ConfluenceClient()


def _trello_client() -> TrelloClient:
    from ..integrations.trello import TrelloClient

    return TrelloClient()
