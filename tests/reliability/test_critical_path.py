"""Opening an incident costs at most three sequential Slack round trips before the reply goes out."""

from __future__ import annotations

import time

from service_support import make_service
from slack_workspace import ALICE, SRE_GROUP

from redalert_core.domain.commands import Mentions
from redalert_core.services.incidents import OpenRequest

LATENCY = 0.2


def round_trips_before(calls: list, last) -> int:
    """The longest chain of calls that each started after the previous one answered, ending with `last`."""
    depth: dict[int, int] = {}
    ordered = sorted(calls, key=lambda c: c.started)
    for index, call in enumerate(ordered):
        before = [depth[i] for i, other in enumerate(ordered[:index]) if other.at <= call.started]
        depth[index] = 1 + max(before, default=0)
        if call is last:
            return depth[index]
    raise AssertionError("the reply is not among the calls")


def test_open_reaches_the_reply_in_three_round_trips(emulator, tmp_path):
    service = make_service(emulator, tmp_path)
    ops = emulator.channel_by_name("ops").id
    mentions = Mentions(users=[ALICE], groups=[SRE_GROUP])
    # A first open warms what every later open reuses (the bot's own user id).
    service.open(OpenRequest("sev1", "warm up", ALICE, ops, mentions=mentions))

    emulator.latency = LATENCY
    begin = time.monotonic()
    report = service.open(OpenRequest("sev1", "checkout down", ALICE, ops, mentions=mentions))
    service.gateway.post_message(ops, f"Incident {report.incident.number} is open")  # what the plugin replies
    elapsed = time.monotonic() - begin
    emulator.wait_for(lambda: emulator.pins(report.incident.channel_id))

    assert report.complete and not report.warnings
    calls = [c for c in emulator.calls if c.started >= begin]
    reply = next(c for c in calls if c.method == "chat.postMessage" and c.args.get("channel") == ops)
    trips = round_trips_before(calls, reply)
    print(f"round trips up to the reply: {trips}; open + reply took {elapsed:.2f}s at {LATENCY}s latency")
    assert trips <= 3, [(c.method, round(c.started - begin, 2), round(c.at - begin, 2)) for c in calls]
    assert elapsed < 4 * LATENCY + 0.3
    pin = next(c for c in calls if c.method == "pins.add")
    assert pin.started < reply.at, "the pin waits for nothing but the summary"
