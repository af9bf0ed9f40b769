"""SIGKILL the real process right after each step of an open; the restart finishes it with exactly one channel."""

from __future__ import annotations

import signal

import pytest
from bot_process import BotProcess
from chat import channel_id
from slack_workspace import ALICE, BOB

pytestmark = pytest.mark.e2e

LATENCY = 0.3  # slow Slack down enough to kill the process between a step's answer and the next step

# The step, and the Slack call that completes it.
STEPS = [
    ("channel", "conversations.create"),
    ("topic", "conversations.setTopic"),
    ("purpose", "conversations.setPurpose"),
    ("invites", "conversations.invite"),
    ("summary", "chat.postMessage"),
]


@pytest.mark.parametrize(("step", "method"), STEPS, ids=[s for s, _ in STEPS])
def test_sigkill_after_a_step_is_finished_on_restart(emulator, tmp_path, step, method):
    slack = emulator
    ops = channel_id(slack, "ops")
    bot = BotProcess(slack.api_url, tmp_path / "data").start()
    slug = f"killed-after-{step}"
    seen = len(slack.calls)
    slack.latency = LATENCY
    slack.post_user_message(ALICE, ops, f"!incident open sev1 Killed after {step} <@{BOB}>")

    def step_answered() -> bool:
        return any(
            c.method == method and c.http_status == 200 and c.args.get("channel") != ops for c in slack.calls[seen:]
        )

    slack.wait_for(step_answered, timeout=20)
    assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
    slack.latency = 0
    assert not [m for m in slack.messages(ops) if "is open in" in m["text"] or "interrupted" in m["text"]]

    bot.start()
    try:
        notice = slack.wait_for_message(ops, lambda m: "Incident 1 " in m["text"], timeout=20)["text"]
        channels = [c for c in slack.channels() if slug in c.name]
        assert len(channels) == 1, [c.name for c in channels]  # no orphan, no duplicate
        channel = channels[0]
        assert f"<#{channel.id}>" in notice, notice
        assert channel.topic == f"SEV1 - Critical | Killed after {step}"
        assert channel.purpose.startswith("RedAlert incident 1 ")
        assert {ALICE, BOB} <= channel.members
        slack.wait_for(lambda: len(slack.pins(channel.id)) == 1)
        summaries = [m for m in slack.messages(channel.id) if m["text"] and "Killed after" in m["text"]]
        assert len(summaries) == 1, [m["text"] for m in summaries]
        listing = [m for m in slack.messages(ops) if "Incident 1 " in m["text"]]
        assert len(listing) == 1, listing
    finally:
        assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log


POOL = 10  # Errbot's worker threads (BOT_ASYNC_POOLSIZE's default): commands beyond them wait in its queue
# Names without a trailing number: "x-2" shares a creation lock with "x" (one channel-name family at a time).
BUSY = [f"Busy worker {letter}" for letter in "abcdefghij"]


def test_an_open_waiting_for_a_worker_survives_a_sigkill(emulator, tmp_path):
    """Every worker is busy (their channel creates are held), so the last open waits in Errbot's queue, already
    acknowledged to Slack, when the process is killed: it was stored on receipt, and the restart finishes it."""
    slack = emulator
    ops = channel_id(slack, "ops")
    bot = BotProcess(slack.api_url, tmp_path / "data").start()
    holds = [slack.hold_response("conversations.create") for _ in range(POOL)]
    try:
        for description in BUSY:
            slack.post_user_message(ALICE, ops, f"!incident open sev2 {description}")
        for hold in holds:
            assert hold.wait_arrived(timeout=20)  # all workers are inside conversations.create
        ts = slack.post_user_message(ALICE, ops, "!incident open sev1 Waiting in the queue")

        def acknowledged() -> bool:
            envelopes = [e for e in slack.envelopes if e["payload"]["event"].get("ts") == ts]
            return bool(envelopes) and envelopes[0]["envelope_id"] in slack.acked

        slack.wait_for(acknowledged, timeout=20)
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        for hold in holds:
            hold.release()
    assert not [m for m in slack.messages(ops) if "is open in" in m["text"]]

    bot.start()
    try:
        slack.wait_for(lambda: len([m for m in slack.messages(ops) if "Incident " in m["text"]]) >= POOL + 1, 30)
        waiting = [c for c in slack.channels() if "waiting-in-the-queue" in c.name]
        assert len(waiting) == 1 and waiting[0].name.startswith("sev1-")
        for description in BUSY:  # each held create's channel is adopted, not made twice
            slug = description.lower().replace(" ", "-")
            assert len([c for c in slack.channels() if c.name.endswith(slug)]) == 1
        notices = [m["text"] for m in slack.messages(ops) if f"<#{waiting[0].id}>" in m["text"]]
        assert len(notices) == 1 and notices[0].startswith("Incident 11 "), notices
    finally:
        assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log
