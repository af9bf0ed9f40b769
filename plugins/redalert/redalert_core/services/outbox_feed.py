"""The event hook that feeds the outbox: for every logged event, inside its transaction, write the outside calls
the policies (domain/outbox_policies.py) ask for.

Wired at startup with `store.events.subscribe(OutboxFeed(store, settings))`; the store knows nothing of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain import outbox_policies as policies
from ..domain import postmortem, postmortem_storage, type_outside
from ..domain import status_outbox_policies as status_policies
from ..domain import task_outbox_policies as task_policies
from ..domain.events import PostmortemUploaded, payload_as, payload_of
from ..domain.incident import Event, EventKind, Incident, Phase
from ..domain.outbox import WEBHOOK, OutboxMessage
from ..domain.problem_events import TASK_EVENTS
from ..domain.response_state import ResponseState
from ..domain.settings import Settings
from ..domain.webhook_rules import endpoint_key
from ..domain.workflow_model import IncidentType
from ..store import Store


class OutboxFeed:
    def __init__(self, store: Store, settings: Callable[[], Settings], clock: Callable[[], datetime]) -> None:
        self.store = store
        self._settings = settings
        self.clock = clock
        # An incident's type in REDALERT_WORKFLOWS_FILE, whose own outside settings replace the global ones
        # (domain/type_outside.py), and whether any type has some; the workflows service sets both.
        self.kind_of: Callable[[Incident], IncidentType | None] = lambda incident: None
        self.types_send: Callable[[], bool] = lambda: False

    def __call__(self, connection: Any, event: Event, incident: Incident | None = None) -> None:
        settings = self._settings()
        if not settings.integrations.anything and not settings.status_page.statuspage and not self.types_send():
            return  # nothing configured: no query, no cost on the chat path
        plans = [status_policies.plan(event, settings)]
        if event.incident_number is not None and event.kind in policies.RELEVANT and self._worth_a_look(event):
            context = self._context(event, settings, incident)
            if context is not None:
                plans.append(policies.plan(event, context))
        kind = str(event.kind)
        if kind in task_policies.TASK_KINDS or (kind in task_policies.PROBLEM_KINDS and event.problem_number):
            plans.append(task_policies.plan(event, self._task_context(event, settings)))
        now = self.clock()
        for plan in plans:
            self.store.outbox.add_all(self._not_to_disabled_webhooks(plan.messages), now)

    def _not_to_disabled_webhooks(self, messages: list[OutboxMessage]) -> list[OutboxMessage]:
        """A webhook disabled by a 410 Gone gets nothing more until an admin enables it (Standard Webhooks 1.0)."""
        if not any(m.destination == WEBHOOK for m in messages):
            return messages
        disabled = {d.endpoint for d in self.store.webhook_states.all()}
        return [m for m in messages if m.destination != WEBHOOK or endpoint_key(m.payload["url"]) not in disabled]

    @staticmethod
    def _worth_a_look(event: Event) -> bool:
        # Open steps other than the channel are frequent and never cause a call.
        return event.kind not in (EventKind.STEP_DONE, EventKind.STEP_FAILED) or policies.opened(event)

    def _context(self, event: Event, settings: Settings, incident: Incident | None) -> policies.Context | None:
        # Repository reads join this thread's open transaction, so they see the change being committed; the writer
        # may have handed over the incident already (the opening does), which spares the read.
        assert event.incident_number is not None, "the caller looks only at incident events"
        incident = incident or self.store.incidents.get(event.incident_number)
        if incident is None:
            return None
        settings = type_outside.for_type(settings, self.kind_of(incident))
        # Before its channel exists an incident has no workflow state and no page but the opening's own (every
        # workflow command and `!incident page` need the channel; a repeated opening trigger is dropped by its
        # idempotency key): the opening, on the chat path of `!incident open`, skips both queries.
        opening = policies.opened(event)
        state = ResponseState(incident.number) if opening else self.store.response.get(incident.number)
        paging = None
        if settings.integrations.pagerduty_routing_keys and not opening:
            paging = self.alert_state(incident.number)
        body = None
        uploaded = payload_as(event, PostmortemUploaded)
        if uploaded is not None and settings.integrations.confluence:
            body = self._postmortem(incident, settings, uploaded.closing)
        return policies.Context(
            incident=incident,
            settings=settings,
            status=state.current_status(settings.statuses),
            roles=dict(state.roles),
            paging=paging,
            postmortem=body,
        )

    def alert_state(self, number: int) -> dict | None:
        """The incident's PagerDuty alert as its outbox rows leave it (None: never paged)."""
        return policies.alert_state(self.store.outbox.payloads(policies.paging_link(number)))

    def _task_context(self, event: Event, settings: Settings) -> task_policies.TaskContext:
        change = payload_of(event)
        task = self.store.tasks.get(change.task) if isinstance(change, TASK_EVENTS) else None
        incident = self.store.incidents.get(task.incident_number) if task and task.incident_number else None
        if incident is not None:
            settings = type_outside.for_type(settings, self.kind_of(incident))
        problem_number = task.problem_number if task else event.problem_number
        problem = self.store.problems.get(problem_number) if problem_number else None
        return task_policies.TaskContext(settings=settings, task=task, incident=incident, problem=problem)

    def _postmortem(self, incident: Incident, settings: Settings, closing: dict | None) -> str:
        number = incident.number
        if closing and not incident.is_closed:
            incident = dataclasses.replace(
                incident,
                phase=Phase.CLOSED,
                closed_at=datetime.fromisoformat(closing["closed_at"]),
                closed_by=closing.get("closed_by"),
                resolution=closing.get("resolution"),
            )
        markdown = postmortem.render(
            incident,
            self.store.response.get(number),
            self.store.events.list(number),
            self.store.participants.list(number),
            settings,
            self.clock(),
        )
        return postmortem_storage.from_markdown(markdown)
