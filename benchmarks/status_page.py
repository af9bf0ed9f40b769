"""Benchmark of the public status page (issue 23): `/` with 100 open public incidents, over real HTTP.

Run `.venv/bin/python benchmarks/status_page.py [--open 100] [--resolved 200] [--runs 30]`.

Publishes `--open` incidents (3 public updates each, over 12 components) and `--resolved` ones within the last 90
days into a temporary SQLite database, starts the status page server on 127.0.0.1, and measures a full GET of `/`
(target <= 50 ms), `/api/v2/summary.json` and `/feed.atom`, median and p95. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "plugins" / "redalert"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from redalert_core.application.clock import Clock  # noqa: E402
from redalert_core.domain.settings import validate  # noqa: E402
from redalert_core.services.status_site import StatusServer, StatusSite  # noqa: E402
from redalert_core.store import Store  # noqa: E402

TARGET_MS = 50
NOW = datetime.now(UTC)
STATES = ("degraded_performance", "partial_outage", "major_outage")
STATUSES = ("investigating", "identified", "monitoring")
COMPONENTS = [{"name": f"service-{n:02d}", "description": f"Service {n}", "group": "Platform"} for n in range(12)]


def generate(store: Store, open_count: int, resolved_count: int) -> None:
    for n in range(open_count + resolved_count):
        opened = NOW - timedelta(days=(n % 80) + 1, minutes=n)
        number = store.incidents.create(
            severity="sev2",
            description=f"internal description {n}",
            opened_by="U0BENCH",
            opened_at=opened,
            origin_channel=None,
        ).number
        for step, status in enumerate(STATUSES):
            component = COMPONENTS[(n + step) % len(COMPONENTS)]["name"]
            store.status_page.publish(
                number,
                title=f"Elevated errors on service {n % 12}" if step == 0 else None,
                status=status,
                components={component: STATES[(n + step) % len(STATES)]},
                body=f"Public update {step + 1} of incident {n}: we are working on it. " * 3,
                actor="U0BENCH",
                at=opened + timedelta(minutes=10 * step),
            )
        if n >= open_count:
            store.status_page.publish(
                number, title=None, status="resolved", components={}, body="Resolved.", actor="U0BENCH",
                at=opened + timedelta(hours=2),
            )  # fmt: skip


def measure(url: str, runs: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own http://127.0.0.1 URL
            size = len(response.read())
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--open", type=int, default=100)
    parser.add_argument("--resolved", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    settings = validate({"STATUS_COMPONENTS": COMPONENTS, "STATUS_PAGE_NAME": "Benchmark status"})
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        store.migrate()
        generate(store, args.open, args.resolved)
        print(f"generated {args.open} open and {args.resolved} resolved public incidents")
        server = StatusServer(StatusSite(store, lambda: settings, clock=Clock()), 0, "127.0.0.1").start()
        try:
            base = f"http://127.0.0.1:{server.port}"
            measure(base + "/", 3)  # warm-up
            print("|  | Measure | RedAlert | Detail | Target | Met |")
            print("|---|---|---|---|---|---|")
            for label, path, target in (
                ("S1", "/", TARGET_MS),
                ("S2", "/api/v2/summary.json", None),
                ("S3", "/feed.atom", None),
            ):
                median, p95, size = measure(base + path, args.runs)
                met = ("yes" if median <= target else "NO") if target else ""
                shown = f"<= {target} ms" if target else ""
                print(
                    f"| {label} | GET `{path}` with {args.open} open incidents, SQLite (median of {args.runs}) "
                    f"| {median:.1f} ms | p95 {p95:.1f} ms, {size // 1024} KiB | {shown} | {met} |"
                )
        finally:
            server.stop()
            store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
