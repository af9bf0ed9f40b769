"""What the outbox adds to the chat reply of an open: PagerDuty + two webhooks configured vs no outside system.

Run `.venv/bin/python benchmarks/outbox_overhead.py [--n 200] [--postgres URL]`. Both setups open incidents through
the incident service with Slack answered instantly (common.py's NoSlack) on SQLite in a temporary directory (and, with
--postgres, in two throwaway schemas there); the runs alternate so machine noise hits both alike. With outside
systems configured the open also writes its outbox rows (one PagerDuty trigger, two webhooks) in the same
transaction; nothing is delivered on this path (the dispatcher is not started), which is the point: delivery
happens in the background.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from common import NoSlack, make_gateway, sqlite_url
from slack_sdk import WebClient
from slack_workspace import ADMIN, BOT_TOKEN

from redalert_core.application.clock import Clock
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


def build(url: str, schema: str | None, config: dict) -> tuple[IncidentService, IntegrationsService]:
    store = Store(url, schema=schema)
    store.migrate()
    gateway = make_gateway(WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/"))
    gateway._call = NoSlack()  # type: ignore[method-assign]
    settings = validate(config)
    clock = Clock()
    service = IncidentService(store, gateway, lambda: settings, clock=clock)
    integrations = IntegrationsService(service, clock=clock)
    store.events.subscribe(integrations.feed)  # as bootstrap.build does; the dispatcher is not started
    return service, integrations


def open_once(service: IncidentService, i: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread): on a busy machine the CPU time is the steadier figure."""
    started, cpu = time.perf_counter(), time.thread_time()
    service.open(OpenRequest(severity="sev2", description=f"overhead {i}", opened_by=ADMIN, dedup_key=f"D:{i}"))
    return time.perf_counter() - started, time.thread_time() - cpu


# Where a setup keeps its incidents: (database URL, PostgreSQL schema or None).
Location = tuple[str, str | None]


@contextmanager
def databases(postgres: str | None) -> Iterator[list[tuple[str, Location, Location]]]:
    """(name, where the plain setup lives, where the outbox setup lives): two SQLite files, then two PostgreSQL
    schemas when a server URL is given."""
    with tempfile.TemporaryDirectory() as plain_dir, tempfile.TemporaryDirectory() as outbox_dir:
        found = [("SQLite", (sqlite_url(plain_dir), None), (sqlite_url(outbox_dir), None))]
        if postgres is None:
            yield found
            return
        from pg import throwaway_schema

        with throwaway_schema(postgres) as plain, throwaway_schema(postgres) as with_outbox:
            yield [*found, ("PostgreSQL", (postgres, plain), (postgres, with_outbox))]


def measure(name: str, plain_at: Location, outbox_at: Location, n: int) -> None:
    plain, _ = build(*plain_at, {})
    with_outbox, _ = build(*outbox_at, CONFIG)
    try:
        for service in (plain, with_outbox):
            open_once(service, -1)  # warm up
        times: dict[str, list[tuple[float, float]]] = {"none": [], "pagerduty + 2 webhooks": []}
        for i in range(n):
            times["none"].append(open_once(plain, i))
            times["pagerduty + 2 webhooks"].append(open_once(with_outbox, i))
        rows = len(with_outbox.store.outbox.rows())
    finally:
        for service in (plain, with_outbox):
            service.shutdown()
            service.store.dispose()
    print(f"{name}:")
    for index, kind in ((0, "wall"), (1, "CPU")):
        medians = {setup: statistics.median(v[index] for v in values) * 1000 for setup, values in times.items()}
        for setup, value in medians.items():
            p95 = statistics.quantiles([v[index] for v in times[setup]], n=20)[-1] * 1000
            print(f"  open, {setup}, {kind}: median {value:.2f} ms, p95 {p95:.2f} ms (n={n})")
        print(f"  median overhead ({kind}): {medians['pagerduty + 2 webhooks'] - medians['none']:.2f} ms")
    print(f"  outbox rows written: {rows} ({rows / (n + 1):.0f} per open)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL server (throwaway schemas)")
    options = parser.parse_args()
    with databases(options.postgres) as found:
        for name, plain_at, outbox_at in found:
            measure(name, plain_at, outbox_at, options.n)


if __name__ == "__main__":
    main()
