"""What the outbox adds to the chat reply of an open: PagerDuty + two webhooks configured vs no outside system.

Run `.venv/bin/python benchmarks/outbox_overhead.py [--n 200]`. Both setups open incidents through the incident
service with Slack answered instantly (common.py's NoSlack) on SQLite in a temporary directory; the runs alternate so
machine noise hits both alike. With outside systems configured the open also writes its outbox rows (one PagerDuty
trigger, two webhooks) in the same transaction; nothing is delivered on this path (the dispatcher is not started),
which is the point: delivery happens in the background.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from common import NoSlack, make_gateway, sqlite_url
from slack_sdk import WebClient
from slack_workspace import ADMIN, BOT_TOKEN

from redalert_core.domain.settings import validate
from redalert_core.services.incidents import IncidentService, OpenRequest
from redalert_core.services.integrations import IntegrationsService
from redalert_core.store import Store

HOOKS = ["incident.opened", "incident.updated", "incident.closed"]
CONFIG = {
    "PAGERDUTY_ROUTING_KEYS": {"sev2": "R" * 32},
    "WEBHOOKS": [
        {"url": "https://hooks.example.com/a", "events": HOOKS, "secret": "env:BENCH_HOOK_SECRET"},
        {"url": "https://hooks.example.com/b", "events": HOOKS, "secret": "env:BENCH_HOOK_SECRET"},
    ],
}


def build(directory: str, config: dict) -> tuple[IncidentService, IntegrationsService]:
    store = Store(sqlite_url(directory))
    store.migrate()
    gateway = make_gateway(WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/"))
    gateway._call = NoSlack()  # type: ignore[method-assign]
    settings = validate(config)
    service = IncidentService(store, gateway, lambda: settings)
    return service, IntegrationsService(service)  # subscribed, dispatcher not started


def open_once(service: IncidentService, i: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread): on a busy machine the CPU time is the steadier figure."""
    started, cpu = time.perf_counter(), time.thread_time()
    service.open(OpenRequest(severity="sev2", description=f"overhead {i}", opened_by=ADMIN, dedup_key=f"D:{i}"))
    return time.perf_counter() - started, time.thread_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as outbox_dir:
        plain, _ = build(plain_dir, {})
        with_outbox, _ = build(outbox_dir, CONFIG)
        for service in (plain, with_outbox):
            open_once(service, -1)  # warm up
        times: dict[str, list[tuple[float, float]]] = {"none": [], "pagerduty + 2 webhooks": []}
        for i in range(n):
            times["none"].append(open_once(plain, i))
            times["pagerduty + 2 webhooks"].append(open_once(with_outbox, i))
        rows = len(with_outbox.store.outbox.rows())
        for service in (plain, with_outbox):
            service.shutdown()
            service.store.dispose()
    for index, kind in ((0, "wall"), (1, "CPU")):
        medians = {name: statistics.median(v[index] for v in values) * 1000 for name, values in times.items()}
        for name, value in medians.items():
            p95 = statistics.quantiles([v[index] for v in times[name]], n=20)[-1] * 1000
            print(f"open, {name}, {kind}: median {value:.2f} ms, p95 {p95:.2f} ms (n={n})")
        print(f"median overhead ({kind}): {medians['pagerduty + 2 webhooks'] - medians['none']:.2f} ms")
    print(f"outbox rows written: {rows} ({rows / (n + 1):.0f} per open)")


if __name__ == "__main__":
    main()
