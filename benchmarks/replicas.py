"""RedAlert with two replicas against one: `!incident list` throughput and the P3 burst, through real processes.

Run `.venv/bin/python benchmarks/replicas.py [--replicas 1,2] [--write docs/benchmarks-replicas.md]`.

Each configuration starts N real `errbot -c config.py` processes on a fresh schema of the PostgreSQL server at
REDALERT_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) against the local Slack emulator, which
spreads Socket Mode envelopes over the open connections at random, as Slack does.

- list: 5 people send 40 `!incident list` each, all at once, with 50 ms added to every emulated Slack call; the
  figure is commands answered per second, from the first message to the last answer.
- P3 burst: 60 opens sent evenly over 10 s with the emulator enforcing Slack's tier limits (scaled by 2, as in
  benchmarks/run.py); the figure is the time from the first open to the last answer. Slack's limits are per app, not
  per connection, so the floor is the same for any number of replicas.

Everything started is stopped, also when a measurement fails; nothing is written unless --write names a file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "plugins" / "redalert", ROOT / "tests", ROOT / "tests" / "replicas"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from pg import postgres_url, throwaway_schema  # noqa: E402
from replica_cluster import Cluster, bot_texts  # noqa: E402
from slack_workspace import running_workspace  # noqa: E402

from redalert_core.domain.incident import Phase  # noqa: E402

LATENCY = 0.050  # a plausible round trip to Slack, as in benchmarks/run.py
PEOPLE = [f"U0BENCH{i}" for i in range(1, 6)]
LISTS_EACH = 40
BURST = 60
BURST_SECONDS = 10.0
RATE_SCALE = 2.0
SEED_INCIDENTS = 20


@dataclass
class Result:
    replicas: int
    list_per_second: float
    list_answered: int
    burst_seconds: float
    burst_opened: int
    burst_channels: int
    burst_429s: Counter  # method -> calls answered 429


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not done within {timeout:.0f}s")
        time.sleep(0.02)


def measure(replicas: int) -> Result:
    url = postgres_url()
    with running_workspace() as slack, throwaway_schema(url) as schema, tempfile.TemporaryDirectory() as tmp:
        for person in PEOPLE:
            slack.add_user(person, person.lower())
        room = slack.add_channel("bench-room", members=[*PEOPLE, slack.bot_user_id])
        cluster = Cluster(slack, Path(tmp), url, schema, size=replicas)
        try:
            cluster.start()
            for i in range(SEED_INCIDENTS):  # something to list
                cluster.store.incidents.create(
                    severity="sev3",
                    description=f"seeded {i}",
                    opened_by=PEOPLE[0],
                    opened_at=_now(),
                    origin_channel=room,
                )
            list_rate, answered = _list_throughput(slack, room)
            burst_time, opened, channels, limited = _burst(cluster, slack)
        finally:
            cluster.stop()
    return Result(replicas, list_rate, answered, burst_time, opened, channels, limited)


def _now() -> datetime:
    return datetime.now(UTC)


def _list_throughput(slack, room: str) -> tuple[float, int]:
    slack.latency = LATENCY
    total = len(PEOPLE) * LISTS_EACH
    started = time.perf_counter()

    def send(person: str) -> None:
        for _ in range(LISTS_EACH):
            slack.post_user_message(person, room, "!incident list")

    threads = [threading.Thread(target=send, args=(p,)) for p in PEOPLE]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def answered() -> int:
        return sum(text.startswith(f"{SEED_INCIDENTS} open incidents") for text in bot_texts(slack, room))

    _wait(lambda: answered() >= total, 180, "the list commands")
    elapsed = time.perf_counter() - started
    slack.latency = 0.0
    return total / elapsed, answered()


def _burst(cluster: Cluster, slack) -> tuple[float, int, int, Counter]:
    general = slack.channel_by_name("general").id
    seen = len(slack.calls)
    people = list(cluster.slack.channel(general).members - {slack.bot_user_id})
    slack.enable_rate_limits(per_minute_scale=RATE_SCALE)
    spacing = BURST_SECONDS / BURST
    started = time.perf_counter()
    for i in range(BURST):
        delay = started + i * spacing - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        slack.post_user_message(people[i % len(people)], general, f"!incident open sev2 burst incident {i}")

    def done() -> int:
        return sum(("is open in" in t or "could not be created" in t) for t in bot_texts(slack, general))

    _wait(lambda: done() >= BURST, 300, "the burst")
    elapsed = time.perf_counter() - started
    slack.disable_rate_limits()
    incidents, _ = cluster.store.incidents.list(include_closed=True, limit=1000)
    burst = [i for i in incidents if i.description.startswith("burst incident")]
    opened = sum(1 for i in burst if i.phase is Phase.OPEN)
    limited = Counter(call.method for call in slack.calls[seen:] if call.http_status == 429)
    return elapsed, opened, len({i.channel_id for i in burst if i.channel_id}), limited


def refusals(limited: Counter) -> str:
    """ "33 × 429: chat.postMessage 33" — which calls Slack refused."""
    if not limited:
        return "0 × 429"
    return f"{sum(limited.values())} × 429: " + ", ".join(f"{m} {n}" for m, n in limited.most_common())


def table(results: list[Result]) -> str:
    header = "| measurement | " + " | ".join(f"{r.replicas} replica{'s' if r.replicas > 1 else ''}" for r in results)
    lines = [header + " |", "|---|" + "---|" * len(results)]
    lines.append(
        f"| `!incident list` answered per second ({len(PEOPLE) * LISTS_EACH} commands, "
        f"{LATENCY * 1000:.0f} ms Slack) | "
        + " | ".join(f"{r.list_per_second:.1f} ({r.list_answered} answered)" for r in results)
        + " |"
    )
    lines.append(
        f"| P3: {BURST} opens over {BURST_SECONDS:.0f} s under tier limits x{RATE_SCALE:g}, "
        "first open to last answer | "
        + " | ".join(
            f"{r.burst_seconds:.1f} s ({r.burst_opened} open, {r.burst_channels} channels, {refusals(r.burst_429s)})"
            for r in results
        )
        + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", default="1,2", help="comma-separated replica counts to compare")
    parser.add_argument("--write", type=Path, help="write the report (Markdown) to this file")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.replicas.split(",") if n.strip()]
    results = [measure(n) for n in counts]
    report = (
        "# RedAlert with several replicas\n\n"
        "Produced by `.venv/bin/python benchmarks/replicas.py --write docs/benchmarks-replicas.md` on "
        f"{os.cpu_count()} CPU(s); real processes on PostgreSQL against the Slack emulator.\n\n"
        + table(results)
        + "\n\n"
        + __doc__.split("\n\n", 2)[2].split("\n\nEverything started")[0]
        + "\n"
    )
    print(report)
    if args.write:
        args.write.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
