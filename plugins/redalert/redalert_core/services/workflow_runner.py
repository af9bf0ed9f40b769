"""The workflow engine (issue 22): the active file's workflows, fired by the event log, run once per trigger.

`feed` is subscribed to the event log (application/bootstrap.py): for an event that is a trigger it stores one
row per action of every workflow with that `when`, keyed by (incident, workflow, event, action), in the event's
own transaction, due now or after the workflow's `after`. `run_due` (the leading replica, every few seconds)
claims each due row once, checks the workflow still applies to the incident as it is now (else the row is
cancelled: a delay ends when its condition no longer holds, or the incident closed) and runs the action
(services/workflow_actions.py). `quiet` workflows are asked for by `run_due` itself, once per quiet spell.

A claim names the process instance that made it. A row still `running` whose claimer is not alive any more (its
heartbeat went stale: killed mid-action), or is this process but no thread of it runs the row (the database failed
before the outcome was written), is taken over by the next round and run again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..domain.events import FieldSet, payload_as
from ..domain.incident import Event, EventKind, Incident
from ..domain.workflow_engine import TRIGGER_OF_KIND, Facts, describe, fired, still_holds, url_fields
from ..domain.workflow_model import EMPTY, Trigger, WebhookAction, Workflow, WorkflowsFile
from ..store.workflow_runs import CANCELLED, DONE, FAILED, PENDING, WorkflowRun
from .response import ResponseService
from .workflow_actions import ActionRunner, NotYet

log = logging.getLogger(__name__)
_ZERO = timedelta(0)


def _given_at_open(event: Event) -> bool:
    """A field value given with the open command: `when: opened` covers it, `when: field_changed` does not fire."""
    given = payload_as(event, FieldSet)
    return given is not None and given.at_open


class WorkflowEngine:
    def __init__(
        self,
        response: ResponseService,
        actions: ActionRunner,
        active: Callable[[], WorkflowsFile] = lambda: EMPTY,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.response = response
        self.store = response.store
        self.actions = actions
        self.active = active  # the file every replica runs (wf-core's storage sets it)
        self.now = now or self.store.events.clock
        # Who claims runs here, and which processes are alive (bootstrap.py: the replica's instance and its
        # leadership's heartbeats); alone, this process only.
        self.instance = uuid.uuid4().hex
        self.live: Callable[[], set[str]] = lambda: {self.instance}
        self._in_flight: set[str] = set()  # the keys a thread of this process is running now
        self._in_flight_lock = threading.Lock()
        # What wf-core's fields and types provide; until then, an incident has no type and no fields.
        self.type_of: Callable[[int], str] = lambda number: ""
        self.fields_of: Callable[[int], Mapping[str, str]] = lambda number: {}

    # --- on every event, inside its transaction ---------------------------------------------------------------
    def feed(self, connection: sa.Connection, event: Event, incident: Incident | None) -> None:
        trigger = TRIGGER_OF_KIND.get(str(event.kind))
        number = event.incident_number
        if trigger is None or number is None or _given_at_open(event):
            return
        field_set = payload_as(event, FieldSet)  # `field:` names the fields whose change a workflow follows
        changed = field_set.name if field_set else None
        workflows = [wf for wf in self.active().workflows if wf.when is trigger and wf.follows(changed)]
        # A close is asked for once, by key "closed": before the archive (below), or here if that did not run.
        cause = "closed" if trigger is Trigger.CLOSED else f"e{event.id}"
        for workflow in workflows:
            due = event.at + (workflow.after or _ZERO)
            self._ask(connection, number, workflow, cause, trigger, due)

    def before_archive(self, incident: Incident, actor: str, closed_at: datetime, resolution: str | None) -> list[str]:
        """IncidentService hook: a `closed` workflow without a delay runs now, while its channel can still be used."""
        now = [wf for wf in self.active().workflows if wf.when is Trigger.CLOSED and not wf.after]
        if not now:
            return []
        with self.store.transaction() as connection:
            for workflow in now:
                self._ask(connection, incident.number, workflow, "closed", Trigger.CLOSED, closed_at)
        for run in self._in_file_order(self.store.workflow_runs.of_incident(incident.number)):
            if run.trigger == Trigger.CLOSED.value and run.state == PENDING:
                self._claim_and_run(run)
        return []

    def _ask(
        self, connection: sa.Connection, number: int, workflow: Workflow, cause: str, trigger: Trigger, due: datetime
    ) -> None:
        for index, _ in enumerate(workflow.actions):
            key = f"{number}:{workflow.name}:{cause}:{index}"
            run = WorkflowRun(key, number, workflow.name, index, trigger.value, {}, due, "pending")
            self.store.workflow_runs.record(connection, run)

    # --- the leader's round -----------------------------------------------------------------------------------
    def run_due(self) -> int:
        """Ask for the quiet workflows now due, take over what a dead claimer left running, then run every due
        action once; returns how many ran."""
        self._ask_quiet()
        ran = sum(self._claim_and_run(run, take_over=True) for run in self._orphaned())
        for run in self._in_file_order(self.store.workflow_runs.due(self.now())):
            ran += self._claim_and_run(run)
        return ran

    def _in_file_order(self, runs: list[WorkflowRun]) -> list[WorkflowRun]:
        """Rows due together run in the file's order: its workflows, then each one's actions."""
        position = {workflow.name: index for index, workflow in enumerate(self.active().workflows)}
        last = len(position)
        return sorted(runs, key=lambda r: (r.due_at, r.incident_number, position.get(r.workflow, last), r.action_index))

    def _orphaned(self) -> list[WorkflowRun]:
        running = self.store.workflow_runs.running()
        if not running:
            return []
        live = self.live()
        with self._in_flight_lock:
            ours = set(self._in_flight)
        return [
            run
            for run in running
            if run.claimed_by not in live or (run.claimed_by == self.instance and run.key not in ours)
        ]

    def _claim_and_run(self, run: WorkflowRun, *, take_over: bool = False) -> int:
        runs = self.store.workflow_runs
        with self._in_flight_lock:  # before the claim: a round of this process must not take it for orphaned
            self._in_flight.add(run.key)
        try:
            if take_over:
                if not runs.take_over(run, self.instance):
                    return 0
                log.warning("Workflow run %s: its claimer %s is gone, running it here", run.key, run.claimed_by)
            elif not runs.claim(run.key, self.instance):
                return 0
            return self._run(run)
        finally:
            with self._in_flight_lock:
                self._in_flight.discard(run.key)

    def _run(self, run: WorkflowRun) -> int:
        runs = self.store.workflow_runs
        workflow = next((wf for wf in self.active().workflows if wf.name == run.workflow), None)
        incident = self.store.incidents.get(run.incident_number)
        if workflow is None or incident is None or run.action_index >= len(workflow.actions):
            runs.finish(run.key, CANCELLED, "the workflow is no longer in the file", self.now())
            return 0
        facts = self.facts(incident)
        if not still_holds(workflow, facts):
            runs.finish(run.key, CANCELLED, "its condition no longer holds", self.now())
            return 0
        action = workflow.actions[run.action_index]
        try:
            if isinstance(action, WebhookAction):  # its outbox row commits with the run's outcome: queued once
                with self.store.transaction():
                    detail = self.actions.run(action, incident, facts, run)
                    runs.finish(run.key, DONE, detail or describe(action, facts), self.now())
                return 1
            detail = self.actions.run(action, incident, facts, run)
        except NotYet:
            runs.release(run.key)
            return 0
        except sa.exc.SQLAlchemyError:  # nothing of it was recorded: it stays claimed and the next round retakes it
            log.exception("Workflow %s action %d: the database failed", workflow.name, run.action_index)
            return 0
        except Exception as exc:  # one action's failure is recorded and said; the others still run
            log.warning("Workflow %s action %d failed: %s", workflow.name, run.action_index, exc)
            runs.finish(run.key, FAILED, str(exc), self.now())
            return 0
        runs.finish(run.key, DONE, detail or describe(action, facts), self.now())
        return 1

    def _ask_quiet(self) -> None:
        quiet = [wf for wf in self.active().workflows if wf.when is Trigger.QUIET and wf.after]
        if not quiet:
            return
        now = self.now()
        incidents = self.store.incidents.not_closed()
        updated = self.store.events.latest_of_kind(EventKind.UPDATE_POSTED, [i.number for i in incidents])
        for incident in incidents:
            last = updated.get(incident.number, incident.opened_at)  # no update yet: quiet since the open
            for workflow in quiet:
                assert workflow.after is not None
                if last + workflow.after <= now:
                    with self.store.transaction() as connection:
                        cause = f"q{int(last.timestamp())}"
                        self._ask(connection, incident.number, workflow, cause, Trigger.QUIET, now)

    # --- what conditions and templates read ---------------------------------------------------------------------
    def facts(self, incident: Incident) -> Facts:
        statuses = self.response.settings.statuses
        return Facts(
            number=incident.number,
            severity=incident.severity,
            status=self.store.response.get(incident.number).current_status(statuses),
            description=incident.description,
            channel=incident.channel_name or "",
            type=self.type_of(incident.number),
            fields=dict(self.fields_of(incident.number)),
            url_fields=url_fields(self.active()),
            closed=incident.is_closing_or_closed,
        )

    def dry_run(self, incident: Incident) -> list[tuple[Workflow, list[str]]]:
        """`!incident workflows test`: every workflow that applies to the incident now, and what each action would
        do; nothing is run or stored."""
        facts = self.facts(incident)
        out = []
        for workflow in self.active().workflows:
            if workflow in fired([workflow], workflow.when, facts):
                out.append((workflow, [describe(action, facts) for action in workflow.actions]))
        return out
