"""RedAlertApp: one method per use case, the only thing a front end calls.

Chat commands, `/incident`, buttons and forms, and the HTTP API each build a `Requester` (who asks, where, admin or
not, which front end), call one method here and render what it returns. A method never formats chat text; it
raises `ServiceError` with the refusal a person reads (a front end shows it as its own kind of answer). Built by
`bootstrap.build`, which wires every service and hook once.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime

from ..domain import alerts as alert_payloads
from ..domain import jira_webhooks
from ..domain.commands import Mentions
from ..domain.incident import Incident
from ..domain.oncall import OnCallLookup, OnCallTarget
from ..domain.requester import Requester
from ..domain.settings import Settings
from ..domain.status_parsing import PublishRequest
from ..domain.workflow_engine import inert
from ..domain.workflow_model import Workflow
from ..services import doctor, recovery
from ..services.alert_intake import AlertIntakeService, AlertsReceived
from ..services.analysis import AnalysisService
from ..services.incidents import IncidentService, OpenRequest, StepReport
from ..services.integrations import IntegrationsService, OutboxReport, Paged
from ..services.jira_inbound import JiraApplied, JiraInbound
from ..services.leadership import Leadership
from ..services.links import LinkService
from ..services.oncall import OnCallService
from ..services.problems import ProblemService
from ..services.response import Outcome, ResponseService
from ..services.slack_outage import WaitingOpens
from ..services.status_page import Published, StatusPageService
from ..services.status_site import StatusSite
from ..services.tasks import TaskService
from ..services.trello_inbound import TrelloInbound
from ..services.web_report import WebReport
from ..services.workflow_runner import WorkflowEngine
from ..services.workflows import WorkflowsService
from ..slack.gateway import SlackGateway
from ..store import Store
from .api_incidents import ApiIncidentUseCases
from .api_tokens import TokenUseCases
from .clock import Clock
from .errors import ServiceError
from .follow_up import FollowUpUseCases
from .operations import OperationsUseCases
from .results import Closed, Invited, Retried, UpdateSubmitted
from .trello_hooks import TrelloUseCases
from .workflow_cases import WorkflowCases

PAGERDUTY_ID = re.compile(r"^P[A-Z0-9]{5,19}\Z")


@dataclass
class RedAlertApp(
    TokenUseCases, ApiIncidentUseCases, FollowUpUseCases, OperationsUseCases, WorkflowCases, TrelloUseCases
):
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
    oncall: OnCallService
    engine: WorkflowEngine
    workflows: WorkflowsService
    trello_inbound: TrelloInbound
    jira_inbound: JiraInbound

    @property
    def settings(self) -> Settings:
        return self.incidents.settings

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
        # On the API's pool: a stop drops what has not started (recovery finishes it), so it never waits for Slack.
        running = self._background(lambda: self._open_in_slack(report.incident, request.mentions))
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
            report.warnings.extend(self._invite_oncall(incident))
        return report

    def _invite_oncall(self, incident: Incident) -> list[str]:
        """Invite whoever is on call for the incident's type; PagerDuty or Slack failing never stops the open: the
        channel is told who could not be found."""
        active = self.engine.active()
        kind = active.type_named(self.engine.type_of(incident.number)) or active.default_type()
        if kind is None or kind.oncall is None:
            return []
        target = OnCallTarget(kind.oncall.escalation_policies, kind.oncall.schedules)
        found = self.oncall.lookup(target)
        warnings = [f"I could not invite {missing}." for missing in found.missing]
        if found.found:
            try:
                mentions = Mentions(users=found.found)
                warnings += self.incidents.invite(
                    number=incident.number, here=None, mentions=mentions, actor=incident.opened_by, actor_is_admin=True
                )[2]
            except ServiceError as exc:
                warnings.append(str(exc))
        if found.missing and incident.channel_id:
            self.response.posts.post(incident, "\n".join(inert(w) for w in warnings))
        return warnings

    # --- whoever is on call, and the workflows ------------------------------------------------------------------
    def who_is_on_call(self, requester: Requester, name: str) -> OnCallLookup:
        """`!oncall <type|policy>`: anyone may ask (no PagerDuty seat needed): the on-call of a type of the
        workflows file, or of a PagerDuty escalation policy by id."""
        kind = self.engine.active().type_named(name)
        if kind is not None:
            if kind.oncall is None:
                raise ServiceError(f"The type {name} names no on-call (`oncall:` in the workflows file).")
            target = OnCallTarget(kind.oncall.escalation_policies, kind.oncall.schedules)
        elif PAGERDUTY_ID.match(name):
            target = OnCallTarget(escalation_policies=(name,))
        else:
            raise ServiceError("Usage: !oncall <type|escalation policy id>, e.g. `!oncall outage`, `!oncall PABC123`.")
        return self.oncall.lookup(target)

    def run_workflows(self) -> int:
        """The leader's job: run the workflow actions now due (services/workflows.py); how many ran."""
        return self.engine.run_due() if self.leads() else 0

    def dry_run_workflows(self, requester: Requester, number: int | None) -> list[tuple[Workflow, list[str]]]:
        """`!incident workflows test [<n>]`: which workflows apply to the incident now and what they would do."""
        incident = self.response.find(
            number, requester, "workflows test", open_only=False, shown=True, needs_channel=False
        )
        return self.engine.dry_run(incident)

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
        with JIRA_WEBHOOK_SECRET (nothing changes), else what it changed, or `pending` when the issue's link to its
        task is not stored yet (the route answers 503 so that Jira retries; see services/jira_inbound.py)."""
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
        self.refuse_close_without_fields(requester, number, channel_id)
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

    def refuse_close_without_fields(self, requester: Requester, number: int | None, channel_id: str | None) -> None:
        """Fields required at close (REDALERT_WORKFLOWS_FILE) that have no value refuse a close (ServiceError naming
        them) before it starts: chat, the Close button and the API alike."""
        if self.workflows.current().fields:
            viewer = requester.person()
            found = self.incidents.find(viewer, number=number, channel_id=channel_id, here=requester.here, verb="close")
            if not found.is_closing_or_closed:
                self.workflows.check_may_close(found.number)

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

    # --- lifetime -----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start delivering the outbox (every activation: the plugin stops it on deactivation); Trello's webhook is
        checked once the outbox gets to it."""
        self.register_trello_webhook()
        self.integrations.start()

    def stop(self) -> None:
        self.integrations.stop()
        self.stop_api_opens()

    def drain(self) -> None:
        """Wait for the work that runs after a reply (a pin, a post) and after an alert notification."""
        self.alert_intake.drain()
        self.drain_api_opens()
        self.incidents.drain()
