"""A burst of opens stays under Slack's tier limits: paced on our side instead of answered with 429 storms."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from service_support import assert_no_orphans_or_duplicates, make_service
from slack_workspace import ALICE

from redalert_core.services.incidents import OpenRequest

BURST = 60
# Tier 2 at this scale allows 54 creates at once, then 0.9 a second: the last 6 of the burst must wait for Slack.
SCALE = 2.7
TIER2_PER_SECOND = 20 * SCALE / 60


def test_sixty_opens_at_once_all_complete_with_few_429s(emulator, tmp_path):
    emulator.enable_rate_limits(per_minute_scale=SCALE)
    service = make_service(emulator, tmp_path, scale=SCALE, workers=16)
    ops = emulator.channel_by_name("ops").id
    begin = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        reports = list(pool.map(lambda n: service.open(OpenRequest("sev2", f"burst {n}", ALICE, ops)), range(BURST)))
    elapsed = time.monotonic() - begin
    service.shutdown()  # waits for the pins

    limited = [c for c in emulator.calls if c.http_status == 429]
    floor = (BURST - int(20 * SCALE)) / TIER2_PER_SECOND  # what the create bucket alone allows
    print(
        f"\n{BURST} opens: {elapsed:.1f}s (tier-2 floor {floor:.1f}s); 429s: {len(limited)}; "
        f"client-side waiting {service.gateway.pacer.waited:.1f}s in total"
    )
    assert all(r.complete and not r.warnings for r in reports), [r.warnings for r in reports if r.warnings]
    assert len({r.incident.number for r in reports}) == BURST
    assert len({r.incident.channel_id for r in reports}) == BURST
    assert len(emulator.calls_to("conversations.create")) == BURST
    assert len(limited) <= 3, [(c.method, c.at - begin) for c in limited]
    assert floor <= elapsed < floor + 6
    assert_no_orphans_or_duplicates(emulator, service)
