"""Delivering task changes to Jira Cloud (an outbox destination, see domain/jira_outbox_policies.py).

The create makes the issue once and remembers it both ways (task → issue, issue → task), with the bot's own
accountId (so webhooks about its own changes are recognised), and posts the issue's link in the incident channel.
Before creating, it searches the project for the issue's marker label (`redalert-task-7`): a create that Jira carried
out just before a crash (or whose answer was lost) is adopted, not made twice.
Done and reopen read the issue first and transition only when its status category differs from what the task says:
a redelivery, or a change that came from Jira, transitions nothing. The assignee is JIRA_USERS' account, else the
Jira account with the owner's Slack email (Slack gives it only with users:read.email), else none, said once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain import jira_outbox_policies as policies
from ..domain.outbox import DeliveryFailed, OutboxRow
from ..slack import messages
from ..slack.gateway import SlackError, SlackGateway
from ..store import Store
from .first_use import FirstUse
from .outbox_delivery import Delivery, notice, notice_channel

if TYPE_CHECKING:
    from ..integrations.jira import JiraClient

SELF = "jira:self"  # store.remote: {"account_id": the bot's own Jira account}


class JiraDeliverer:
    def __init__(
        self, store: Store, gateway: SlackGateway | None, client: Callable[[], JiraClient] | None = None
    ) -> None:
        self.store = store
        self.gateway = gateway
        self._client = FirstUse(client or _jira_client)

    @property
    def client(self) -> JiraClient:
        return self._client.get()

    def __call__(self, row: OutboxRow) -> Delivery:
        payload = row.payload
        link = payload["link"]
        remembered = self.store.remote.get(link) or {}
        key = remembered.get("key")
        action = payload["action"]
        if remembered.get("deleted"):
            return Delivery()  # deleted in Jira: nothing to follow any more
        if action == "create":
            return Delivery() if key else self._create(row)
        if not key:
            raise DeliveryFailed("the Jira issue was never created (see the task's create row)", retryable=False)
        delivery = Delivery()
        if action in ("done", "reopen"):
            self._move(key, payload["categories"])
        elif action == "assign":
            account = self._account(row, delivery)
            self.client.edit_issue(key, {"assignee": {"accountId": account} if account else None})
        else:
            self.client.edit_issue(key, payload["fields"])
        return delivery

    def _create(self, row: OutboxRow) -> Delivery:
        payload = row.payload
        delivery = Delivery()
        fields = dict(payload["fields"])
        account = self._account(row, delivery)
        if account:
            fields["assignee"] = {"accountId": account}
        if not (self.store.remote.get(SELF) or {}).get("account_id"):
            delivery.remember[SELF] = {"account_id": self.client.myself()}
        created = self._made_before(payload) or self.client.create_issue(fields)
        key, url = created["key"], self.client.browse_url(created["key"])
        delivery.remember[payload["link"]] = {"key": key, "id": created.get("id"), "url": url}
        if payload.get("task") is not None:  # an incident's own issue has no way back: Jira changes nothing there
            delivery.remember[policies.task_of_issue(key)] = {"task": payload["task"]}
        channel = self._channel(row)
        if channel:
            what = f"task T{payload['task']}" if payload.get("task") is not None else f"incident {payload['incident']}"
            text = f"Jira issue for {what}: <{url}|{key}>"
            delivery.follow_ups.append(notice(channel, text, f"jira:{row.id}", row.incident_number))
        return delivery

    def _made_before(self, payload: dict) -> dict | None:
        """The issue an earlier attempt created (oldest first, should there be several), found by its marker."""
        marker, project = payload.get("marker"), (payload["fields"].get("project") or {}).get("key")
        if not marker or not project:  # a row queued before issues carried markers
            return None
        found = self.client.issues_labelled(project, marker)
        return found[0] if found else None

    def _move(self, key: str, categories: list[str]) -> None:
        """Transition to the first of `categories` offered, unless the issue is in one already."""
        status = ((self.client.issue(key).get("fields") or {}).get("status")) or {}
        if (status.get("statusCategory") or {}).get("key") in categories:
            return
        offered = self.client.transitions(key)
        for category in categories:
            for transition in offered:
                if ((transition.get("to") or {}).get("statusCategory") or {}).get("key") == category:
                    self.client.transition(key, transition["id"])
                    return
        names = " or ".join(categories)
        raise DeliveryFailed(f"Jira offers {key} no transition to a {names} status", retryable=False)

    def _channel(self, row: OutboxRow) -> str | None:
        number = row.incident_number
        return notice_channel(self.store.incidents.get(number)) if number is not None else None

    def _account(self, row: OutboxRow, delivery: Delivery) -> str | None:
        """JIRA_USERS' account, else the one with the owner's Slack email, else None (said once per person)."""
        payload = row.payload
        owner = payload.get("owner")
        if payload.get("account") or not owner:
            return payload.get("account")
        email = None
        if self.gateway is not None:
            try:
                email = self.gateway.user_email(owner)
            except SlackError:
                email = None
        account = self.client.account_by_email(email) if email else None
        channel = self._channel(row)
        if account is None and channel:
            why = (
                "Slack gives RedAlert no email for them (the app needs users:read.email)"
                if not email
                else ("no Jira account has their Slack email")
            )
            text = (
                f"Jira issues for {messages.user(owner)}'s tasks stay unassigned: JIRA_USERS does not map them and "
                f"{why}."
            )
            delivery.follow_ups.append(notice(channel, text, f"jira-unassigned:{owner}", row.incident_number))
        return account


def _jira_client() -> JiraClient:
    from ..integrations.jira import JiraClient  # imported on first use (services/first_use.py)

    return JiraClient()
