"""Running as one of several replicas on one database (a mixin; RedAlert lists it among its bases).

- the heartbeat and the leadership (services/leadership.py): background work runs on the leader only;
- every command is stored in the command inbox by its Slack message (channel + ts) before it runs, so a message
  Slack delivers to two replicas is answered once, and the leader re-runs what a dead replica left unanswered
  (chat_commands/inbox.py);
- a configuration change made on another replica is picked up within REDALERT_CONFIG_POLL seconds;
- identifier-cache entries another replica learnt are stale are forgotten here too.

The timings come from the environment (tests shorten them): REDALERT_HEARTBEAT_INTERVAL (10 s),
REDALERT_REPLICA_STALE_AFTER (30 s), REDALERT_LEADER_POLL (5 s), REDALERT_RESUME_INTERVAL (10 s),
REDALERT_CONFIG_POLL (2 s), REDALERT_SLACK_RETRY_MAX (20 s: the longest pause between two checks whether Slack
answers again while opens wait for it, services/slack_outage.py). REDALERT_REPLICA_ID names the replica (default:
the host name).
"""

from __future__ import annotations

import atexit
import os
from typing import Any

from redalert_core.application.results import Timing, identify
from redalert_core.domain import text as texts
from redalert_core.domain.replica import ReplicaIdentity

from .inbox import InboxCommands

HOUSEKEEPING_SECONDS = 3600.0


def seconds_from_env(name: str, default: float, minimum: float = 0.05) -> float:
    try:
        return max(minimum, float(os.environ.get(name, default)))
    except ValueError:
        return default


def timing_from_env() -> Timing:
    defaults = Timing()
    return Timing(
        heartbeat=seconds_from_env("REDALERT_HEARTBEAT_INTERVAL", defaults.heartbeat),
        stale_after=seconds_from_env("REDALERT_REPLICA_STALE_AFTER", defaults.stale_after),
        leader_poll=seconds_from_env("REDALERT_LEADER_POLL", defaults.leader_poll),
    )


def slack_retry_pauses() -> tuple[float, float]:
    """Opens waiting for Slack are retried after REDALERT_RESUME_INTERVAL, then less often, at most every
    REDALERT_SLACK_RETRY_MAX seconds (default 20): recovery stays within a minute of Slack's return."""
    return seconds_from_env("REDALERT_RESUME_INTERVAL", 10.0), seconds_from_env("REDALERT_SLACK_RETRY_MAX", 20.0)


class ReplicaCommands(InboxCommands):
    """The leader re-runs what a dead replica left unanswered: the inbox's job (chat_commands/inbox.py)."""

    _seen_config: Any = None
    _last_invalidation: int = 0

    # --- lifecycle (called from RedAlert.activate) ------------------------------------------------------------
    def _start_replica(self) -> None:
        """Once per process: the leader's jobs, then the heartbeat and the leadership (built by the application)."""
        leadership = self.app.leadership
        if leadership is None:
            return
        leadership.on_gain(self._finish_orphaned_opens_on_gain)
        leadership.on_gain(self._finish_unanswered_commands)  # chat_commands/inbox.py
        resume = seconds_from_env("REDALERT_RESUME_INTERVAL", 10.0)
        leadership.every(resume, self._finish_orphaned_opens, "resume")
        # Opens whose Slack steps failed while their process lives on (paced: AppConfig.slack_retry_pauses).
        leadership.every(resume, self.app.retry_waiting_opens, "opens waiting for Slack")
        leadership.every(resume, self._finish_unanswered_commands, "unanswered commands")
        leadership.every(HOUSEKEEPING_SECONDS, self.app.housekeeping, "housekeeping")
        self._last_invalidation = self.app.latest_cache_invalidation()
        backend = self._bot
        if hasattr(backend, "on_cache_forget"):  # RedAlertSlack: tell the other replicas what it forgets
            backend.on_cache_forget = self._publish_cache_forget
        if hasattr(backend, "command_hooks"):  # RedAlertSlack: unknown commands, command scope and answers
            backend.command_hooks = self
        leadership.start()
        atexit.register(leadership.stop)  # a clean exit hands the leadership over at once

    def _watch_shared_state(self) -> None:
        """Started on every activation (pollers stop on deactivation): configuration and cache invalidations."""
        self._seen_config = self._stored_config()
        self.start_poller(seconds_from_env("REDALERT_CONFIG_POLL", 2.0), self._poll_shared_state)

    @staticmethod
    def replica_identity() -> ReplicaIdentity:
        """This process among the replicas: REDALERT_REPLICA_ID (default the host name) and a fresh instance."""
        return identify(os.environ.get("REDALERT_REPLICA_ID"))

    # --- leader jobs ----------------------------------------------------------------------------------------
    def _finish_orphaned_opens_on_gain(self) -> None:
        # On becoming the leader (at start on a single replica) opens nobody owns are finished too: they were
        # interrupted before owners were recorded.
        self.app.finish_interrupted_opens(include_unowned=True)

    def _finish_orphaned_opens(self) -> None:
        self.app.finish_interrupted_opens(include_unowned=False)

    # --- shared configuration and caches --------------------------------------------------------------------
    def _stored_config(self) -> Any:
        return self._bot.plugin_manager.get_plugin_configuration(self.name)

    def _poll_shared_state(self) -> None:
        try:
            stored = self._stored_config()
            if stored != self._seen_config:
                self._seen_config = stored
                self.log.info("The configuration changed on another replica; applying it here")
                self.configure(stored)
            self._apply_cache_invalidations()
        except Exception:  # a poller that raises is not rescheduled: log and keep watching
            self.log.exception("Checking for configuration changes failed")

    def _apply_cache_invalidations(self) -> None:
        forget = getattr(self._bot, "forget_cached", None)
        if forget is None:
            return
        found, self._last_invalidation = self.app.cache_invalidations_since(self._last_invalidation)
        for kind, key in found:
            forget(kind, key)
            self.log.info("Forgot the cached %s %s: another replica saw it change", kind, key or "")

    def _publish_cache_forget(self, kind: str, key: str | None) -> None:
        try:
            self.app.share_cache_forget(kind, key)
        except Exception:  # the other replicas' entries still expire on their own
            self.log.warning("Could not share a cache invalidation with the other replicas", exc_info=True)

    # --- doctor ---------------------------------------------------------------------------------------------
    def _replica_report(self) -> list[str]:
        """One line per replica with a heartbeat row: which one leads, and how fresh each heartbeat is."""
        now = self.app.clock()
        leadership = self.app.leadership
        stale_after = leadership.timing.stale_after if leadership else 30.0
        me = self.app.incidents.replica
        rows = self.app.replicas()
        fresh = [r for r in rows if (now - r.heartbeat_at).total_seconds() <= stale_after]
        # A killed leader's row says "leader" until it goes stale; the lead belongs to whoever took it last.
        claimants = [(r.leader_since, r.instance) for r in fresh if r.leader_since is not None]
        leader = max(claimants)[1] if claimants else None
        lines = []
        for row in rows:
            age = (now - row.heartbeat_at).total_seconds()
            state = "leader" if row.instance == leader else "follower"
            if age > stale_after:
                state = "not responding"
            this = " (this one)" if me is not None and row.instance == me.instance else ""
            lines.append(
                f"- `{row.replica_id}`{this}: {state}, host {row.hostname} pid {row.pid}, "
                f"up since {texts.when(row.started_at)}, heartbeat {max(age, 0):.0f}s ago"
            )
        return lines
