"""`python -m redalert_core.observability.probe` (compose's health check) against a real metrics server."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from redalert_core.observability import probe
from redalert_core.observability.http_server import MetricsServer


def test_the_probe_passes_on_200_and_fails_with_the_reason_on_503(capsys):
    state = {"ready": (True, "ready: all good")}
    server = MetricsServer(CollectorRegistry(), lambda: state["ready"], 0).start()
    env = {"REDALERT_METRICS_PORT": str(server.port)}
    try:
        assert probe.main([], env) == 0
        assert capsys.readouterr().out == "ready: all good\n"
        state["ready"] = (False, "not ready: Slack not connected (Socket Mode)")
        assert probe.main(["/readyz"], env) == 1
        assert capsys.readouterr().err == "/readyz answered 503: not ready: Slack not connected (Socket Mode)\n"
        assert probe.main(["/healthz"], env) == 0
    finally:
        server.stop()
    assert probe.main([], env) == 1
    assert "no answer on port" in capsys.readouterr().err


def test_the_probe_needs_the_port_and_a_known_path(capsys):
    assert probe.main([], {}) == 1
    assert "REDALERT_METRICS_PORT is not set" in capsys.readouterr().err
    assert probe.main(["/elsewhere"], {"REDALERT_METRICS_PORT": "9102"}) == 2
