"""100 open → invite → close lifecycles while a fifth of all Slack calls fail: nothing lost, nothing twice."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from service_support import assert_no_orphans_or_duplicates, make_service
from slack_workspace import ALICE, BOB

from redalert_core.domain.commands import Mentions
from redalert_core.domain.incident import Status
from redalert_core.services.incidents import OpenRequest, ServiceError

LIFECYCLES = 100
FAULT_RATE = 0.2
MAX_ATTEMPTS = 25  # per operation; with a 20 % fault rate and the SDK's own retries a handful is plenty


def keep_trying(action, tally: dict, kind: str):
    """Repeat a command the way a person would after an error reply, counting how often that was needed."""
    for _ in range(MAX_ATTEMPTS):
        try:
            result = action()
        except ServiceError:
            tally[kind] = tally.get(kind, 0) + 1
            continue
        if result is not None:
            return result
        tally[kind] = tally.get(kind, 0) + 1
    raise AssertionError(f"{kind} never succeeded")


def test_lifecycles_survive_a_fifth_of_slack_calls_failing(emulator, tmp_path):
    ops = emulator.channel_by_name("ops").id
    service = make_service(emulator, tmp_path, workers=32)
    emulator.fault_rate(FAULT_RATE, kinds=("ratelimited", "http500", "drop"), seed=20240)
    tally: dict[str, int] = {}

    def lifecycle(n: int) -> int:
        report = service.open(OpenRequest("sev2", f"soak {n}", ALICE, ops, dedup_key=f"{ops}:soak-{n}"))
        number = report.incident.number
        if not report.complete:
            assert report.warnings, "an unfinished open must say what failed"
            tally["incomplete opens"] = tally.get("incomplete opens", 0) + 1
            keep_trying(lambda: report if service.resume(number).complete else None, tally, "retries")
        service.mark_replied(number)

        def invite():
            _, outcome, _ = service.invite(number=number, here=None, mentions=Mentions(users=[BOB]), actor=ALICE)
            return outcome if BOB in outcome.invited else None

        keep_trying(invite, tally, "invite repeats")
        keep_trying(
            lambda: service.close(number=number, channel_id=None, here=None, actor=ALICE, resolution="fixed"),
            tally,
            "close repeats",
        )
        return number

    begin = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = list(pool.map(lifecycle, range(LIFECYCLES)))
    elapsed = time.monotonic() - begin
    service.shutdown()
    emulator.clear_faults()

    faults = [c for c in emulator.calls if c.http_status != 200]
    print(
        f"\nsoak: {LIFECYCLES} lifecycles in {elapsed:.1f}s, {len(emulator.calls)} calls, "
        f"{len(faults)} faulted; {tally}"
    )
    stored, total = service.store.incidents.list(include_closed=True, limit=1000)
    assert total == LIFECYCLES and sorted(numbers) == sorted(i.number for i in stored)  # 0 lost records
    for incident in stored:
        assert incident.status is Status.CLOSED, incident
        assert incident.pending_steps() == [], incident
        channel = emulator.channel(incident.channel_id)
        assert channel.is_archived and BOB in channel.members and ALICE in channel.members
        said = [m["text"] for m in emulator.messages(incident.channel_id)]
        assert len(said) == 2, said  # the summary and one closing message, however often a call was repeated
    assert_no_orphans_or_duplicates(emulator, service)
    assert elapsed < 60
