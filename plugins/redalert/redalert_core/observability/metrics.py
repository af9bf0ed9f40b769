"""Every Prometheus metric RedAlert exports, in one registry per process.

Counters and histograms are updated where things happen (a command, a Slack call, an alert). Gauges about the
database (outbox, open incidents, replicas) are read only when Prometheus scrapes, through `GaugeSources`, so the
command path pays nothing for them. Label values come from closed sets in code (command names, Slack method names
and error codes, outbox destinations, configured severities) and are checked by `_label`: never user text, never a
secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

_SAFE_LABEL = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
ALERT_STATUSES = ("firing", "resolved")


def _label(value: object) -> str:
    """A label value from a closed set, or "other": a label never carries free text."""
    text = str(value)
    return text if _SAFE_LABEL.fullmatch(text) else "other"


@dataclass(frozen=True)
class GaugeSources:
    """What the scrape-time gauges read; each is called once per scrape (the plugin wires them to the store)."""

    outbox_counts: Callable[[], dict[tuple[str, str], int]]  # (destination, state) -> rows, delivered excluded
    oldest_waiting_outbox: Callable[[], datetime | None]  # created_at of the oldest pending or retrying row
    open_incidents: Callable[[], dict[str, int]]  # severity -> open incidents
    is_leader: Callable[[], bool]
    replicas_seen: Callable[[], int]  # replicas with a fresh heartbeat
    ready: Callable[[], tuple[bool, str]]
    now: Callable[[], datetime]


class Metrics:
    """The process's registry and the metrics updated as things happen."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter(
            "redalert_commands",
            "Chat commands run, by command and outcome (ok, error).",
            ["command", "outcome"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "redalert_command_duration_seconds",
            "Time from a command starting on a worker to its reply.",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )
        self.slack_calls = Counter(
            "redalert_slack_calls",
            "Slack Web API calls by method and result: ok, or Slack's error code after retries.",
            ["method", "result"],
            registry=r,
        )
        self.slack_rate_limited = Counter(
            "redalert_slack_rate_limited",
            "HTTP 429 answers from Slack, by method (retried or not).",
            ["method"],
            registry=r,
        )
        self.slack_retries = Counter(
            "redalert_slack_retries",
            "Slack requests sent again, by method and reason (ratelimited, server_error, connection_error).",
            ["method", "reason"],
            registry=r,
        )
        self.slack_pacer_wait = Counter(
            "redalert_slack_pacer_wait_seconds",
            "Seconds calls waited for their turn under Slack's rate limits (client-side pacing), by method.",
            ["method"],
            registry=r,
        )
        self.alerts_received = Counter(
            "redalert_alerts_received",
            "Alerts received from monitoring systems, by source and status (firing, resolved).",
            ["source", "status"],
            registry=r,
        )

    # --- events -----------------------------------------------------------------------------------------------
    def command(self, name: str, outcome: str, seconds: float) -> None:
        name = _label(name)
        self.commands.labels(name, _label(outcome)).inc()
        self.command_seconds.labels(name).observe(seconds)

    # The Slack gateway's observer (slack/call_observer.py).
    def call(self, method: str, result: str) -> None:
        self.slack_calls.labels(_label(method), _label(result)).inc()

    def retry(self, method: str, reason: str) -> None:
        method = _label(method)
        if reason == "ratelimited":
            self.slack_rate_limited.labels(method).inc()
        self.slack_retries.labels(method, _label(reason)).inc()

    def rate_limited(self, method: str) -> None:
        """A 429 that is not retried (the wait budget is spent): counted, though nothing is sent again."""
        self.slack_rate_limited.labels(_label(method)).inc()

    def paced(self, method: str, seconds: float) -> None:
        if seconds > 0:
            self.slack_pacer_wait.labels(_label(method)).inc(seconds)

    def alert_received(self, source: str, status: str) -> None:
        """The hook for the alert intake: call it once per alert taken in (status "firing" or "resolved")."""
        self.alerts_received.labels(_label(source), status if status in ALERT_STATUSES else "other").inc()

    # --- scrape-time gauges -----------------------------------------------------------------------------------
    def watch(self, sources: GaugeSources) -> None:
        """Export the database gauges, read from `sources` at each scrape."""
        self.registry.register(_ScrapeTimeGauges(sources))


class _ScrapeTimeGauges(Collector):
    def __init__(self, sources: GaugeSources) -> None:
        self._sources = sources

    def describe(self) -> list[Metric]:
        return []  # nothing is read at registration

    def collect(self) -> Iterator[Metric]:
        sources = self._sources
        ready, _ = sources.ready()
        yield _gauge("redalert_ready", "1 when this replica is ready (see /readyz), else 0.", int(ready))
        yield _gauge(
            "redalert_leader", "1 when this replica leads (runs the background work), else 0.", int(sources.is_leader())
        )
        try:
            yield from self._from_database(sources)
        except Exception as error:  # the database is down: /readyz and redalert_ready say so
            log.warning("Metrics: could not read the database gauges: %s", type(error).__name__)

    @staticmethod
    def _from_database(sources: GaugeSources) -> Iterator[Metric]:
        replicas = _gauge(
            "redalert_replicas", "Replicas with a fresh heartbeat (this one included).", sources.replicas_seen()
        )
        counts = sources.outbox_counts()
        oldest = sources.oldest_waiting_outbox()
        incidents = sources.open_incidents()
        rows = GaugeMetricFamily(
            "redalert_outbox_rows",
            "Outbox rows not yet delivered, by destination and state.",
            labels=["destination", "state"],
        )
        dead = GaugeMetricFamily(
            "redalert_outbox_dead_letters", "Outbox rows given up on (dead), by destination.", labels=["destination"]
        )
        for (destination, state), count in sorted(counts.items()):
            rows.add_metric([_label(destination), _label(state)], count)
            if state == "dead":
                dead.add_metric([_label(destination)], count)
        age = (sources.now() - oldest).total_seconds() if oldest is not None else 0.0
        oldest_age = _gauge(
            "redalert_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending or retrying outbox row (0: none).",
            max(age, 0.0),
        )
        open_incidents = GaugeMetricFamily(
            "redalert_open_incidents", "Open incidents by severity.", labels=["severity"]
        )
        for severity, count in sorted(incidents.items()):
            open_incidents.add_metric([_label(severity)], count)
        yield from (replicas, rows, dead, oldest_age, open_incidents)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
