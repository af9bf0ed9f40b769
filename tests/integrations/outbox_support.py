"""The RedAlert application (redalert_core/application) built on the Slack emulator, the outside-system emulators
and an SQLite file, with a manual clock. Nothing runs in the background: tests call `deliver()`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from reliability.service_support import ManualClock
from slack_workspace import ADMIN, BOT_TOKEN

from outside_emulators import ConfluenceEmulator, PagerDutyEmulator, TrelloEmulator, WebhookReceiver
from redalert_core.application.app import RedAlertApp
from redalert_core.application.bootstrap import AppConfig, build
from redalert_core.application.clock import Clock
from redalert_core.domain.outbox import WAITING, State
from redalert_core.domain.requester import Requester
from redalert_core.domain.settings import DEFAULT_CONFIG, Settings, validate
from redalert_core.integrations.confluence import ConfluenceClient
from redalert_core.integrations.pagerduty import PagerDutyClient
from redalert_core.integrations.trello import TrelloClient
from redalert_core.services.incidents import IncidentService, OpenRequest
from redalert_core.services.integrations import IntegrationsService
from redalert_core.services.outbox_delivery import Deliverers
from redalert_core.services.response import ResponseService
from redalert_core.services.status_page import StatusPageService
from redalert_core.slack.gateway import SlackGateway, build_client
from redalert_core.store import Store
from slack_emulator import SlackEmulator

ROUTING_KEY = "R" * 32
HOOK_SECRET_ENV = "REDALERT_TEST_HOOK_SECRET"
CONFLUENCE_EMAIL, CONFLUENCE_TOKEN = "bot@example.com", "confluence-secret-token-123"
TRELLO_KEY, TRELLO_TOKEN = "0123456789abcdef0123456789abcdef", "ATTA" + "7" * 60


@dataclass
class Core:
    """The application with its services at hand, and the configuration the test changes."""

    app: RedAlertApp
    clock: ManualClock
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def incidents(self) -> IncidentService:
        return self.app.incidents

    @property
    def response(self) -> ResponseService:
        return self.app.response

    @property
    def integrations(self) -> IntegrationsService:
        return self.app.integrations

    @property
    def status_page(self) -> StatusPageService:
        return self.app.status_page

    @property
    def settings(self) -> Settings:
        return self.incidents.settings

    def configure(self, **config: Any) -> None:
        self.config.update(config)

    def deliver(self) -> int:
        dispatcher = self.integrations.dispatcher
        return dispatcher.deliver_due(dispatcher.clock())

    def deliver_until_quiet(self, step: timedelta = timedelta(minutes=1), limit: int = 500) -> None:
        """Move the clock a step at a time and deliver, until nothing is waiting (or fail after `limit` steps)."""
        for _ in range(limit):
            self.deliver()
            if not self.waiting():
                return
            self.clock.advance(step.total_seconds())
        raise AssertionError(f"still waiting: {self.waiting()}")

    def waiting(self) -> list:
        return [r for r in self.store.outbox.rows() if r.state in WAITING]

    def rows(self, destination: str | None = None, state: State | None = None) -> list:
        return [r for r in self.store.outbox.rows(destination=destination) if state is None or r.state is state]

    # --- what people do ------------------------------------------------------------------------------------------
    def open(
        self,
        description: str = "Checkout is down",
        severity: str = "sev1",
        private: bool = False,
        incident_type: str | None = None,
    ):
        request = OpenRequest(
            severity=severity,
            description=description,
            opened_by=ADMIN,
            origin_channel=None,
            is_private=private,
            incident_type=incident_type,
        )
        return self.app.open_incident(request).incident

    def asker(self) -> Requester:
        return Requester(user=ADMIN, is_admin=True)

    def status(self, number: int, status: str, note: str | None = None):
        return self.app.set_status(self.asker(), number, status, note)

    def close(self, number: int, resolution: str = "Fixed"):
        closed = self.app.close(self.asker(), number, resolution)
        return closed.incident, closed.warnings


def make_core(
    emulator: SlackEmulator,
    data_dir: Path,
    *,
    config: dict[str, Any] | None = None,
    pagerduty: PagerDutyEmulator | None = None,
    confluence: ConfluenceEmulator | None = None,
    trello: TrelloEmulator | None = None,
    clock: ManualClock | None = None,
    workflows_file: str | None = None,
) -> Core:
    """Services on the database in `data_dir` (a second call is a restart) with a configuration that is read on
    every use, so tests can change it with `core.configure(...)`."""
    clock = clock or ManualClock()
    client = build_client(BOT_TOKEN, emulator.api_url)
    # The emulators listen on 127.0.0.1: webhook URLs there are allowed only with ALLOW_PRIVATE_URLS.
    current: dict[str, Any] = {"ALLOW_PRIVATE_URLS": True, **(config or {})}
    cache: dict[str, Settings] = {}

    def settings() -> Settings:
        key = repr(sorted(current.items()))
        if key not in cache:
            cache[key] = validate({**DEFAULT_CONFIG, **current}, dict(DEFAULT_CONFIG))
        return cache[key]

    def deliverers(store: Store, gateway: SlackGateway, clock: Clock) -> Deliverers:
        return Deliverers(
            store,
            gateway,
            clock,
            pagerduty=PagerDutyClient(url=pagerduty.url if pagerduty else "http://127.0.0.1:9/v2/enqueue"),
            confluence=ConfluenceClient(
                confluence.url if confluence else "http://127.0.0.1:9/wiki", CONFLUENCE_EMAIL, CONFLUENCE_TOKEN
            ),
            trello=TrelloClient(trello.url if trello else "http://127.0.0.1:9/1/", TRELLO_KEY, TRELLO_TOKEN),
        )

    app = build(
        AppConfig(
            database_url=f"sqlite:///{data_dir / 'redalert.sqlite3'}",
            slack_client=lambda: client,
            settings=settings,
            is_admin=lambda user: user == ADMIN,
            rate_scale=100.0,
            clock=clock,
            deliverers=deliverers,
            jitter=lambda: 0.5,
            workflows_file=workflows_file,
        )
    )
    return Core(app, clock, current)


def webhook_config(receiver: WebhookReceiver, events: list[str], path: str = "/hook") -> dict:
    return {"url": receiver.url_for(path), "events": events, "secret": f"env:{HOOK_SECRET_ENV}"}
