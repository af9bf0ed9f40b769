"""A burst of 50 commands in one channel, against the emulator's per-channel limit on chat.postMessage (Slack's
one a second with a short burst, scaled): 50 answers, in the order of the commands, and not one 429."""

from __future__ import annotations

import re

import pytest
from bot_process import BotProcess
from chat import channel_id
from slack_workspace import ALICE

pytestmark = pytest.mark.e2e

SCALE = 5  # the emulator and the bot both take Slack's limits times 5: 5 posts a second per channel, burst 15
BURST = 50


def test_fifty_commands_in_one_channel_get_fifty_paced_answers_in_order(emulator, tmp_path):
    slack = emulator
    ops = channel_id(slack, "ops")
    slack.enable_rate_limits(per_minute_scale=SCALE)
    bot = BotProcess(slack.api_url, tmp_path / "data", REDALERT_SLACK_RATE_SCALE=str(SCALE)).start()
    try:
        seen = len(slack.calls)
        for n in range(1, BURST + 1):
            slack.post_user_message(ALICE, ops, f"!incident retry {n}")

        def answers() -> list[int]:
            found = (re.search(r"incident (\d+)", m["text"]) for m in slack.messages(ops) if m["user"] != ALICE)
            return [int(m.group(1)) for m in found if m]

        slack.wait_for(lambda: len(answers()) >= BURST, timeout=60)
        assert answers() == list(range(1, BURST + 1))
        posts = [c for c in slack.calls[seen:] if c.method == "chat.postMessage"]
        assert [c.http_status for c in posts if c.http_status != 200] == []  # paced: Slack never said 429
        assert len(posts) == BURST
    finally:
        bot.stop()
