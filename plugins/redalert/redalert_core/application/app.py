"""RedAlertApp: one method per use case, the only thing a front end calls.

Chat commands, `/incident`, buttons and forms, and the HTTP API each build a `Requester` (who asks, where, admin or
not, which front end), call one method here and render what it returns. A method never formats chat text; it
raises `ServiceError` with the refusal a person reads (a front end shows it as its own kind of answer). Built by
`bootstrap.build`, which wires every service and hook once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..domain import alerts as alert_payloads
from ..domain import jira_webhooks
from ..domain.commands import Mentions
from ..domain.incident import Incident
from ..domain.links import Link, LinkKind
from ..domain.metrics import Figures, Period
from ..domain.problem_commands import TaskAdd, TaskListScope
from ..domain.problems import Problem, ProblemStatus
from ..domain.requester import Requester
from ..domain.settings import Settings
from ..domain.status_parsing import PublishRequest
from ..domain.tasks import Task
from ..observability.metrics import GaugeSources
from ..services import doctor, housekeeping, recovery
from ..services.alert_intake import AlertIntakeService, AlertsReceived
from ..services.analysis import AnalysisService, readers
from ..services.incidents import IncidentService, OpenRequest, StepReport
from ..services.integrations import IntegrationsService, OutboxReport, Paged
from ..services.jira_inbound import JiraApplied, JiraInbound
from ..services.leadership import Leadership
from ..services.links import IncidentView, LinkOutcome, LinkService
from ..services.problems import ProblemOutcome, ProblemService, ProblemView
from ..services.response import Outcome, ResponseService
from ..services.slack_outage import WaitingOpens
from ..services.status_page import Published, StatusPageService
from ..services.status_site import StatusSite
from ..services.tasks import TaskListing, TaskOutcome, TaskService
from ..services.web_report import WebReport, WebResponse
from ..slack.gateway import InviteOutcome, SlackGateway
from ..store import Store, healthcheck
from ..store.command_inbox import CommandInbox
from ..store.replicas import ReplicaRow
from .api_incidents import ApiIncidentUseCases
from .api_tokens import TokenUseCases
from .clock import Clock


@dataclass
class Invited:
    incident: Incident
    outcome: InviteOutcome
    warnings: list[str]


@dataclass
class Closed:
    incident: Incident
    warnings: list[str]

    @property
    def lasted(self) -> timedelta:
        """How long the incident was open."""
        closed_at = self.incident.closed_at
        assert closed_at is not None, "a closed incident has its closing time"
        return closed_at - self.incident.opened_at


@dataclass
class Retried:
    """`retry`: a failed close finished (`closed`), or the open's missing steps run again (`report`)."""

    closed: Closed | None = None
    report: StepReport | None = None


@dataclass
class UpdateSubmitted:
    """The Update form: the status set, the update posted and the status page published, each if asked."""

    incident: Incident
    status: Outcome | None = None
    update: Outcome | None = None
    published: Published | None = None
    warnings: list[str] = field(default_factory=list)


# Clicks and form submissions are claimed in the store (a double click or a redelivery does one thing); redeliveries
# come within seconds, so old claims are purged now and then.
CLAIMS_KEPT = timedelta(days=2)


@dataclass
class RedAlertApp(TokenUseCases, ApiIncidentUseCases):
    clock: Clock
    store: Store
    gateway: SlackGateway
    incidents: IncidentService
    response: ResponseService
    integrations: IntegrationsService
    analysis: AnalysisService
    links: LinkService
    problems: ProblemService
    tasks: TaskService
    status_page: StatusPageService
    leadership: Leadership | None
    is_admin: Callable[[str], bool]
    web_report: WebReport
    waiting_opens: WaitingOpens
    alert_intake: AlertIntakeService
    jira_inbound: JiraInbound
    _claims_purged_at: datetime | None = None

    @property
    def settings(self) -> Settings:
        return self.incidents.settings

    def leads(self) -> bool:
        """Whether this process runs the background work (reminders, digests, deliveries): the leading replica."""
        return self.leadership is None or self.leadership.is_leader()

    # --- open ---------------------------------------------------------------------------------------------------
    def record_open(self, request: OpenRequest) -> StepReport:
        """Store the incident an open asks for, before any Slack call: a crash from here on cannot lose it.

        A front end that must acknowledge quickly (a form, a Socket Mode envelope) records first and opens later.
        """
        return self.incidents.record(request)

    def open_incident(
        self, request: OpenRequest, recorded: StepReport | None = None, *, wait: float | None = None
    ) -> StepReport:
        """Open an incident: record it (unless `recorded`), create and set up its channel, announce it.

        A duplicate (the same event or form again, or the same request moments later) comes back as it is, with
        `duplicate` (and `repeated`) set; nothing else happens.

        `wait` (seconds; the HTTP API's bound): Slack's part runs in the background and the answer comes after at
        most that long. When Slack has not finished by then (it is down, or slow), the incident is returned as
        stored with `slack_pending`, outside systems are told at once (PagerDuty, webhooks), and the steps finish
        in the background or, if Slack failed, by the leader's retry once Slack answers (`retry_waiting_opens`).
        """
        report = recorded or self.incidents.record(request)
        if report.duplicate:
            return report
        if wait is None:
            return self._open_in_slack(report.incident, request.mentions)
        running = self.incidents.in_background(self._open_in_slack, report.incident, request.mentions)
        try:
            return running.result(timeout=wait)
        except FutureTimeout:
            incident = self.incidents.note_slack_pending(report.incident.number)
            return StepReport(incident=incident, slack_pending=True)

    def _open_in_slack(self, incident: Incident, mentions: Mentions) -> StepReport:
        report = self.incidents.run_open_steps(incident, mentions)
        incident = report.incident
        if incident.channel_id:
            report.warnings.extend(self.response.announce_opened(incident))
            self.incidents.mark_replied(incident.number)  # the answer is what the caller renders now
            self.response.post_waiting(incident.number)  # updates recorded before the channel existed
        return report

    def retry(self, requester: Requester, number: int) -> Retried:
        """Finish an incident's failed close, or run its missing open steps again."""
        self.incidents.find(requester.person(), number=number, verb="retry")
        closed = self.incidents.finish_close(number)
        if closed is not None:
            return Retried(closed=Closed(*closed))
        report = self.incidents.resume(number)
        if report.incident.channel_id:
            self.incidents.mark_replied(number)
        return Retried(report=report)

    def finish_interrupted_opens(self, *, include_unowned: bool) -> list[recovery.Recovered]:
        """The leader's job: finish the opens a dead process left half done (services/recovery.py)."""
        live = self.leadership.live_instances() if self.leadership else set()
        recovered = recovery.finish_orphaned(self.incidents, live, include_unowned=include_unowned)
        for result in recovered:
            if result.incident.channel_id:
                self.response.post_waiting(result.incident.number)
        return recovered

    def retry_waiting_opens(self) -> list[recovery.Recovered]:
        """The leader's job: once Slack answers again, finish the opens that waited for it (their owner is alive),
        announce them and post the updates recorded meanwhile, in order (services/slack_outage.py)."""
        recovered = self.waiting_opens.run()
        for result in recovered:
            if result.incident.channel_id:
                self.response.announce_opened(result.incident)
                self.response.post_waiting(result.incident.number)
        return recovered

    # --- alert intake -------------------------------------------------------------------------------------------
    def receive_alerts(self, requester: Requester, source: str, payload: object) -> AlertsReceived:
        """An Alertmanager or Grafana notification (`source`): recorded at once, Slack work after (see
        services/alert_intake.py). A payload that is not one raises InvalidAlerts with one message per field."""
        batch = alert_payloads.parse(source, payload)
        return self.alert_intake.receive(requester, batch)

    def receive_jira_webhook(self, body: bytes, signature: str | None, delivery: str | None) -> JiraApplied | None:
        """A Jira Cloud webhook (`X-Hub-Signature`, `X-Atlassian-Webhook-Identifier`): None when it is not signed
        with JIRA_WEBHOOK_SECRET (nothing changes), else what it changed (see services/jira_inbound.py)."""
        if not jira_webhooks.signed(os.environ.get("JIRA_WEBHOOK_SECRET", "").strip(), body, signature):
            return None
        try:
            change = jira_webhooks.parse(json.loads(body))
        except ValueError:
            change = None
        if change is None:
            return JiraApplied()
        return self.jira_inbound.apply(jira_webhooks.identity(delivery, body), change)

    def count_alerts_with(self, counter: Callable[[str, str], None]) -> None:
        """Count every alert taken in: `counter(source, status)` (observability/metrics.py's alert_received)."""
        self.alert_intake.count = counter

    # --- incidents ----------------------------------------------------------------------------------------------
    def list_incidents(self, requester: Requester, *, include_closed: bool) -> tuple[list[Incident], int]:
        """The incidents the answer's readers may see (at most LIST_LIMIT) and how many there are in all."""
        return self.incidents.list(include_closed=include_closed, viewer=requester.audience())

    def incident_in(self, channel: str | None) -> Incident | None:
        """The incident whose channel `channel` is, if any."""
        return self.store.incidents.get_by_channel(channel) if channel else None

    def invite(self, requester: Requester, number: int | None, mentions: Mentions) -> Invited:
        incident, outcome, warnings = self.incidents.invite(
            number=number, here=requester.here, mentions=mentions, actor=requester.user, viewer=requester.person()
        )
        return Invited(incident, outcome, warnings)

    def join(self, requester: Requester, number: int) -> tuple[Invited, bool]:
        """The person joins the incident's channel; True when they were in it already."""
        incident = self.response.find(number, requester, "invite")
        already = self.store.participants.contains(incident.number, requester.user)
        mentions = Mentions(users=[requester.user])
        incident, outcome, warnings = self.incidents.invite(
            number=incident.number, here=None, mentions=mentions, actor=requester.user, viewer=requester.person()
        )
        joined = Invited(incident, outcome, list(warnings))
        if not outcome.failed:
            joined.warnings += self.response.refresh_summary(incident.number)
        return joined, already

    def close(
        self, requester: Requester, number: int | None, resolution: str | None, channel_id: str | None = None
    ) -> Closed:
        incident, warnings = self.incidents.close(
            number=number,
            channel_id=channel_id,
            here=requester.here,
            actor=requester.user,
            resolution=resolution,
            actor_is_admin=requester.is_admin,
            viewer=requester.person(),
        )
        return Closed(incident, warnings)

    def doctor(self) -> list[str]:
        """What is wrong with the Slack setup (token, scopes, configured people and groups)."""
        return doctor.check(self.gateway, self.settings)

    # --- the response workflow ----------------------------------------------------------------------------------
    def assign_role(self, requester: Requester, number: int | None, role: str, user_id: str) -> Outcome:
        return self.response.assign_role(number, requester, role, user_id)

    def set_status(self, requester: Requester, number: int | None, status: str, note: str | None) -> Outcome:
        return self.response.set_status(number, requester, status, note)

    def change_severity(self, requester: Requester, number: int | None, severity: str) -> Outcome:
        return self.response.change_severity(number, requester, severity)

    def post_update(self, requester: Requester, number: int | None, text: str) -> Outcome:
        return self.response.post_update(number, requester, text)

    def add_note(self, requester: Requester, number: int | None, text: str) -> Incident:
        return self.response.add_note(number, requester, text)

    def note_from_reaction(self, channel_id: str, ts: str, reactor: str) -> Incident | None:
        return self.response.note_from_reaction(channel_id, ts, reactor)

    def timeline(self, requester: Requester, number: int | None) -> tuple[Incident, list[tuple[datetime, str]]]:
        return self.response.timeline(number, requester)

    def postmortem(self, requester: Requester, number: int | None) -> Outcome:
        return self.response.postmortem(number, requester)

    def current_status(self, number: int) -> str:
        """The team's status of the incident (investigating, identified, …)."""
        return self.store.response.get(number).current_status(self.settings.statuses)

    def submit_update(
        self,
        requester: Requester,
        number: int,
        status: str | None,
        text: str | None,
        publish: PublishRequest | None,
    ) -> UpdateSubmitted:
        """The Update form: a status, an update and a status-page entry, in that order (the public page follows
        the status)."""
        incident = self.response.find(number, requester, "update")
        done = UpdateSubmitted(incident)
        if status:
            done.status = self.response.set_status(incident.number, requester, status, None)
            done.warnings += done.status.warnings
        if text:
            done.update = self.response.post_update(incident.number, requester, text)
            done.warnings += done.update.warnings
        if publish is not None:
            done.published = self.status_page.publish_request(incident.number, requester, lambda: publish)
        return done

    def find(self, requester: Requester, number: int | None, verb: str) -> Incident:
        """The incident a request is about, as the person may see it (a hidden one answers as an unused number)."""
        return self.response.find(number, requester, verb)

    # --- outside systems ----------------------------------------------------------------------------------------
    def page(self, requester: Requester, number: int | None, severity: str | None) -> Paged:
        incident = self.response.find(number, requester, "page")
        return self.integrations.page(incident, requester.user, severity)

    def outbox_report(self) -> OutboxReport:
        return self.integrations.report()

    def retry_outbox(self, which: str) -> list[int]:
        return self.integrations.retry(which)

    def enable_webhook(self, name: str):
        return self.integrations.enable_webhook(name)

    def publish(self, requester: Requester, number: int | None, text: str) -> Published:
        return self.status_page.publish(number, requester, text)

    def unpublish(self, requester: Requester, number: int | None) -> Incident:
        return self.status_page.unpublish(number, requester)

    def status_site(self, public_url: str) -> StatusSite:
        """The public status page's pages and feeds (served by services/status_site.StatusServer)."""
        return StatusSite(self.store, lambda: self.settings, public_url, clock=self.clock)

    # --- links, problems, tasks ---------------------------------------------------------------------------------
    def link(self, requester: Requester, number: int | None, other: int, kind: LinkKind) -> LinkOutcome:
        return self.links.link(number, other, kind, requester)

    def unlink(self, requester: Requester, number: int | None, other: int) -> tuple[Incident, Link]:
        return self.links.unlink(number, other, requester)

    def show(self, requester: Requester, number: int | None) -> IncidentView:
        return self.links.show(number, requester)

    def open_problem(self, requester: Requester, title: str, incidents: list[int]) -> ProblemOutcome:
        return self.problems.open(title, incidents, requester)

    def link_problem(self, requester: Requester, number: int, incidents: list[int]) -> ProblemOutcome:
        return self.problems.link(number, incidents, requester)

    def unlink_problem(self, requester: Requester, number: int, incident: int) -> ProblemOutcome:
        return self.problems.unlink(number, incident, requester)

    def set_problem_status(
        self, requester: Requester, number: int, status: ProblemStatus, note: str | None
    ) -> ProblemOutcome:
        return self.problems.set_status(number, status, note, requester)

    def set_problem_text(self, requester: Requester, number: int, field_name: str, text: str) -> ProblemOutcome:
        return self.problems.set_text(number, field_name, text, requester)

    def show_problem(self, requester: Requester, number: int) -> ProblemView:
        return self.problems.show(number, requester)

    def list_problems(self, requester: Requester, *, include_resolved: bool) -> list[tuple[Problem, int]]:
        """The problems the person may see, each with its count of open tasks."""
        found = self.problems.list(include_resolved=include_resolved, asker=requester)
        return [(problem, self.problems.open_task_count(problem)) for problem in found]

    def add_task(self, requester: Requester, command: TaskAdd) -> TaskOutcome:
        return self.tasks.add(command, requester)

    def finish_task(self, requester: Requester, number: int, note: str | None) -> TaskOutcome:
        return self.tasks.done(number, note, requester)

    def reopen_task(self, requester: Requester, number: int) -> TaskOutcome:
        return self.tasks.reopen(number, requester)

    def assign_task(self, requester: Requester, number: int, owner: str) -> TaskOutcome:
        return self.tasks.assign(number, owner, requester)

    def set_task_due(self, requester: Requester, number: int, due: date) -> TaskOutcome:
        return self.tasks.set_due(number, due, requester)

    def list_tasks(self, requester: Requester, scope: TaskListScope) -> TaskListing:
        return self.tasks.list(scope, requester)

    def task_card_url(self, task: Task) -> str | None:
        """The Trello card of a task, once it exists."""
        return self.integrations.card_url(task.number)

    def task_issue(self, task: Task) -> tuple[str, str] | None:
        """The Jira issue of a task (key, link), once it exists."""
        return self.integrations.issue(task.number)

    # --- analysis -----------------------------------------------------------------------------------------------
    def figures(self, requester: Requester, args: str) -> Figures:
        """`[<period>] [<severity>]`: figures over the period for what the answer's readers may see."""
        period_text, severity = self.analysis.parse_stats_args(args.split())
        return self.analysis.figures(self.analysis.period(period_text), readers(requester), severity)

    def upload_chart(self, channel: str, figures: Figures) -> None:
        self.analysis.upload_chart(channel, figures)

    def export(self, requester: Requester, args: str) -> tuple[int, Period, str]:
        """`[csv|json] [<period>]`: upload the incidents as a file where asked; (rows, period, format)."""
        fmt, period_text = self.analysis.parse_export_args(args.split())
        rows, period = self.analysis.export(requester, fmt, period_text)
        return rows, period, fmt

    def web_page(self, page: str, query: dict[str, str], cookie: str | None) -> WebResponse:
        """A page of the read-only web report (services/web_report.py): 403 without a valid personal link."""
        return self.web_report.handle(page, query, cookie)

    def send_web_link(self, requester: Requester) -> str:
        return self.analysis.send_web_link(requester.user)

    def revoke_web_links(self, requester: Requester) -> None:
        self.analysis.revoke_web_links(requester.user)

    # --- once-only clicks and submissions ------------------------------------------------------------------------
    def claim_interaction(self, key: str, stale_after: timedelta | None = None) -> bool:
        """True for the first to claim `key` (a click or a submission); a claim older than `stale_after` is free."""
        now = self.clock()
        purged_at = self._claims_purged_at
        if purged_at is None or now - purged_at > CLAIMS_KEPT / 2:  # now and then, not on every click
            self._claims_purged_at = now
            self.store.interactions.purge(now - CLAIMS_KEPT)
        return self.store.interactions.claim(key, now, stale_after=stale_after)

    def release_interaction(self, key: str) -> None:
        """The claimed request changed nothing (refused, or its form closed): the same request may come again."""
        self.store.interactions.release(key)

    # --- background work (run by the leading replica) -----------------------------------------------------------
    def send_reminders(self) -> None:
        if self.leads():
            self.response.send_reminders()

    def send_follow_up_reminders(self) -> dict[str, int]:
        """Overdue tasks (daily DM to the owner) and stale problems (weekly DM to the commanders)."""
        if not self.leads():
            return {}
        return {"task": len(self.tasks.send_nudges()), "problem": len(self.problems.send_stale_reminders())}

    def post_weekly_digest(self) -> str | None:
        return self.analysis.post_weekly_digest() if self.leads() else None

    # --- replicas ----------------------------------------------------------------------------------------------
    def housekeeping(self) -> None:
        """The leader's hourly clean-up of rows that only mattered for a while."""
        housekeeping.purge(self.store, self.clock())

    def latest_cache_invalidation(self) -> int:
        return self.store.cache_invalidations.latest_id()

    def cache_invalidations_since(self, last_seen: int) -> tuple[list[tuple[str, str | None]], int]:
        """What other replicas saw change (kind, key) since `last_seen`, and the id to ask from next time."""
        replica = self.incidents.replica
        if replica is None:
            return [], last_seen
        found, latest = self.store.cache_invalidations.since(last_seen, other_than=replica.replica_id)
        return list(found), latest

    def share_cache_forget(self, kind: str, key: str | None) -> None:
        """Tell the other replicas a cached identifier is stale."""
        replica = self.incidents.replica
        if replica is not None:
            self.store.cache_invalidations.add(kind, key, replica_id=replica.replica_id, at=self.clock())

    # --- the command inbox (chat_commands/inbox.py) -------------------------------------------------------------
    @property
    def inbox(self) -> CommandInbox:
        """Every chat command stored on receipt, claimed once across replicas, re-run if its process died."""
        return self.store.commands

    def command_scope(self, key: str) -> AbstractContextManager[None]:
        """Around a command: its first database change marks its inbox row applied in the same transaction."""
        return self.store.db.command_scope(key)

    # --- watching the bot ---------------------------------------------------------------------------------------
    def gauge_sources(self, ready: Callable[[], tuple[bool, str]]) -> GaugeSources:
        """What the Prometheus gauges read at each scrape (observability/metrics.py)."""
        store = self.store
        return GaugeSources(
            outbox_counts=lambda: {(dest, state.value): n for (dest, state), n in store.outbox.counts().items()},
            oldest_waiting_outbox=store.outbox.oldest_waiting_created_at,
            open_incidents=store.incidents.open_by_severity,
            is_leader=lambda: self.leadership is not None and self.leadership.is_leader(),
            replicas_seen=lambda: len(self.leadership.live_instances()) if self.leadership else 1,
            ready=ready,
            now=self.clock,
        )

    def heartbeat(self, replica_id: str) -> ReplicaRow | None:
        """The replica's heartbeat row (None before its first beat); raises when the database does not answer."""
        return self.store.replicas.get(replica_id)

    @staticmethod
    def heartbeat_max_age() -> float:
        """REDALERT_HEALTH_MAX_AGE: how old this replica's heartbeat may be for /readyz (and the healthcheck)."""
        try:
            return healthcheck.max_age_seconds(os.environ)
        except ValueError:  # config.py refuses to start with such a value
            return healthcheck.DEFAULT_MAX_AGE_SECONDS

    def replicas(self) -> list[ReplicaRow]:
        """Every replica with a heartbeat row (`!incident doctor`)."""
        return self.store.replicas.all()

    # --- lifetime -----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start delivering the outbox (every activation: the plugin stops it on deactivation)."""
        self.integrations.start()

    def stop(self) -> None:
        self.integrations.stop()
        self.stop_api_opens()

    def drain(self) -> None:
        """Wait for the work that runs after a reply (a pin, a post) and after an alert notification."""
        self.alert_intake.drain()
        self.incidents.drain()
