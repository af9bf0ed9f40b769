"""STORM: an alert storm, 1,000 alerts in 100 groups within 10 s, through `app.receive_alerts`.

Each request is one Alertmanager notification carrying one new alert of its group, sent evenly over the window from
ERRBOT_POOL threads (as a web server's workers would). Figures: exactly one incident per group, every alert recorded
once, each request's time (intake records; the Slack work follows), and the time until the 100th channel exists
against the floor the emulator's tier limits allow for `conversations.create` (a minute's budget at first, then the
tier rate), never less than the time the last request arrives.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, wait
from statistics import median, quantiles

from common import ERRBOT_POOL, Figure, Options, emulator, sqlite_url
from slack_workspace import BOT_TOKEN

from redalert_core.application.bootstrap import AppConfig, build
from redalert_core.domain.requester import FrontEnd, Requester
from redalert_core.domain.settings import validate
from redalert_core.slack.gateway import build_client
from slack_emulator.rate_limits import TIER_PER_MINUTE

GROUPS = 100
ALERTS = 1000
WINDOW_SECONDS = 10.0
REQUEST_LIMIT = 0.200
TOKEN = Requester("api:alertmanager", front_end=FrontEnd.API)


def notification(group: int, alert: int) -> dict:
    labels = {"alertname": f"Storm{group}", "instance": f"node-{alert}", "severity": "critical"}
    return {
        "version": "4",
        "receiver": "redalert",
        "status": "firing",
        "groupKey": f'{{}}:{{alertname="Storm{group}"}}',
        "groupLabels": {"alertname": f"Storm{group}"},
        "commonLabels": {"alertname": f"Storm{group}", "severity": "critical"},
        "commonAnnotations": {"summary": f"Storm group {group} is failing"},
        "externalURL": "http://alertmanager.example:9093",
        "truncatedAlerts": 0,
        "alerts": [
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": f"node-{alert} of group {group}"},
                "startsAt": "2024-05-14T09:51:03Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example:9090/graph",
                "fingerprint": f"{group:04x}{alert:012x}",
            }
        ],
    }


def create_floor(created: int, scale: float) -> float:
    per_minute = TIER_PER_MINUTE["t2"] * scale
    return max(0.0, created - max(1.0, float(int(per_minute)))) / (per_minute / 60.0)


def measure_storm(opts: Options) -> list[Figure]:
    scale = opts.rate_scale
    with emulator(opts.latency) as emu, tempfile.TemporaryDirectory() as tmp:
        emu.enable_rate_limits(per_minute_scale=scale)
        client = build_client(BOT_TOKEN, emu.api_url)
        settings = validate({})
        app = build(
            AppConfig(
                database_url=sqlite_url(tmp),
                slack_client=lambda: client,
                settings=lambda: settings,
                rate_scale=scale,
            )
        )
        try:
            spacing = WINDOW_SECONDS / ALERTS
            bodies = [notification(i % GROUPS, i) for i in range(ALERTS)]
            started = time.perf_counter()
            started_mono = time.monotonic()

            def send(body: dict) -> float:
                begun = time.perf_counter()
                app.receive_alerts(TOKEN, "alertmanager", body)
                return time.perf_counter() - begun

            with ThreadPoolExecutor(ERRBOT_POOL) as pool:
                futures = []
                for i, body in enumerate(bodies):
                    delay = started + i * spacing - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    futures.append(pool.submit(send, body))
                done, _ = wait(futures, timeout=120)
            times = sorted(f.result() for f in done if f.exception() is None)
            errors = sum(1 for f in done if f.exception() is not None)
            last_sent = time.perf_counter() - started
            deadline = time.monotonic() + 600
            while not app.alert_intake.drain(timeout=30) and time.monotonic() < deadline:
                pass
            incidents = app.store.incidents.list(include_closed=True, limit=1000)[1]
            recorded = app.store.alert_groups.count_alerts()
            with_channel = sum(1 for i in app.store.incidents.list(include_closed=True, limit=1000)[0] if i.channel_id)
            posted = sum(
                1
                for c in emu.calls_to("chat.postMessage")
                if c.http_status == 200 and c.response.get("ok") and "Firing:" in str(c.args.get("text", ""))
            )
        finally:
            app.drain()
            app.alert_intake.shutdown()
            app.incidents.shutdown()
            app.store.dispose()
        creates = [c for c in emu.calls_to("conversations.create") if c.http_status == 200 and c.response.get("ok")]
    channels_at = max((c.at for c in creates), default=started_mono) - started_mono
    floor = max(create_floor(len(creates), scale), last_sent)
    p95 = quantiles(times, n=20)[-1] if len(times) >= 20 else max(times, default=0.0)
    slowest = max(times, default=0.0)
    return [
        Figure(
            "STORM",
            f"{ALERTS} alerts in {GROUPS} groups in {WINDOW_SECONDS:.0f} s: incidents",
            str(incidents),
            f"{errors} errors",
            str(GROUPS),
            incidents == GROUPS and errors == 0,
        ),
        Figure(
            "STORM",
            "alerts recorded once / posted once",
            f"{recorded} / {posted}",
            "",
            f"{ALERTS} / {ALERTS}",
            recorded == ALERTS and posted == ALERTS,
        ),
        Figure(
            "STORM",
            "request time: median, p95, slowest",
            f"{median(times) * 1000:.1f} / {p95 * 1000:.1f} / {slowest * 1000:.1f} ms",
            f"{len(times) / last_sent:.0f} alerts/s recorded",
            "<= 200 ms each",
            slowest <= REQUEST_LIMIT,
        ),
        Figure(
            "STORM",
            f"{GROUPS} channels vs rate-limit floor (tier limits x{scale:g})",
            f"{channels_at:.1f} s = {channels_at / floor:.2f} x floor",
            f"floor {floor:.1f} s (conversations.create x{len(creates)}); {with_channel} incidents with a channel",
            "<= 1.1 x floor",
            channels_at <= 1.1 * floor and with_channel == GROUPS,
        ),
    ]
