"""Benchmark of the incident metrics (issue 12): `!incident stats 365d` and `!incident export` on a big history.

Run `.venv/bin/python benchmarks/analysis.py [--incidents 5000] [--events 100000] [--postgres URL]`.

Generates 5,000 incidents and 100,000 events (statuses, updates, notes, roles, severity changes, invites) spread over
400 days in a temporary SQLite database (and, with --postgres, in a throwaway schema there), then measures:
A1 `!incident stats 365d` up to its text reply, before the chart upload (target <= 300 ms); the chart drawing is
shown beside it. A2 `!incident export csv all` end to end, upload to the local Slack emulator included (<= 2 s).
Nothing is written into the repository; everything started is stopped.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "plugins" / "redalert", ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import sqlalchemy as sa  # noqa: E402
from slack_workspace import ADMIN, running_workspace  # noqa: E402

from redalert_core.application.clock import Clock  # noqa: E402
from redalert_core.domain.requester import Requester  # noqa: E402
from redalert_core.domain.settings import validate  # noqa: E402
from redalert_core.services.analysis import AnalysisService, readers  # noqa: E402
from redalert_core.services.incidents import IncidentService  # noqa: E402
from redalert_core.slack import metrics_messages  # noqa: E402
from redalert_core.slack.gateway import SlackGateway, build_client  # noqa: E402
from redalert_core.store import Store  # noqa: E402
from redalert_core.store.tables import events, incident_workflow, incidents, participants  # noqa: E402

STATS_TARGET_MS = 300
EXPORT_TARGET_S = 2.0
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SEVERITIES = ("sev1", "sev2", "sev3", "sev4", "sev5")
STATUSES = ("investigating", "identified", "monitoring", "resolved")
USERS = [f"U0USER{n:03d}" for n in range(40)]
BATCH = 5000


def generate(store: Store, incident_count: int, event_count: int, seed: int = 12) -> None:
    """Write the history with bulk inserts (this is setup, not what is measured)."""
    rng = random.Random(seed)
    per_incident = max(1, event_count // incident_count)
    incident_rows, response_rows, participant_rows, event_rows = [], [], [], []
    for number in range(1, incident_count + 1):
        opened = NOW - timedelta(days=400) + timedelta(seconds=rng.randrange(400 * 86400))
        opener = rng.choice(USERS)
        resolved = opened + timedelta(minutes=rng.randrange(5, 2000))
        closed = resolved + timedelta(minutes=rng.randrange(1, 600)) if rng.random() < 0.95 else None
        incident_rows.append(
            {
                "number": number,
                "severity": rng.choice(SEVERITIES),
                "description": f"generated incident {number}, with text long enough to look real",
                "phase": "closed" if closed else "open",
                "channel_id": f"CGEN{number:06d}",
                "channel_name": f"sev-gen-{number}",
                "origin_channel": "C0OPS",
                "is_private": rng.random() < 0.05,
                "dedup_key": None,
                "steps_done": [],
                "summary_ts": None,
                "opened_by": opener,
                "opened_at": opened,
                "closed_at": closed,
                "closed_by": opener if closed else None,
                "resolution": "fixed" if closed else None,
            }
        )
        commander = rng.choice(USERS)
        response_rows.append(
            {
                "incident_number": number,
                "status": "resolved",
                "resolved_at": resolved,
                "roles": {"commander": commander},
                "announce_channel": None,
                "announce_ts": None,
            }
        )
        participant_rows.append({"incident_number": number, "user_id": opener, "source": "opener", "added_at": opened})
        moments = sorted(opened + (resolved - opened) * rng.random() for _ in range(per_incident - 3))
        log = [("opened", opened, {"severity": "sev2"}), ("role_assigned", moments[0] if moments else opened,
               {"role": "commander", "user": commander, "previous": None})]  # fmt: skip
        previous = STATUSES[0]
        for moment in moments[1:]:
            kind = rng.choice(("status_changed", "update_posted", "note_added", "invited", "severity_changed"))
            if kind == "status_changed":
                to = rng.choice(STATUSES[1:-1])
                log.append((kind, moment, {"from": previous, "to": to, "note": None, "resolved": False}))
                previous = to
            else:
                log.append((kind, moment, {"text": "generated", "from": "sev3", "to": "sev2"}))
        log.append(("status_changed", resolved, {"from": previous, "to": "resolved", "note": None, "resolved": True}))
        if closed:
            log.append(("closed", closed, {"resolution": "fixed"}))
        for kind, at, data in log:
            event_rows.append({"incident_number": number, "kind": kind, "actor": opener, "at": at, "data": data})
    with store.db.write() as connection:
        for table, rows in (
            (incidents, incident_rows),
            (incident_workflow, response_rows),
            (participants, participant_rows),
        ):
            for start in range(0, len(rows), BATCH):
                connection.execute(sa.insert(table), rows[start : start + BATCH])
        for start in range(0, len(event_rows), BATCH):
            connection.execute(sa.insert(events), event_rows[start : start + BATCH])
    print(f"  generated {len(incident_rows)} incidents and {len(event_rows)} events", flush=True)


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median wall-clock seconds, median CPU seconds of this process) of `runs` runs after one warm-up.

    The machine is shared: the CPU time shows what the work costs when the wall clock also counts waiting for a core.
    """
    action()
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


@contextmanager
def databases(postgres: str | None) -> Iterator[tuple[str, str, str | None]]:
    """(name, url, schema) for SQLite in a temporary folder, then PostgreSQL when a URL is given."""
    with tempfile.TemporaryDirectory() as folder:
        found = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", None)]
        if postgres is None:
            yield found
            return
        from pg import throwaway_schema

        with throwaway_schema(postgres) as schema:
            yield [*found, ("PostgreSQL", postgres, schema)]


def measure(name: str, url: str, schema: str | None, options: argparse.Namespace, emulator) -> list[str]:
    store = Store(url, schema=schema)
    try:
        store.migrate()
        generate(store, options.incidents, options.events)
        settings = validate({})
        gateway = SlackGateway(lambda: build_client(emulator.bot_token, emulator.api_url))
        service = IncidentService(store, gateway, lambda: settings, clock=Clock())
        analysis = AnalysisService(service, clock=lambda: NOW)
        asking = Requester(user=ADMIN, here=emulator.open_dm(ADMIN), is_admin=True)
        holder: dict = {}

        def stats() -> None:
            period_text, severity = analysis.parse_stats_args(["365d"])
            holder["figures"] = analysis.figures(analysis.period(period_text), readers(asking), severity)
            holder["text"] = metrics_messages.stats_text(holder["figures"])

        stats_wall, stats_cpu = timed(stats, options.runs)
        chart_wall, chart_cpu = timed(lambda: analysis.chart(holder["figures"], "png"), 3)
        export_wall, export_cpu = timed(lambda: analysis.export(asking, "csv", "all"), 3)
        rows = holder["figures"].incidents
        return [
            f"| A1 | `!incident stats 365d` until the text reply, {name} (median of {options.runs}) | "
            f"{stats_wall * 1000:.0f} ms (CPU {stats_cpu * 1000:.0f} ms; {rows} incidents in the period) | "
            f"chart drawn after the reply: {chart_wall * 1000:.0f} ms (CPU {chart_cpu * 1000:.0f} ms) | "
            f"<= {STATS_TARGET_MS} ms | {'yes' if stats_wall * 1000 <= STATS_TARGET_MS else 'NO'} |",
            f"| A2 | `!incident export csv all` incl. upload to the emulator, {name} (median of 3) | "
            f"{export_wall:.2f} s (CPU {export_cpu:.2f} s; {options.incidents} rows) |  | "
            f"<= {EXPORT_TARGET_S:.0f} s | {'yes' if export_wall <= EXPORT_TARGET_S else 'NO'} |",
        ]
    finally:
        store.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL server (a throwaway schema)")
    options = parser.parse_args(argv)
    lines = ["|  | Measure | RedAlert | Detail | Target | Met |", "|---|---|---|---|---|---|"]
    with running_workspace() as emulator, databases(options.postgres) as found:
        for name, url, schema in found:
            print(f"{name}:", flush=True)
            lines += measure(name, url, schema, options, emulator)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
