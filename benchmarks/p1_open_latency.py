"""P1: open latency, and the sequential Slack round trips on an open's critical path, against the original redalert."""

from __future__ import annotations

import statistics
import tempfile
import time

from common import (
    ORIGINAL_OPEN_CALLS,
    Figure,
    Options,
    emulator,
    make_gateway,
    ms,
    sequential_waves,
    service_on,
    settle,
    sqlite_url,
)
from slack_sdk import WebClient
from slack_workspace import ADMIN, ALICE, BOB, BOT_TOKEN, CAROL, SRE_GROUP

from redalert_core.domain.commands import Mentions
from redalert_core.services.incidents import OpenRequest
from redalert_core.slack.gateway import build_client


def measure_p1(opts: Options) -> list[Figure]:
    latency = opts.latency
    mentions = Mentions(users=[ALICE], groups=[SRE_GROUP])
    with emulator(latency) as emu, tempfile.TemporaryDirectory() as tmp:
        ops = emu.channel_by_name("ops").id
        gateway = make_gateway(build_client(BOT_TOKEN, emu.api_url))
        ours_times, ours_waves, ours_calls = [], [], []
        with service_on(sqlite_url(tmp), gateway) as service:
            # A running bot knows its own user ID and has warm connections: open one incident before measuring.
            service.open(OpenRequest(severity="sev1", description="warm up", opened_by=ADMIN, mentions=mentions))
            settle(emu, quiet=0.3)  # steps that finish in the background (a pin) must not count for the next open
            for i in range(3):
                emu.clear_calls()
                started = time.perf_counter()
                report = service.open(
                    OpenRequest(
                        severity="sev1",
                        description=f"checkout is down {i}",
                        opened_by=BOB if i % 2 else ALICE,
                        origin_channel=ops,
                        mentions=mentions,
                        dedup_key=f"{ops}:p1-{i}",
                    )
                )
                ours_times.append(time.perf_counter() - started)
                returned = time.monotonic()  # the emulator stamps calls with time.monotonic()
                if not report.incident.channel_id:
                    raise RuntimeError(f"open failed: {report.warnings}")
                settle(emu, quiet=0.3)
                calls = emu.calls
                ours_calls.append(len(calls))
                # The critical path ends when open() returns and the reply can go; later calls run in the background.
                ours_waves.append(sequential_waves([c.at for c in calls if c.at <= returned], latency))

        # The original redalert: six calls, each waiting for the previous one.
        client = WebClient(token=BOT_TOKEN, base_url=emu.api_url)
        original_times, original_waves = [], []
        for i in range(3):
            emu.clear_calls()
            started = time.perf_counter()
            client.conversations_join(channel=ops)
            channel = client.conversations_create(name=f"original-sev1-checkout-{i}")["channel"]["id"]
            client.users_info(user=ALICE)
            client.conversations_setPurpose(channel=channel, purpose="SEV1 checkout is down")
            client.conversations_invite(channel=channel, users=[ALICE, BOB, CAROL])
            client.chat_postMessage(channel=channel, text="Incident opened")
            original_times.append(time.perf_counter() - started)
            original_waves.append(sequential_waves([c.at for c in emu.calls], latency))

    ours_t, orig_t = statistics.median(ours_times), statistics.median(original_times)
    waves, orig_waves = max(ours_waves), max(original_waves)
    return [
        Figure(
            "P1",
            f"open latency at {latency * 1000:.0f} ms per Slack call (median of 3)",
            ms(ours_t),
            f"original {ms(orig_t)} (ours/original {ours_t / orig_t:.2f})",
        ),
        Figure(
            "P1",
            "sequential Slack round trips in an open",
            f"{waves} ({max(ours_calls)} calls in all; {ours_t / latency:.1f} x latency)",
            f"original {orig_waves} ({ORIGINAL_OPEN_CALLS} calls)",
            "<= 3",
            waves <= 3,
        ),
    ]
