"""Every metric moves when its event happens: through the plugin and the Slack emulator, scraped over HTTP.

The plugin serves /metrics, /healthz and /readyz on REDALERT_METRICS_PORT (a free port on 127.0.0.1 here).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from plugin_support import eventually, extra_plugin_dir, loglevel, say  # noqa: F401
from plugin_support import extra_config as base_config
from prometheus_client.parser import text_string_to_metric_families
from response_support import plugin
from web_support import free_port

from outside_emulators import PagerDutyEmulator
from redalert_core.slack.rate_pacing import RatePacer

extra_config = {**base_config, "REDALERT_METRICS_HOST": "127.0.0.1"}
KEY = "K" * 32


@pytest.fixture(autouse=True)
def port(monkeypatch) -> int:
    # Set before the testbot fixture activates the plugin, which starts the server on it.
    chosen = free_port()
    monkeypatch.setenv("REDALERT_METRICS_PORT", str(chosen))
    return chosen


@pytest.fixture
def pd(monkeypatch):
    with PagerDutyEmulator(routing_keys=["Z" * 32]) as emulator:  # does not know KEY: every trigger is a 400
        monkeypatch.setenv("PAGERDUTY_EVENTS_URL", emulator.url)
        yield emulator


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, from the real /metrics endpoint."""
    status, text = get(port, "/metrics")
    assert status == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(port: int, name: str, **labels: str) -> float:
    return scrape(port).get((name, tuple(sorted(labels.items()))), 0.0)


def test_health_endpoints_answer(port, testbot):
    assert get(port, "/healthz") == (200, "ok\n")
    status, body = get(port, "/readyz")
    assert status == 200 and body.startswith("ready: database reachable, heartbeat"), body
    assert value(port, "redalert_ready") == 1
    assert get(port, "/nothing")[0] == 404


def test_commands_are_counted_by_name_and_outcome_with_their_latency(port, testbot, monkeypatch):
    say(testbot, "!incident list")
    assert value(port, "redalert_commands_total", command="incident_list", outcome="ok") == 1
    assert value(port, "redalert_command_duration_seconds_count", command="incident_list") == 1
    assert value(port, "redalert_command_duration_seconds_bucket", command="incident_list", le="+Inf") == 1

    def broken(**_):
        raise RuntimeError("the store fell over")

    monkeypatch.setattr(plugin(testbot).app.incidents, "list", broken)
    say(testbot, "!incident list")  # Errbot answers with its error text
    assert value(port, "redalert_commands_total", command="incident_list", outcome="error") == 1
    # Free text never becomes a label: an unknown command is not a RedAlert command at all.
    say(testbot, "!incident frobnicate <@U0ALICE> secret-words")
    assert "secret-words" not in get(port, "/metrics")[1]


def test_slack_calls_rate_limits_retries_and_pacing_waits(port, testbot, slack):
    gateway = plugin(testbot).app.incidents.gateway
    now = [0.0]
    gateway.pacer = RatePacer(clock=lambda: now[0], sleep=lambda seconds: None)  # a clock that never moves
    slack.inject_fault("conversations.create", "ratelimited", retry_after=0)
    slack.inject_fault("pins.add", "error", error="too_many_pins")
    slack.inject_fault("conversations.setTopic", "http503")
    assert "is open in" in say(testbot, "!incident open sev2 Search is slow")
    assert value(port, "redalert_slack_calls_total", method="conversations.create", result="ok") == 1
    assert value(port, "redalert_slack_rate_limited_total", method="conversations.create") == 1
    assert value(port, "redalert_slack_retries_total", method="conversations.create", reason="ratelimited") == 1
    eventually(lambda: value(port, "redalert_slack_calls_total", method="pins.add", result="too_many_pins") == 1)
    assert value(port, "redalert_slack_retries_total", method="conversations.setTopic", reason="server_error") == 1
    assert value(port, "redalert_slack_calls_total", method="conversations.setTopic", result="ok") == 1
    assert value(port, "redalert_slack_pacer_wait_seconds_total", method="chat.postMessage") == 0
    for n in range(4):  # the summary was the first post: the channel's burst of 3 is spent, then posts wait
        say(testbot, f"!incident update 1 Step {n}")  # answered here, posted in the incident channel
    assert value(port, "redalert_slack_pacer_wait_seconds_total", method="chat.postMessage") > 0


def test_open_incidents_leadership_and_replicas(port, testbot):
    eventually(lambda: value(port, "redalert_leader") == 1)
    assert value(port, "redalert_replicas") == 1
    assert value(port, "redalert_open_incidents", severity="sev1") == 0
    say(testbot, "!incident open sev1 Checkout is down")
    assert value(port, "redalert_open_incidents", severity="sev1") == 1
    say(testbot, "!incident close 1 Rolled back")
    assert value(port, "redalert_open_incidents", severity="sev1") == 0


def test_outbox_rows_their_age_and_dead_letters(port, pd, testbot):
    pd.outage(True, mode="503")
    assert say(testbot, f"!plugin config RedAlert {{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{KEY}'}}}}").endswith("done.")
    assert value(port, "redalert_outbox_oldest_pending_age_seconds") == 0
    say(testbot, "!incident open sev1 Checkout is down")
    pd.wait_for_calls(1)  # tried and failed: retrying
    eventually(lambda: value(port, "redalert_outbox_rows", destination="pagerduty", state="retrying") == 1)
    assert value(port, "redalert_outbox_oldest_pending_age_seconds") > 0
    assert value(port, "redalert_outbox_dead_letters", destination="pagerduty") == 0
    pd.outage(False)
    eventually(lambda: value(port, "redalert_outbox_dead_letters", destination="pagerduty") == 1, timeout=90)
    assert value(port, "redalert_outbox_rows", destination="pagerduty", state="dead") == 1
    assert value(port, "redalert_outbox_oldest_pending_age_seconds") == 0


def test_the_alert_intake_hook_counts_by_source_and_status(port, testbot):
    # No alert intake exists yet: its hook is defined and exported, and counts when called.
    plugin(testbot).count_alert("alertmanager", "firing")
    plugin(testbot).count_alert("alertmanager", "something a user typed")
    assert value(port, "redalert_alerts_received_total", source="alertmanager", status="firing") == 1
    assert value(port, "redalert_alerts_received_total", source="alertmanager", status="other") == 1


@pytest.fixture
def slow_heartbeat(monkeypatch):
    monkeypatch.setenv("REDALERT_HEARTBEAT_INTERVAL", "3600")  # after the first round, no beat during the test


def test_readyz_is_503_with_the_reason_when_the_heartbeat_is_stale(port, slow_heartbeat, testbot):
    service = plugin(testbot).app.incidents
    me, replicas = service.replica, service.store.replicas
    first = replicas.get(me.replica_id).heartbeat_at
    eventually(lambda: replicas.get(me.replica_id).heartbeat_at != first, timeout=10)  # the loop's first beat
    row = replicas.get(me.replica_id)
    stale = {k: getattr(row, k) for k in ("replica_id", "instance", "hostname", "pid", "started_at", "leader_since")}
    replicas.beat(**stale, at=row.heartbeat_at - timedelta(minutes=5))
    status, body = get(port, "/readyz")
    assert status == 503 and re.match(r"not ready: heartbeat is stale, 30\ds old \(limit 30s\)\n$", body), body
    assert value(port, "redalert_ready") == 0
    replicas.beat(**{**stale, "instance": "another-process"}, at=row.heartbeat_at)
    assert get(port, "/readyz") == (503, f"not ready: no heartbeat of this process for replica {me.replica_id}\n")
