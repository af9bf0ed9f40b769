"""P3: a burst of opens under Slack's tier limits: all complete, no duplicates, close to the rate-limit floor."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from common import ERRBOT_POOL, Figure, Options, emulator, make_gateway, service_on, sqlite_url, timed
from slack_workspace import ADMIN, ALICE, BOB, BOT_TOKEN, CAROL

from redalert_core.domain.commands import Mentions
from redalert_core.services.incidents import OpenRequest
from redalert_core.slack.gateway import build_client
from slack_emulator.rate_limits import (
    POST_MESSAGE_BURST,
    POST_MESSAGE_PER_MINUTE,
    SPECIAL_DEFAULT_PER_MINUTE,
    TIER_PER_MINUTE,
)
from slack_emulator.web_api import METHODS


def tier_floor(calls: list[Any], scale: float) -> tuple[float, str]:
    """The least time the emulator's tier limits allow for these successful calls, and the method that sets it.

    Buckets start full (a minute's budget, as in the emulator), then refill at the tier rate.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for call in calls:
        if call.http_status == 200:
            channel = str(call.args.get("channel") or "") if call.method == "chat.postMessage" else ""
            counts[(call.method, channel)] += 1
    best, which = 0.0, "none"
    for (method, _channel), n in counts.items():
        if method == "chat.postMessage":
            per_minute, burst = POST_MESSAGE_PER_MINUTE * scale, POST_MESSAGE_BURST * scale
        else:
            spec = METHODS.get(method)
            per_minute = TIER_PER_MINUTE.get(spec.tier if spec else "t3", SPECIAL_DEFAULT_PER_MINUTE) * scale
            burst = per_minute
        floor = max(0.0, n - max(1.0, float(int(burst)))) / (per_minute / 60.0)
        if floor > best:
            best, which = floor, f"{method} x{n}"
    return best, which


def measure_p3(opts: Options) -> list[Figure]:
    scale = opts.rate_scale
    with emulator(0.0) as emu, tempfile.TemporaryDirectory() as tmp:
        ops = emu.channel_by_name("ops").id
        people = [ADMIN, ALICE, BOB, CAROL]
        emu.enable_rate_limits(per_minute_scale=scale)
        gateway = make_gateway(build_client(BOT_TOKEN, emu.api_url), rate_scale=scale)
        with service_on(sqlite_url(tmp), gateway) as service, ThreadPoolExecutor(ERRBOT_POOL) as pool:
            spacing = opts.burst_seconds / opts.burst
            started = time.perf_counter()
            futures = []
            for i in range(opts.burst):
                delay = started + i * spacing - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                request = OpenRequest(
                    severity="sev2",
                    description=f"burst incident {i}",
                    opened_by=people[i % len(people)],
                    origin_channel=ops,
                    mentions=Mentions(users=[ALICE]),
                    dedup_key=f"{ops}:burst-{i}",
                )
                futures.append(pool.submit(timed, service.open, request))
            done, pending = wait(futures, timeout=180)
            for future in pending:
                future.cancel()
            finished = [f.result() for f in done if f.exception() is None]
            errors = [f.exception() for f in done if f.exception() is not None]
            total = max((end for _report, end in finished), default=time.perf_counter()) - started
            _stored, count = service.store.incidents.list(include_closed=True, limit=1000)
        calls = emu.calls
    complete = sum(1 for report, _ in finished if report.incident.channel_id and report.complete)
    channels = Counter(c.response.get("channel", {}).get("id") for c in calls if c.method == "conversations.create")
    created = sum(1 for c in calls if c.method == "conversations.create" and c.response.get("ok"))
    duplicates = max(0, count - opts.burst) + max(0, created - count) + sum(n - 1 for n in channels.values() if n > 1)
    floor, limiting = tier_floor(calls, scale)
    floor = max(floor, (opts.burst - 1) * opts.burst_seconds / opts.burst)  # nothing ends before the last command
    limited = sum(1 for c in calls if c.http_status == 429)
    note = f"{len(errors)} errors, {len(pending)} unfinished" if errors or pending else ""
    return [
        Figure(
            "P3",
            f"{opts.burst} opens in {opts.burst_seconds:.0f} s under tier limits x{scale:g}: complete",
            f"{complete}/{opts.burst}" + (f" ({note})" if note else ""),
            "",
            f"{opts.burst}/{opts.burst}",
            complete == opts.burst,
        ),
        Figure("P3", "duplicate incidents or channels", str(duplicates), "", "0", duplicates == 0),
        Figure(
            "P3",
            "burst total time vs rate-limit floor",
            f"{total:.1f} s = {total / floor:.2f} x floor",
            f"floor {floor:.1f} s ({limiting}); {limited} calls got 429",
            "<= 1.1 x floor",
            total <= 1.1 * floor,
        ),
    ]
