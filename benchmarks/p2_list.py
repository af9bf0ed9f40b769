"""P2: `!incident list` in a workspace of many channels, against the original's conversations.list scan."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from common import Figure, Options, ask, emulator, errbot_testbot, ms, sqlite_url
from slack_sdk import WebClient
from slack_workspace import ALICE, BOT_TOKEN

from redalert_core.domain.incident import OPEN_STEPS, OpenStep
from redalert_core.store import Store
from slack_emulator.rate_limits import TIER_PER_MINUTE


def _seed_incidents(url: str, count: int) -> None:
    store = Store(url)
    try:
        store.migrate()
        start = datetime.now(UTC) - timedelta(days=count)
        for i in range(count):
            incident = store.incidents.create(
                severity=f"sev{i % 5 + 1}",
                description=f"benchmark incident {i}",
                opened_by=ALICE,
                opened_at=start + timedelta(hours=i),
                origin_channel=None,
                dedup_key=f"bench:{i}",
            )
            store.steps.set_channel(incident.number, f"C8{i:08d}", f"sev1-bench-{i}")
            # Fully opened: an incident left "opening" would be resumed by the bot at start, with Slack calls.
            for step in OPEN_STEPS:
                if step not in (OpenStep.RECORDED, OpenStep.CHANNEL):
                    store.steps.done(incident.number, step)
            if i % 2:  # half of them closed, as in a workspace that has used RedAlert for a while
                store.incidents.close(
                    incident.number, closed_by=ALICE, closed_at=start + timedelta(hours=i, minutes=30), resolution="ok"
                )
        if store.incidents.unfinished():
            raise RuntimeError("seeded incidents are still opening; the bot would resume them during the run")
    finally:
        store.dispose()


def measure_p2(opts: Options) -> list[Figure]:
    with emulator(opts.latency) as emu, tempfile.TemporaryDirectory() as tmp:
        for i in range(opts.channels):
            emu.add_channel(f"channel-{i:05d}")
        url = sqlite_url(tmp)
        _seed_incidents(url, opts.incidents)
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": emu.api_url, "REDALERT_DATABASE_URL": url}
        with errbot_testbot(env) as bot:
            ask(bot, "!incident list")  # the first command pays for Errbot's lazy imports
            times, calls = [], []
            for text in ("!incident list", "!incident list all") * 5:
                emu.clear_calls()
                reply, elapsed = ask(bot, text)
                if "Incident" not in reply:
                    raise RuntimeError(f"unexpected reply: {reply[:200]}")
                times.append(elapsed)
                calls.append(len(emu.calls))

        # The original: every channel, 100 per page, to find the incident ones.
        client = WebClient(token=BOT_TOKEN, base_url=emu.api_url)
        emu.clear_calls()
        started = time.perf_counter()
        cursor, pages = None, 0
        while pages < opts.channels:  # bounded: one page per channel at worst
            response = client.conversations_list(limit=100, cursor=cursor, types="public_channel")
            pages += 1
            cursor = response["response_metadata"]["next_cursor"]
            if not cursor:
                break
        scan = time.perf_counter() - started
    ours_t = statistics.median(times)
    tier2 = TIER_PER_MINUTE["t2"]
    floor_min = max(0.0, pages - tier2) / tier2  # conversations.list is Tier 2: 20 a minute after the first 20
    return [
        Figure(
            "P2",
            f"!incident list, {opts.channels:,} channels, {opts.incidents} incidents: Slack calls",
            str(max(calls)),
            f"original {pages} conversations.list calls",
            "0",
            max(calls) == 0,
        ),
        Figure(
            "P2",
            "!incident list reply time (median of 10)",
            ms(ours_t),
            f"original scan {scan:.1f} s at {opts.latency * 1000:.0f} ms/call, >= {floor_min:.1f} min under Tier 2",
            "< 100 ms",
            ours_t < 0.1,
        ),
    ]
