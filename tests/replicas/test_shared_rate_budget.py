"""Two replicas pace their Slack calls as one app: Slack's per-app budget is shared through PostgreSQL."""

from __future__ import annotations

import pytest
from replica_cluster import bot_texts
from slack_workspace import ALICE, BOB

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

# Tier 2 (20 a minute, a minute's worth at once): every open makes one call of each.
TIER_2 = ("conversations.create", "conversations.setTopic", "conversations.setPurpose", "pins.add")
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo"
OPENS = [f"Shared budget {word} {side}" for word in WORDS.split()[:12] for side in ("east", "west")]  # 24 opens


def test_a_burst_on_two_replicas_stays_within_one_apps_budget(cluster):
    slack = cluster.slack
    general = slack.channel_by_name("general").id
    seen = len(slack.calls)
    slack.enable_rate_limits(per_minute_scale=1.0)  # Slack's own limits, which the replicas' pacers assume
    try:
        for i, description in enumerate(OPENS):
            slack.post_user_message((ALICE, BOB)[i % 2], general, f"!incident open sev3 {description}")
        # 20 channels at once, then one every ~3.2 s: the last answers come about 13 s after the burst.
        slack.wait_for(lambda: sum("is open in" in t for t in bot_texts(slack, general)) == len(OPENS), timeout=90)
    finally:
        slack.disable_rate_limits()
    calls = slack.calls[seen:]
    refused = [c.method for c in calls if c.method in TIER_2 and c.http_status == 429]
    assert refused == [], f"{len(refused)} tier-2 calls got 429: the replicas exceeded the app's budget together"
    created = [c for c in calls if c.method == "conversations.create" and c.http_status == 200]
    assert len(created) == len(OPENS)
    assert len({conn for _, conn, _ in slack.deliveries()}) == 2, "both replicas took opens"
