"""P5 metrics: what the Prometheus metrics add to a command (target: at most 0.1 ms).

Two views, in one run:
- the instrumentation itself, per command: the command's counter and histogram plus one counter per Slack call it
  makes (counted through Errbot), timed in a tight loop: steady even on a busy machine;
- the whole command through Errbot's test backend, Slack answered in process (the gateway's `_send` is replaced,
  so the gateway still reports every call), alternating with and without metrics on the same bot: the difference
  is within the machine's noise, and is shown as a cross-check.
"""

from __future__ import annotations

import re
import socket
import tempfile
import time

from common import Figure, NoSlack, ask, errbot_testbot, median_p95, sqlite_url
from slack_workspace import BOT_TOKEN

from redalert_core.observability.metrics import Metrics
from redalert_core.slack.call_observer import NoObserver

LOOPS = 2000
TARGET_SECONDS = 0.0001


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instrumentation_seconds(command: str, slack_calls: int) -> float:
    """Median seconds the metrics take for one command making `slack_calls` Slack calls."""
    metrics = Metrics()
    blocks = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(LOOPS):
            metrics.command(command, "ok", 0.004)
            for _ in range(slack_calls):
                metrics.call("chat.postMessage", "ok")
                metrics.paced("chat.postMessage", 0.0)
        blocks.append((time.perf_counter() - started) / LOOPS)
    return sorted(blocks)[2]


def measure_metrics_cost(n: int) -> Figure:
    kinds = ("open", "list", "close")
    timings: dict[tuple[str, bool], list[float]] = {(kind, on): [] for kind in kinds for on in (True, False)}
    calls: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "REDALERT_DATABASE_URL": sqlite_url(tmp),
            "REDALERT_METRICS_PORT": str(_free_port()),
        }
        with errbot_testbot(env, {"REDALERT_METRICS_HOST": "127.0.0.1"}) as bot:
            plugin = bot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")
            gateway, metrics = plugin.app.gateway, plugin.metrics
            slack = NoSlack()
            gateway._send = slack
            ask(bot, "!incident open sev1 warm up")
            for i in range(n):
                for on in (True, False) if i % 2 == 0 else (False, True):  # alternate: noise hits both alike
                    plugin.metrics, gateway.observer = (metrics, metrics) if on else (None, NoObserver())
                    before = slack.calls
                    reply, elapsed = ask(bot, f"!incident open sev2 overhead {i} {on}")
                    calls["open"] = slack.calls - before
                    timings[("open", on)].append(elapsed)
                    number = re.search(r"Incident (\d+)", reply)
                    if not number:
                        raise RuntimeError(f"unexpected reply: {reply[:200]}")
                    before = slack.calls
                    timings[("list", on)].append(ask(bot, "!incident list")[1])
                    calls["list"] = slack.calls - before
                    before = slack.calls
                    timings[("close", on)].append(ask(bot, f"!incident close {number.group(1)} fixed")[1])
                    calls["close"] = slack.calls - before
            plugin.metrics, gateway.observer = metrics, metrics
    cost = {kind: instrumentation_seconds(f"incident_{kind}", calls[kind]) for kind in kinds}
    ours = ", ".join(f"{kind} {cost[kind] * 1000:.4f} ({calls[kind]} Slack calls)" for kind in kinds)
    medians = {key: median_p95(samples)[0] for key, samples in timings.items()}
    detail = ", ".join(
        f"{kind} {medians[(kind, True)] * 1000:.2f}/{medians[(kind, False)] * 1000:.2f}" for kind in kinds
    )
    return Figure(
        "P5",
        f"ms per command added by the metrics (instrumentation, median of 5 x {LOOPS})",
        ours,
        f"whole command through Errbot with/without metrics, alternated (median of {n}, ms): {detail}",
        "<= 0.1 ms",
        max(cost.values()) <= TARGET_SECONDS,
    )
