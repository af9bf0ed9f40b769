"""Watching the bot (a mixin; RedAlert lists it among its bases): metrics, /healthz and /readyz, request ids.

- REDALERT_METRICS_PORT (unset: no metrics server, no metrics kept) serves /metrics, /healthz and /readyz
  (redalert_core/observability/http_server.py) from the first activation on;
- every command is timed and counted by its registered name and outcome (`observed_commands`), inside a request
  scope whose id was given when the message was received (`begin_request`), so its log lines share one id;
- the Slack gateway reports its calls, retries and pacing waits to the metrics.
"""

from __future__ import annotations

import functools
import inspect
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from errbot import cmdfilter

from redalert_core.observability import log_context
from redalert_core.observability.http_server import MetricsServer
from redalert_core.observability.metrics import Metrics

from .base import ChatBase

REQUEST_ID = "redalert_request_id"  # msg.extras: the id given on receipt, continued by the command's worker
# Probes and Prometheus reach the pod's address, not its loopback; REDALERT_METRICS_HOST in the Errbot config (tests
# set 127.0.0.1) overrides it.
METRICS_HOST = "0.0.0.0"  # noqa: S104


def metrics_port(bot_config: Any) -> int | None:
    """REDALERT_METRICS_PORT from config.py or the environment; None when unset (config.py checks its form)."""
    raw = str(getattr(bot_config, "REDALERT_METRICS_PORT", "") or os.environ.get("REDALERT_METRICS_PORT", "")).strip()
    return int(raw) if raw.isdigit() else None


def observed_commands(plugin_class: type) -> type:
    """Time and count every command of the plugin, under its registered name (a class decorator)."""
    for name, member in list(vars(plugin_class).items()):
        if getattr(member, "_err_command", False) and not getattr(member, "_redalert_observed", False):
            setattr(plugin_class, name, _observed(member))
    return plugin_class


def _observed(func: Any) -> Callable:
    command = func._err_command_name  # set by Errbot's @botcmd
    if inspect.isgeneratorfunction(func):  # Errbot streams a generator's replies: it must stay one

        @functools.wraps(func)
        def observed(self, msg, args):
            with self._observe_command(command, msg):
                yield from func(self, msg, args)

    else:

        @functools.wraps(func)
        def observed(self, msg, args):
            with self._observe_command(command, msg):
                return func(self, msg, args)

    observed._redalert_observed = True  # type: ignore[attr-defined]  # a marker on the function object
    return observed


class ObservabilityCommands(ChatBase):
    metrics: Metrics | None = None
    _metrics_server: MetricsServer | None = None

    # --- lifecycle (called from RedAlert.activate / deactivate) ----------------------------------------------
    def _start_observability(self) -> None:
        port = metrics_port(self.bot_config)
        if port is None:
            return
        if self.metrics is None:  # once per process: counters survive configuration reloads
            self.metrics = Metrics()
            self.app.gateway.observer = self.metrics
            self.app.count_alerts_with(self.count_alert)
            self.metrics.watch(self.app.gauge_sources(self.readiness))
        if self._metrics_server is None:
            host = getattr(self.bot_config, "REDALERT_METRICS_HOST", None) or METRICS_HOST
            self._metrics_server = MetricsServer(self.metrics.registry, self.readiness, port, host).start()
            self.log.info("Metrics, /healthz and /readyz on port %d", self._metrics_server.port)

    def _stop_observability(self) -> None:
        server, self._metrics_server = self._metrics_server, None
        if server is not None:
            server.stop()

    def count_alert(self, source: str, status: str) -> None:
        """The alert intake's hook: one call per alert taken in (`status` "firing" or "resolved"); counted in
        redalert_alerts_received_total when metrics are on."""
        if self.metrics is not None:
            self.metrics.alert_received(source, status)

    # --- /readyz ------------------------------------------------------------------------------------------------
    def readiness(self) -> tuple[bool, str]:
        """(ready, reason): the database answers, Slack is connected and this replica's heartbeat is fresh."""
        me = self.app.incidents.replica if self._app is not None else None
        if me is None:
            return False, "not started yet"
        try:
            row = self.app.heartbeat(me.replica_id)
        except Exception as error:
            return False, f"not ready: database check failed: {_describe(error)}"
        problems = []
        socket_mode = getattr(self._bot, "slack_socket_mode", None)
        if self.mode == "slackv3" and (socket_mode is None or not socket_mode.is_connected()):
            problems.append("Slack not connected (Socket Mode)")
        limit = self.app.heartbeat_max_age()
        if row is None or row.instance != me.instance:
            problems.append(f"no heartbeat of this process for replica {me.replica_id}")
            age = None
        else:
            age = (self.app.clock() - row.heartbeat_at).total_seconds()
            if age > limit:
                problems.append(f"heartbeat is stale, {age:.0f}s old (limit {limit:g}s)")
        if problems:
            return False, "not ready: " + "; ".join(problems)
        return True, f"ready: database reachable, heartbeat {max(age or 0.0, 0.0):.1f}s old"

    # --- one request per command --------------------------------------------------------------------------------
    @cmdfilter
    def begin_request(self, msg, cmd, args, dry_run):
        """Give the command a request id on receipt (the backend's scope's, when it opened one), for its worker."""
        if dry_run or cmd is None:
            return msg, cmd, args
        context = log_context.current()
        if context is not None:
            log_context.bind_command(cmd)
        extras = getattr(msg, "extras", None)
        if extras is not None:
            extras[REQUEST_ID] = context.request_id if context else log_context.new_request_id()
        return msg, cmd, args

    @contextmanager
    def _observe_command(self, command: str, msg: Any) -> Iterator[None]:
        request_id = (getattr(msg, "extras", None) or {}).get(REQUEST_ID)
        started = time.perf_counter()
        outcome = "error"
        with log_context.request_scope(request_id, command):
            try:
                yield
                outcome = "ok"
            finally:
                if self.metrics is not None:
                    self.metrics.command(command, outcome, time.perf_counter() - started)


def _describe(error: Exception) -> str:
    """The error's class and first line, as the driver said it (a connection error names host and port, never a
    password)."""
    cause = getattr(error, "orig", None) or error
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first[:200]}"
