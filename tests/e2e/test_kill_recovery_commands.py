"""Every kind of command acknowledged to Slack but still waiting for a worker survives a SIGKILL: the restart
re-runs it from the command inbox once, and its answer says it is late."""

from __future__ import annotations

import signal

import pytest
import sqlalchemy as sa
from bot_process import BotProcess
from chat import channel_id, say
from slack_workspace import ALICE, BOB

pytestmark = pytest.mark.e2e

POOL = 10  # Errbot's worker threads: commands beyond them wait in its queue
BUSY = [f"Busy worker {letter}" for letter in "abcdefghij"]
LATE = "(late reply, the bot restarted) "
# One command of each kind, typed in #ops about incident 1 (2 for the close), and how its late answer starts.
COMMANDS = {
    "workflow": ("!incident update 1 Rolling back the deploy", "Update for incident 1 posted"),
    "task": ("!task add 1 Alert on pool usage", "Task T1"),
    "problem": ("!problem open Pool too small 1", "Problem P1"),
    "invite": (f"!incident invite 1 <@{BOB}>", f"Invited <@{BOB}> to incident 1."),
    "close": ("!incident close 2 Fixed by rolling back", "Incident 2 closed after"),
}


def count(data_dir, query: str) -> int:
    engine = sa.create_engine(f"sqlite:///{data_dir / 'redalert.sqlite3'}")
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(query)).scalar()
    finally:
        engine.dispose()


def test_commands_waiting_for_a_worker_are_finished_once_after_a_sigkill(emulator, tmp_path):
    slack = emulator
    ops = channel_id(slack, "ops")
    data_dir = tmp_path / "data"
    bot = BotProcess(slack.api_url, data_dir, REDALERT_RESUME_INTERVAL="0.5").start()
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev2 Target of the commands")
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev3 Closed after the restart")
    holds = [slack.hold_response("conversations.create") for _ in range(POOL)]
    try:
        for description in BUSY:
            slack.post_user_message(ALICE, ops, f"!incident open sev2 {description}")
        for hold in holds:
            assert hold.wait_arrived(timeout=20)  # all workers are inside conversations.create
        sent = [slack.post_user_message(ALICE, ops, text) for text, _ in COMMANDS.values()]

        def acknowledged() -> bool:
            ids = {e["envelope_id"] for e in slack.envelopes if e["payload"]["event"].get("ts") in sent}
            return len(ids) == len(sent) and ids <= slack.acked

        slack.wait_for(acknowledged, timeout=20)
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
    finally:
        for hold in holds:
            hold.release()
    answered_before = [
        m["text"] for m in slack.messages(ops) if any(m["text"].startswith(s) for _, s in COMMANDS.values())
    ]
    assert answered_before == []

    bot.start()
    try:
        for kind, (_, start) in COMMANDS.items():
            reply = slack.wait_for_message(ops, lambda m, s=start: m["text"].startswith(LATE + s), timeout=30)
            assert reply, kind
        answers = [m["text"] for m in slack.messages(ops)]
        for kind, (_, start) in COMMANDS.items():  # one answer each, and no second, punctual one
            assert len([a for a in answers if start in a]) == 1, (kind, answers)
        target = slack.channel_by_name(
            next(c.name for c in slack.channels() if c.name.endswith("target-of-the-commands"))
        )
        updates = [m for m in slack.messages(target.id) if "Rolling back the deploy" in (m["text"] or "")]
        assert len(updates) == 1, updates
        assert BOB in target.members
        assert count(data_dir, "SELECT count(*) FROM tasks") == 1
        assert count(data_dir, "SELECT count(*) FROM problems") == 1
        assert count(data_dir, "SELECT count(*) FROM incidents WHERE number = 2 AND closed_at IS NOT NULL") == 1
        closed = next(c for c in slack.channels() if c.name.endswith("closed-after-the-restart"))
        assert closed.is_archived
        slack.wait_for(lambda: count(data_dir, "SELECT count(*) FROM command_inbox WHERE state != 'done'") == 0, 30)
    finally:
        assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
    assert "Traceback" not in bot.log
