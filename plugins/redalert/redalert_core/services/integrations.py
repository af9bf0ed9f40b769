"""Outside systems, as the chat commands and the plugin see them: the outbox feed and dispatcher wired to the
store, `!incident page`, and the outbox report and retry for admins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import events, type_outside
from ..domain.incident import Incident
from ..domain.integrations_config import Webhook
from ..domain.jira_outbox_policies import issue_link
from ..domain.outbox import JIRA, STATUSPAGE, WAITING, OutboxRow, State
from ..domain.settings import Settings
from ..domain.task_outbox_policies import card_link
from ..domain.webhook_rules import endpoint_key
from ..store.webhook_states import DisabledWebhook
from .incidents import IncidentService, ServiceError
from .jira_delivery import JiraDeliverer
from .outbox_delivery import Deliverers
from .outbox_dispatcher import OutboxDispatcher
from .outbox_feed import OutboxFeed
from .statuspage_delivery import StatuspageDeliverer


@dataclass
class OutboxReport:
    counts: dict[str, dict[State, int]]  # destination -> state -> rows
    rows: list[OutboxRow]  # waiting and dead rows, oldest first
    disabled_webhooks: list[DisabledWebhook] = field(default_factory=list)  # a 410 Gone stopped them


@dataclass
class Paged:
    incident: Incident
    severity: str
    level: str  # PagerDuty's severity
    already_open: bool  # an alert with this routing key is open: PagerDuty adds the event to it


class IntegrationsService:
    def __init__(
        self,
        incidents: IncidentService,
        *,
        clock: Callable[[], datetime],
        deliverers: Deliverers | None = None,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        self.incidents = incidents
        self.store = incidents.store
        self.clock = clock
        self.feed = OutboxFeed(self.store, lambda: self.settings, clock)
        self.deliverers = deliverers or Deliverers(self.store, incidents.gateway, clock)
        # The status page's deliverer: registered before the dispatcher can start, so rows written before a
        # restart find their deliverer.
        self.deliverers.extra.setdefault(STATUSPAGE, StatuspageDeliverer(self.store))
        self.deliverers.extra.setdefault(JIRA, JiraDeliverer(self.store, incidents.gateway))
        self.deliverers.webhook_timeout = lambda: self.settings.integrations.webhook_timeout
        self.dispatcher = OutboxDispatcher(self.store, self.deliverers, lambda: self.settings, clock=clock)
        if jitter is not None:  # else the dispatcher's own
            self.dispatcher.jitter = jitter

    @property
    def settings(self) -> Settings:
        return self.incidents.settings

    # --- background delivery (one place: whoever runs background work calls these) -----------------------------
    def start(self) -> None:
        self.dispatcher.start()

    def stop(self) -> None:
        self.dispatcher.stop()

    # --- !incident page -----------------------------------------------------------------------------------------
    def page(
        self,
        incident: Incident,
        actor: str,
        severity: str | None,
        *,
        routing_key: str | None = None,
        summary: str | None = None,
    ) -> Paged:
        """Page PagerDuty for `incident` with the routing key of `severity` (default: the incident's), its type's
        own key, or `routing_key` (a workflow's `page` action), with `summary` instead of the description."""
        settings = type_outside.for_type(self.settings, self.feed.kind_of(incident))
        wanted = settings.severity(severity) if severity else settings.severity(incident.severity)
        if wanted is None:
            raise ServiceError(
                f'"{(severity or "")[:30]}" is not a severity. Use one of: {", ".join(settings.severity_values)}.'
            )
        integrations = settings.integrations
        if not routing_key and not integrations.routing_key(wanted.value):
            configured = ", ".join(integrations.pagerduty_routing_keys) or "none"
            raise ServiceError(
                f"PagerDuty has no routing key for {wanted.value} (PAGERDUTY_ROUTING_KEYS has: {configured}). "
                "Nothing was sent."
            )
        if incident.is_closed:
            raise ServiceError(f"Incident {incident.number} is closed; nothing was sent.")
        paging = self.feed.alert_state(incident.number) or {}
        key = routing_key or integrations.routing_key(wanted.value)
        already = bool(paging.get("open")) and paging.get("routing_key") == key
        asked = events.Paged(severity=wanted.value, routing_key=routing_key, summary=summary)
        self.store.events.add(incident.number, asked, actor=actor, at=self.clock())
        return Paged(incident, wanted.value, integrations.pagerduty_severity(wanted.value), already)

    def card_url(self, task_number: int) -> str | None:
        """The Trello card of a task once the outbox has created it, else None."""
        remembered = self.store.remote.get(card_link(task_number))
        return remembered.get("url") if remembered else None

    def issue(self, task_number: int) -> tuple[str, str] | None:
        """The Jira issue of a task (key, link) once the outbox has created it, else None."""
        remembered = self.store.remote.get(issue_link(task_number)) or {}
        if not remembered.get("key"):
            return None
        key = f"{remembered['key']} (deleted in Jira)" if remembered.get("deleted") else remembered["key"]
        return key, remembered["url"]

    # --- !incident outbox ---------------------------------------------------------------------------------------
    def report(self, limit: int = 20) -> OutboxReport:
        counts: dict[str, dict[State, int]] = {}
        for (destination, state), count in self.store.outbox.counts().items():
            counts.setdefault(destination, {})[state] = count
        rows = self.store.outbox.undelivered(limit)
        return OutboxReport(counts=counts, rows=rows, disabled_webhooks=self.store.webhook_states.all())

    def enable_webhook(self, name: str) -> Webhook:
        """Turn a webhook disabled by a 410 Gone back on: events from now on are sent to it again."""
        hooks = self.settings.integrations.webhooks
        hook = self.settings.integrations.webhook_named(name.strip())
        if hook is None:
            known = ", ".join(h.name for h in hooks) or "none is configured"
            raise ServiceError(f'There is no webhook named "{name.strip()[:60]}" (webhooks: {known}).')
        if not self.store.webhook_states.enable(endpoint_key(hook.url)):
            raise ServiceError(f"Webhook {hook.name} is not disabled; nothing changed.")
        return hook

    def retry(self, which: str) -> list[int]:
        """Requeue dead rows: `which` is a row id or "all". Returns the ids requeued."""
        text = which.strip().lower().lstrip("#")
        if text == "all":
            return self.store.outbox.requeue(None, self.clock())
        if not text.isdigit():
            raise ServiceError("Usage: !incident outbox retry <id|all>")
        row = self.store.outbox.get(int(text))
        if row is None:
            raise ServiceError(f"There is no outbox row {text}. See !incident outbox.")
        if row.state is not State.DEAD:
            state = "waiting for its next try" if row.state in WAITING else row.state.value
            raise ServiceError(f"Outbox row {row.id} is not dead ({state}); only dead rows are requeued.")
        return self.store.outbox.requeue(row.id, self.clock())
