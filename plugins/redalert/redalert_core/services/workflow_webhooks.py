"""A workflow's `webhook` action: queue one signed delivery to the named webhook (WEBHOOKS) in the outbox.

Called by the workflow engine inside the transaction that records the run's outcome (services/workflow_runner.py),
so the outbox row and the run's `done` commit together: a run is never done without its delivery queued, nor queued
twice (the outbox keeps one row per idempotency key, `<endpoint>:workflow-<run key>`). The outbox's dispatcher
delivers it off the path, retries it and keeps it until delivered or dead (docs/webhooks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain import workflow_webhooks
from ..domain.incident import Incident
from ..domain.outbox_policies import Context
from ..domain.settings import Settings
from ..domain.webhook_rules import endpoint_key
from ..domain.workflow_engine import Facts
from ..store import Store
from ..store.workflow_runs import WorkflowRun
from .incidents import ServiceError


class WorkflowWebhooks:
    def __init__(self, store: Store, settings: Callable[[], Settings], clock: Callable[[], datetime]) -> None:
        self.store = store
        self._settings = settings
        self.clock = clock

    def __call__(self, incident: Incident, name: str, run: WorkflowRun, facts: Facts) -> str:
        """Queue the delivery; returns what the run records. ServiceError when WEBHOOKS has no such webhook."""
        settings = self._settings()
        hook = settings.integrations.webhook_named(name)
        if hook is None:
            known = ", ".join(h.name for h in settings.integrations.webhooks) or "none is configured"
            raise ServiceError(f"webhook {name}: there is no webhook of that name in WEBHOOKS (webhooks: {known}).")
        if incident.is_private:
            return f"webhook {name}: not sent, incident {incident.number} is private (never sent to webhooks)"
        if self.store.webhook_states.get(endpoint_key(hook.url)) is not None:
            return f"webhook {name}: not sent, it is disabled (its receiver answered 410 Gone)"
        state = self.store.response.get(incident.number)
        context = Context(incident=incident, settings=settings, status=facts.status, roles=dict(state.roles))
        now = self.clock()
        message = workflow_webhooks.message(
            hook,
            context,
            incident_type=facts.type,
            fields=facts.fields,
            workflow=run.workflow,
            trigger=run.trigger,
            run_key=run.key,
            at=now,
        )
        queued = self.store.outbox.add(message, now)
        return f"webhook {name}: queued" + ("" if queued else " (already queued)")
