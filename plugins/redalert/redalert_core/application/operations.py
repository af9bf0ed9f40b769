"""RedAlertApp's use cases for running the bot: once-only clicks, the leader's background work, replicas, the command
inbox and being watched. A part of RedAlertApp (app.py), kept apart to keep files small."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from ..observability.metrics import GaugeSources
from ..services import housekeeping
from ..services.analysis import AnalysisService
from ..services.incidents import IncidentService
from ..services.leadership import Leadership
from ..services.problems import ProblemService
from ..services.response import ResponseService
from ..services.tasks import TaskService
from ..store import Store, healthcheck
from ..store.command_inbox import CommandInbox
from ..store.replicas import ReplicaRow
from .clock import Clock

# Clicks and form submissions are claimed in the store (a double click or a redelivery does one thing); redeliveries
# come within seconds, so old claims are purged now and then.
CLAIMS_KEPT = timedelta(days=2)


class OperationsUseCases:
    clock: Clock
    store: Store
    incidents: IncidentService
    response: ResponseService
    problems: ProblemService
    tasks: TaskService
    analysis: AnalysisService
    leadership: Leadership | None
    _claims_purged_at: datetime | None = None

    def leads(self) -> bool:
        """Whether this process runs the background work (reminders, digests, deliveries): the leading replica."""
        return self.leadership is None or self.leadership.is_leader()

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
