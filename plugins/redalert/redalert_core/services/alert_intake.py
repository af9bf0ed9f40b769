"""Alert intake: Alertmanager's and Grafana's notifications become incidents, one per alert group while it is open.

`receive` records, under the group's lock and in one transaction: the incident a firing group opens (through the
same `IncidentService.record` as chat), each new alert (by fingerprint, one timeline entry), and the status the
group's alerts imply (all resolved: the resolved status; firing again: the first status). It returns at once; the
Slack work follows on this service's own pool (`follow_up`): the channel and the rest of the open steps, one
message per new alert, the status change told and the summary refreshed. Work for one incident runs one pass at a
time, and a notification arriving meanwhile asks for one more pass, never a second worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime

from ..domain import alert_config
from ..domain.alerts import RESOLVED, Alert, AlertBatch, common_labels
from ..domain.commands import MAX_GROUPS, Mentions
from ..domain.events import AlertReceived
from ..domain.incident import EventKind, Incident
from ..domain.links import LinkKind
from ..domain.requester import Requester
from ..observability import log_context
from ..slack import alert_messages
from ..slack.gateway import SlackError
from ..store.alert_groups import AlertGroup, SeenAlert, group_hash
from .incidents import OpenRequest
from .response import ResponseService

log = logging.getLogger(__name__)


@dataclass
class AlertsReceived:
    """What one notification did. `incident` is the group's incident (None: nothing opened, e.g. all ignored)."""

    source: str
    group_key: str
    incident: int | None = None
    opened: bool = False
    previous_incident: int | None = None  # the group's closed incident the new one is linked to
    new_alerts: int = 0
    repeats: int = 0
    changed: int = 0  # alerts known already whose status changed
    ignored: int = 0
    status: str | None = None  # the team's status the alerts set (resolved, or back to the first)


@dataclass
class _Pending:
    mentions: Mentions | None = None
    status_changed: bool = False  # the summary shows the new status (its channel notice is in the outbox)


class AlertIntakeService:
    def __init__(self, response: ResponseService, clock: Callable[[], datetime], workers: int = 16) -> None:
        self.response = response
        self.incidents = response.incidents
        self.store = response.store
        self._clock = clock
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="redalert-alerts")
        self._guard = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._running: set[int] = set()
        self._again: set[int] = set()
        self._futures: set[Future] = set()
        # The alert counter (observability/metrics.py): (source, status) per alert taken in; set by the front end.
        self.count: Callable[[str, str], None] = lambda source, status: None
        # The workflows file's type and fields for an alert's incident (application: alert_open), by its alerts'
        # common labels; set by bootstrap.
        self.shape_open: Callable[[OpenRequest, Mapping[str, str]], OpenRequest] = lambda request, labels: request

    # --- intake -------------------------------------------------------------------------------------------------
    def receive(self, requester: Requester, batch: AlertBatch) -> AlertsReceived:
        for alert in batch.alerts:
            self.count(batch.source, alert.status)
        settings = self.incidents.settings
        rules = settings.alerts
        considered = [alert for alert in batch.alerts if not rules.ignored(alert)]
        result = AlertsReceived(batch.source, batch.group_key, ignored=len(batch.alerts) - len(considered))
        if not considered:
            return result
        lock = self.store.locks.hold(f"alert-group:{group_hash(batch.source, batch.group_key)}")
        with lock, self.store.transaction():
            group = self._group_for(requester, batch, considered, result)
            if group is None:
                return result
            all_resolved = self._record_alerts(requester, group, batch.source, considered, result)
            self._record_status(requester, group, all_resolved, result)
        if result.incident is not None:
            self._kick(result.incident)
        return result

    def _group_for(
        self, requester: Requester, batch: AlertBatch, considered: list[Alert], result: AlertsReceived
    ) -> AlertGroup | None:
        """The group's open incident, or a new one when an alert fires; None when there is nothing to do."""
        group = self.store.alert_groups.latest(batch.source, batch.group_key)
        incident = self.store.incidents.get(group.incident_number) if group else None
        if group is not None and incident is not None and not incident.is_closing_or_closed:
            result.incident = incident.number
            return group
        firing = [alert for alert in considered if alert.firing]
        if not firing:
            return None  # resolved alerts of a group with no open incident: it is over already
        settings = self.incidents.settings
        rules = settings.alerts
        invitees = rules.invitees(firing)
        groups = [e for e in invitees if e.startswith(("@", "S"))][:MAX_GROUPS]
        mentions = Mentions(users=[e for e in invitees if e[0] in "UW"], groups=groups)
        previous = group.incident_number if group else None
        request = OpenRequest(
            severity=rules.severity(firing, settings.severity_values),
            description=alert_config.description(batch, firing),
            opened_by=requester.user,
            mentions=mentions,
            dedup_key=f"alert:{group_hash(batch.source, batch.group_key)[:40]}:{previous or 0}",
            catch_repeats=False,  # two groups may well describe themselves alike
        )
        request = self.shape_open(request, common_labels(firing))  # the workflows file's type and fields
        mentions = request.mentions
        recorded = self.incidents.record(request)
        number = recorded.incident.number
        now = self._clock()
        group = self.store.alert_groups.create(batch.source, batch.group_key, number, previous, now)
        if previous is not None:
            self.store.links.link(number, previous, LinkKind.RELATED, actor=requester.user, at=now)
        with self._guard:
            self._pending.setdefault(number, _Pending()).mentions = mentions
        result.incident, result.opened, result.previous_incident = number, True, previous
        return group

    def _record_alerts(
        self, requester: Requester, group: AlertGroup, source: str, alerts: list[Alert], result: AlertsReceived
    ) -> bool:
        """Store new alerts and status changes; True when every alert of the group is resolved now."""
        seen = self.store.alert_groups.seen(group.id)
        now = self._clock()
        for alert in alerts:
            known = seen.get(alert.fingerprint)
            if known is None:
                kept = alert_messages.detail(alert, source)
                self.store.alert_groups.add(group.id, alert.fingerprint, alert.status, kept, now)
                received = AlertReceived(
                    source=source, name=alert.name, status=alert.status, fingerprint=alert.fingerprint
                )
                self.store.events.add(group.incident_number, received, actor=requester.user, at=now)
                seen[alert.fingerprint] = _seen_now(group.id, alert)
                result.new_alerts += 1
            elif known.status != alert.status:
                self.store.alert_groups.set_status(group.id, alert.fingerprint, alert.status, now)
                seen[alert.fingerprint] = _seen_now(group.id, alert)
                result.changed += 1
            else:
                result.repeats += 1
        return all(s.status == RESOLVED for s in seen.values())

    def _record_status(
        self, requester: Requester, group: AlertGroup, all_resolved: bool, result: AlertsReceived
    ) -> None:
        """All the group's alerts resolved: the resolved status; one firing again: back to the first status."""
        settings = self.incidents.settings
        number = group.incident_number
        current = self.store.response.get(number).current_status(settings.statuses)
        if all_resolved and group.firing:
            self.store.alert_groups.set_firing(group.id, False)
            wanted, note = settings.resolved_status, "every alert resolved"
        elif not all_resolved and not group.firing:
            self.store.alert_groups.set_firing(group.id, True)
            wanted, note = settings.statuses[0], "an alert is firing again"
        else:
            return
        if wanted == current:
            return
        resolved = wanted == settings.resolved_status
        at = self._clock()
        notice = alert_messages.status_text(number, group.source, wanted, resolved=resolved)
        # The status and the channel's notice in one transaction: the notice waits in the outbox (in order with the
        # incident's other posts) until the channel exists and Slack takes it; a crash cannot lose it.
        with self.store.transaction():
            self.store.response.set_status(
                number,
                status=wanted,
                resolved=resolved,
                actor=requester.user,
                note=note,
                at=at,
                implicit_previous=current,
            )
            self.response.posts.queue(number, notice)
        result.status = wanted
        with self._guard:
            self._pending.setdefault(number, _Pending()).status_changed = True

    # --- the Slack work that follows ----------------------------------------------------------------------------
    def _kick(self, number: int) -> None:
        with self._guard:
            if number in self._running:
                self._again.add(number)
                return
            self._running.add(number)
            future = self._pool.submit(log_context.carry(self._follow_up_loop), number)
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._guard:
            self._futures.discard(future)

    def _follow_up_loop(self, number: int) -> None:
        while True:
            try:
                self.follow_up(number)
            except Exception:  # one incident's failure must not stop the pool; `!incident retry` finishes an open
                log.exception("Alert follow-up of incident %s failed", number)
            with self._guard:
                if number in self._again:
                    self._again.discard(number)
                    continue
                self._running.discard(number)
                return

    def follow_up(self, number: int) -> None:
        """Open the channel if it is missing, then tell it about new alerts and status changes, in that order."""
        incident = self.store.incidents.get(number)
        if incident is None or incident.is_closing_or_closed:
            return
        with self._guard:
            pending = self._pending.pop(number, _Pending())
        if not incident.channel_id:
            incident = self._open(incident, pending.mentions)
            if not incident.channel_id:
                return  # the open failed: `!incident retry` (or the leader's recovery) finishes it
        for seen in self.store.alert_groups.unposted(number):
            try:
                self.response.gateway.post_message(incident.channel_id, alert_messages.alert_text(seen.detail))
            except SlackError as exc:
                log.warning("Could not post alert %s in incident %s: %s", seen.fingerprint, number, exc)
                return  # left unposted: the next notification of the group tries again
            self.store.alert_groups.mark_posted(seen.group_id, seen.fingerprint)
        self.response.posts.hurry(number)  # the status notices queued by _record_status: due now
        if pending.status_changed:
            self.response.refresh_summary(number)

    def _open(self, incident: Incident, mentions: Mentions | None) -> Incident:
        if mentions is None:  # recorded by another process or before a restart: the mentions are in its log
            mentions = Mentions()
            for event in self.store.events.list(incident.number):
                if event.kind == EventKind.MENTIONS:
                    mentions = Mentions(users=event.data.get("users", []), groups=event.data.get("groups", []))
        report = self.incidents.run_open_steps(incident, mentions)
        if report.incident.channel_id:
            self.response.announce_opened(report.incident)
            self.incidents.mark_replied(incident.number)  # nobody waits for an answer: the open is done
        for warning in report.warnings:
            log.warning("Incident %s opened from alerts: %s", incident.number, warning)
        return report.incident

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait for the Slack work of every notification taken in; True when none is left."""
        while True:
            with self._guard:
                pending = set(self._futures)
            if not pending:
                return True
            if wait(pending, timeout=timeout).not_done:
                return False

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def _seen_now(group_id: int, alert: Alert) -> SeenAlert:
    return SeenAlert(group_id, alert.fingerprint, alert.status, {}, True)
