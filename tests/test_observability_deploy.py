"""deploy/grafana/redalert.json and deploy/prometheus/rules.yaml speak only of metrics RedAlert exports, and the
rules pass `promtool check rules` and their unit tests (tests/prometheus/rules_test.yaml, `promtool test rules`).

promtool comes from Debian's `prometheus` package (tests/tools/ensure_promtool.sh, run by `make test`); without it
these two tests skip, or fail when REDALERT_REQUIRE_PROMTOOL=1 (CI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from redalert_core.observability.metrics import GaugeSources, Metrics

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy" / "grafana" / "redalert.json"
RULES = ROOT / "deploy" / "prometheus" / "rules.yaml"
RULES_TEST = ROOT / "tests" / "prometheus" / "rules_test.yaml"
PROMETHEUS_OWN = {"up"}  # series Prometheus itself writes for every target
ALERTS = {"RedAlertDeadLetters", "RedAlertNoLeader", "RedAlertSlackRateLimited", "RedAlertOutboxBacklog"}


def exported_series() -> set[str]:
    """Every series name a RedAlert process exports, each labelled metric and gauge given one sample."""
    metrics = Metrics()
    metrics.command("incident_list", "ok", 0.01)
    metrics.call("chat.postMessage", "ok")
    metrics.retry("chat.postMessage", "ratelimited")
    metrics.paced("chat.postMessage", 0.5)
    metrics.alert_received("alertmanager", "firing")
    metrics.watch(
        GaugeSources(
            outbox_counts=lambda: {("pagerduty", "dead"): 1},
            oldest_waiting_outbox=lambda: datetime(2026, 1, 1, tzinfo=UTC),
            open_incidents=lambda: {"sev1": 1},
            is_leader=lambda: True,
            replicas_seen=lambda: 1,
            ready=lambda: (True, "ready"),
            now=lambda: datetime(2026, 1, 2, tzinfo=UTC),
        )
    )
    text = generate_latest(metrics.registry).decode()
    return {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}


def names_in(expr: str) -> set[str]:
    """Series names in a PromQL expression: identifiers followed by a selector, a range or an operator, not a
    function call, a label name or a keyword."""
    stripped = re.sub(r"\{[^}]*\}", "{}", re.sub(r'"[^"]*"', '""', expr))
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", stripped)
    candidates = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", stripped))
    keywords = {"and", "or", "unless", "bool", "offset", "vector", "le"}
    return {name for name in candidates if name not in keywords and not re.fullmatch(r"\d+\w*", name)}


def dashboard_exprs() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    found = []
    for panel in dashboard["panels"]:
        assert panel.get("targets"), f"panel {panel['title']!r} shows nothing"
        found += [(panel["title"], target["expr"]) for target in panel["targets"]]
    return found


def rule_exprs() -> list[tuple[str, str]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [(rule["alert"], rule["expr"]) for group in groups for rule in group["rules"]]


def test_the_name_finder_sees_series_but_not_functions_or_labels():
    assert names_in('sum by (method) (rate(redalert_slack_rate_limited_total{job="x"}[5m])) * 60 > 1') == {
        "redalert_slack_rate_limited_total"
    }
    assert names_in("(sum(redalert_leader) or vector(0)) < 1") == {"redalert_leader"}


def test_every_dashboard_panel_queries_only_metrics_that_exist():
    exported = exported_series()
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    for title, expr in exprs:
        unknown = names_in(expr) - exported - PROMETHEUS_OWN
        assert not unknown, f"panel {title!r} queries {unknown}, which RedAlert does not export"
        assert names_in(expr), f"panel {title!r}: no metric in {expr!r}"


def test_every_alert_rule_uses_only_metrics_that_exist_and_each_named_alert_is_there():
    exported = exported_series()
    rules = dict(rule_exprs())
    assert rules.keys() >= ALERTS | {"RedAlertReplicaNotReady"}
    for alert, expr in rules.items():
        unknown = names_in(expr) - exported - PROMETHEUS_OWN
        assert not unknown, f"{alert} uses {unknown}, which RedAlert does not export"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        message = "promtool not found: install Debian's prometheus (tests/tools/ensure_promtool.sh)"
        if os.environ.get("REDALERT_REQUIRE_PROMTOOL") == "1":
            pytest.fail(message + " (REDALERT_REQUIRE_PROMTOOL=1)", pytrace=False)
        pytest.skip(message)
    return found


def test_promtool_checks_the_rules():
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_of_the_rules_pass():
    result = subprocess.run(
        [promtool(), "test", "rules", str(RULES_TEST)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
