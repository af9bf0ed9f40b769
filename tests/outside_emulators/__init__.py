"""Local emulators of RedAlert's outside systems (PagerDuty Events v2 and REST, Trello, Confluence v2, Atlassian
Statuspage, Jira Cloud v3) and a webhook receiver, each an aiohttp server on 127.0.0.1 in a background thread.
See README.md in this folder."""

from .base import Call, EmulatorBase
from .confluence import ConfluenceEmulator, Page, PageVersion
from .jira import JiraEmulator
from .jira_model import Issue
from .jira_webhooks import SentWebhook, hub_signature
from .pagerduty import Alert, Event, PagerDutyEmulator
from .pagerduty_rest import PagerDutyRestEmulator
from .statuspage import StatuspageEmulator
from .trello import Card, TrelloEmulator, new_id
from .webhooks import Delivery, WebhookReceiver, make_secret, signature

__all__ = [
    "Alert",
    "Call",
    "Card",
    "ConfluenceEmulator",
    "Delivery",
    "EmulatorBase",
    "Event",
    "Issue",
    "JiraEmulator",
    "Page",
    "PageVersion",
    "PagerDutyEmulator",
    "PagerDutyRestEmulator",
    "SentWebhook",
    "StatuspageEmulator",
    "TrelloEmulator",
    "WebhookReceiver",
    "hub_signature",
    "make_secret",
    "new_id",
    "signature",
]
