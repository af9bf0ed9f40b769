"""The one place that builds RedAlert: the store, the Slack gateway, one clock, every service and every hook.

A front end (the Errbot plugin, a test, a tool) calls `build` once with what only it knows — where the database is,
how to reach Slack, the current settings, who is an admin — and then talks to the returned `RedAlertApp` only.
Nothing else constructs services, so nothing can forget a hook: the outbox feed is subscribed here, the close
hooks and the status-page prompt are registered here, in this order, and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.replica import ReplicaIdentity
from ..domain.settings import Settings
from ..services.alert_intake import AlertIntakeService
from ..services.analysis import AnalysisService, WebSettings
from ..services.incidents import IncidentService
from ..services.integrations import IntegrationsService
from ..services.jira_inbound import JiraInbound
from ..services.leadership import Leadership, Timing
from ..services.links import LinkService
from ..services.oncall import OnCallService
from ..services.outbox_delivery import Deliverers
from ..services.problems import ProblemService
from ..services.response import ResponseService
from ..services.slack_outage import WaitingOpens
from ..services.status_page import StatusPageService
from ..services.tasks import TaskService
from ..services.trello_inbound import TrelloInbound
from ..services.web_report import WebReport
from ..services.workflow_actions import ActionRunner
from ..services.workflow_runner import WorkflowEngine
from ..services.workflow_webhooks import WorkflowWebhooks
from ..services.workflows import VARIABLE as WORKFLOWS_VARIABLE
from ..services.workflows import WorkflowsService
from ..slack.gateway import SlackGateway, build_client
from ..slack.rate_pacing import RatePacer
from ..store import Store, single_process
from .app import RedAlertApp
from .clock import Clock


@dataclass
class AppConfig:
    """What the front end knows and the application needs."""

    database_url: str
    # The WebClient to use now: the backend's (it rebuilds its own on reconnect), or None for one of RedAlert's own
    # from SLACK_BOT_TOKEN and SLACK_API_URL (another backend, a tool).
    slack_client: Callable[[], Any | None]
    settings: Callable[[], Settings]  # the plugin configuration in force (it changes at runtime)
    is_admin: Callable[[str], bool] = lambda user: False
    admin_ids: Callable[[], list[str]] = list  # Slack user ids to DM about a disabled webhook
    replica: ReplicaIdentity | None = None  # None: a single process nobody else could take over from (tests, tools)
    timing: Timing | None = None  # heartbeat and leadership timings; None: no leadership (always leads)
    # Opens waiting for Slack: the first pause between retries (REDALERT_RESUME_INTERVAL) and the longest
    # (REDALERT_SLACK_RETRY_MAX); None: services/slack_outage.py's defaults.
    slack_retry_pauses: tuple[float, float] | None = None
    rate_scale: float = 1.0  # Slack's rate limits times this
    web: WebSettings = field(default_factory=lambda: WebSettings(None, None))
    clock: Clock = field(default_factory=Clock)
    migrate: bool = True
    # Who delivers the outbox to outside systems; default: clients from the environment's base URLs and credentials.
    deliverers: Callable[[Store, SlackGateway, Clock], Deliverers] | None = None
    jitter: Callable[[], float] | None = None  # the spread of retry delays (tests fix it)
    workflow_seconds: float = 5.0  # how often the leader runs the due workflow actions
    # Incident types, custom fields and workflows (docs/workflows.md); None: RedAlert runs without them.
    workflows_file: str | None = field(default_factory=lambda: os.environ.get(WORKFLOWS_VARIABLE) or None)


def build(config: AppConfig) -> RedAlertApp:
    clock = config.clock
    single_process.claim(config.database_url)  # SQLite allows one process; a second one is refused with why
    store = Store(config.database_url, clock=clock)
    if config.migrate:
        store.migrate()
    gateway = SlackGateway(_client_or_own(config.slack_client), RatePacer(config.rate_scale))
    if store.rate_buckets is not None:  # PostgreSQL: the replicas pace their Slack calls as one app
        gateway.pacer.share(store.rate_buckets.reserve, store.rate_buckets.take_if_free)

    incidents = IncidentService(store, gateway, config.settings, clock=clock, replica=config.replica)
    response = ResponseService(incidents, clock=clock)
    deliverers = config.deliverers(store, gateway, clock) if config.deliverers else None
    integrations = IntegrationsService(incidents, clock=clock, deliverers=deliverers, jitter=config.jitter)
    # From here on every change that concerns an outside system writes its outbox row in the change's own
    # transaction (services/outbox_feed.py).
    store.events.subscribe(integrations.feed)
    integrations.deliverers.admins = config.admin_ids
    if store.dialect == "postgresql":
        # Another replica may have written the row (its wake-up does not reach this process): look often.
        integrations.dispatcher.poll_seconds = 5.0
    status_page = StatusPageService(response, clock=clock)

    # Just before a channel is archived: the workflow's final summary and post-mortem, then the status page's prompt.
    incidents.before_archive.append(response.before_archive)
    incidents.before_archive.append(status_page.before_archive)
    response.after_status.append(status_page.after_status)

    leadership = None
    if config.timing is not None and config.replica is not None:
        leadership = Leadership(store, config.replica, config.timing, clock=clock)
        # Only the leading replica delivers; a new leader delivers what is waiting at once.
        integrations.dispatcher.may_deliver = leadership.is_leader
        leadership.on_gain(integrations.dispatcher.wake)

    # Workflows (issue 22): every trigger's actions are stored in the event's own transaction, then run by the
    # leader (one replica), once each; delayed ones survive restarts in the store.
    workflows = WorkflowsService(store, config.settings, clock, config.workflows_file)
    tasks = TaskService(response)
    oncall = OnCallService(gateway)
    engine = WorkflowEngine(
        response, ActionRunner(response, integrations, tasks, oncall), active=workflows.current, now=clock
    )
    engine.type_of, engine.fields_of = workflows.type_of, workflows.fields_of
    # A type's channel prefix and outside settings (PagerDuty key, Confluence space, Trello list, Jira project).
    incidents.kind_of = integrations.feed.kind_of = workflows.kind_of
    integrations.feed.types_send = workflows.types_send
    engine.actions.set_field = workflows.set_field
    incidents.summary_fields = workflows.summary_fields  # the pinned summary shows the type and fields
    workflows.on_change.append(response.refresh_summary)
    engine.actions.send_webhook = WorkflowWebhooks(store, config.settings, clock)  # through the outbox
    store.events.subscribe(engine.feed)
    incidents.before_archive.append(engine.before_archive)
    if leadership is not None:
        # A run claimed by a replica that died before finishing it is taken over once its heartbeat is stale.
        engine.instance, engine.live = leadership.identity.instance, leadership.live_instances
        leadership.every(config.workflow_seconds, engine.run_due, "workflows")

    analysis = AnalysisService(incidents, clock=clock, web=config.web, workflows_file=workflows.current)
    app = RedAlertApp(
        clock=clock,
        store=store,
        gateway=gateway,
        incidents=incidents,
        response=response,
        integrations=integrations,
        analysis=analysis,
        links=LinkService(response),
        problems=ProblemService(response),
        tasks=tasks,
        status_page=status_page,
        leadership=leadership,
        is_admin=config.is_admin,
        web_report=WebReport(analysis, config.is_admin, gateway.user_name),
        waiting_opens=WaitingOpens(incidents, clock, **_pauses(config.slack_retry_pauses)),
        alert_intake=AlertIntakeService(response, clock=clock),
        oncall=oncall,
        engine=engine,
        workflows=workflows,
        trello_inbound=TrelloInbound(tasks),
        jira_inbound=JiraInbound(store, gateway, lambda: incidents.settings, clock),
    )
    app.alert_intake.shape_open = app.alert_open  # an alert's incident gets the file's type and fields
    app.load_workflows_at_start()  # a file with faults is logged and not loaded (docs/workflows.md)
    return app


def _client_or_own(client: Callable[[], Any | None]) -> Callable[[], Any]:
    own: list[Any] = []

    def current() -> Any:
        given = client()
        if given is not None:
            return given
        if not own:
            own.append(build_client(os.environ.get("SLACK_BOT_TOKEN", ""), os.environ.get("SLACK_API_URL")))
        return own[0]

    return current


def _pauses(pauses: tuple[float, float] | None) -> dict[str, float]:
    return {"first_pause": pauses[0], "max_pause": pauses[1]} if pauses else {}
