"""P5: RedAlert's own cost per command (the application's use case with its services and store, then through
Errbot), with Slack answered in process."""

from __future__ import annotations

import re
import tempfile
import time

from common import Figure, NoSlack, Options, app_on, ask, errbot_testbot, median_p95, sqlite_url
from p5_metrics import measure_metrics_cost
from slack_sdk import WebClient
from slack_workspace import ADMIN, ALICE, BOT_TOKEN

from redalert_core.application.results import OpenRequest
from redalert_core.domain.requester import Requester


def measure_p5(opts: Options, *, through_errbot: bool = True) -> list[Figure]:
    """Per-command cost of RedAlert itself: Slack answered instantly by NoSlack, SQLite in a temporary directory."""
    n = max(1, opts.overhead_iterations)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        client = WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/")
        timings: dict[str, list[float]] = {"open": [], "list": [], "close": []}
        with app_on(sqlite_url(tmp), client) as app:
            app.gateway._call = NoSlack()  # type: ignore[method-assign]
            alice, admin = Requester(ALICE, here="D0ALICE"), Requester(ADMIN, is_admin=True)
            app.open_incident(OpenRequest(severity="sev1", description="warm up", opened_by=ADMIN))
            for i in range(n):
                started = time.perf_counter()
                report = app.open_incident(
                    OpenRequest(severity="sev2", description=f"overhead {i}", opened_by=ALICE, dedup_key=f"D:{i}")
                )
                timings["open"].append(time.perf_counter() - started)
                started = time.perf_counter()
                app.list_incidents(alice, include_closed=False)
                timings["list"].append(time.perf_counter() - started)
                started = time.perf_counter()
                app.close(admin, report.incident.number, "fixed")
                timings["close"].append(time.perf_counter() - started)
        figures.append(_overhead_figure("application + services + store", timings, n))
    if through_errbot:
        figures.append(_overhead_through_errbot(n))
        figures.append(measure_metrics_cost(n))  # what REDALERT_METRICS_PORT adds (p5_metrics.py)
    return figures


def _overhead_figure(layer: str, timings: dict[str, list[float]], n: int) -> Figure:
    medians = {kind: median_p95(samples) for kind, samples in timings.items()}
    worst = max(median for median, _ in medians.values())
    text = ", ".join(f"{kind} {median * 1000:.2f}" for kind, (median, _) in medians.items())
    p95 = ", ".join(f"{kind} {p95 * 1000:.2f}" for kind, (_, p95) in medians.items())
    return Figure(
        "P5", f"ms per command, {layer}, no Slack (median of {n})", text, f"p95: {p95}", "<= 5 ms", worst <= 0.005
    )


def _overhead_through_errbot(n: int) -> Figure:
    timings: dict[str, list[float]] = {"open": [], "list": [], "close": []}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "REDALERT_DATABASE_URL": sqlite_url(tmp),
        }
        with errbot_testbot(env) as bot:
            plugin = bot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")
            plugin.app.gateway._call = NoSlack()
            ask(bot, "!incident open sev1 warm up")
            for i in range(n):
                reply, elapsed = ask(bot, f"!incident open sev2 overhead {i}")
                number = re.search(r"Incident (\d+)", reply)
                if not number:
                    raise RuntimeError(f"unexpected reply: {reply[:200]}")
                timings["open"].append(elapsed)
                timings["list"].append(ask(bot, "!incident list")[1])
                timings["close"].append(ask(bot, f"!incident close {number.group(1)} fixed")[1])
    return _overhead_figure("Errbot test backend + plugin + service + store", timings, n)
