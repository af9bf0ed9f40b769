"""Delayed workflow actions across a SIGKILL of the real process (issue 22): one still waiting for its time and one
claimed and in the middle of its Slack call both run exactly once after the restart."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from bot_process import BotProcess
from chat import channel_id, say
from slack_workspace import ALICE

from redalert_core.store import Store
from redalert_core.store.tables import workflow_runs

pytestmark = pytest.mark.e2e

NUDGE = "has been open a minute"
FILE = f"""
workflows:
  - name: nudge
    when: opened
    after: 1m
    do:
      - post: "Incident {{number}} {NUDGE}: time for an update"
"""


def runs(data: Path) -> dict[int, tuple[str, str | None]]:
    """Incident number -> (state, claimed_by) of its nudge."""
    store = Store(f"sqlite:///{data / 'redalert.sqlite3'}")
    try:
        return {r.incident_number: (r.state, r.claimed_by) for n in (1, 2) for r in store.workflow_runs.of_incident(n)}
    finally:
        store.dispose()


def incident_channels(data: Path) -> dict[int, str]:
    store = Store(f"sqlite:///{data / 'redalert.sqlite3'}")
    try:
        return {n: store.incidents.get(n).channel_id for n in (1, 2)}
    finally:
        store.dispose()


def minute_passes(data: Path, number: int) -> None:
    """What a minute's wait does to the run: its due time is now past (the clock the process reads is the system's)."""
    engine = sa.create_engine(f"sqlite:///{data / 'redalert.sqlite3'}")
    try:
        with engine.begin() as connection:
            where = workflow_runs.c.incident_number == number
            due = connection.execute(sa.select(workflow_runs.c.due_at).where(where)).scalar_one()
            connection.execute(sa.update(workflow_runs).where(where).values(due_at=due - timedelta(seconds=61)))
    finally:
        engine.dispose()


def nudges(slack, channel: str) -> int:
    return sum(NUDGE in m["text"] for m in slack.messages(channel) if m["user"] == slack.bot_user_id)


def test_a_pending_and_a_claimed_delayed_action_each_run_once_after_a_sigkill(emulator, tmp_path):
    slack = emulator
    (tmp_path / "workflows.yaml").write_text(FILE)
    data = tmp_path / "data"
    bot = BotProcess(
        slack.api_url,
        data,
        REDALERT_WORKFLOWS_FILE=str(tmp_path / "workflows.yaml"),
        REDALERT_WORKFLOW_INTERVAL="0.2",
    ).start()
    ops = channel_id(slack, "ops")
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev2 Waiting for its minute")
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev2 In the middle of it")
    assert [state for state, _ in runs(data).values()] == ["pending", "pending"]

    # Incident 2's minute passes and its post hangs in Slack; incident 1's is still to come when the bot is killed.
    held = slack.hold_request("chat.postMessage", lambda args: f"Incident 2 {NUDGE}" in str(args.get("text", "")))
    minute_passes(data, 2)
    assert held.wait_arrived(timeout=20)
    assert runs(data)[2][0] == "running" and runs(data)[1] == ("pending", None)
    assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
    assert held.wait_dropped(timeout=10)  # never carried out

    minute_passes(data, 1)  # the minute passes while the bot is down
    bot.start()
    channels = incident_channels(data)
    for number, channel in channels.items():
        slack.wait_for_message(channel, lambda m, n=number: f"Incident {n} {NUDGE}" in m["text"], timeout=20)
    slack.wait_for(lambda: [state for state, _ in runs(data).values()] == ["done", "done"], timeout=10)
    assert [nudges(slack, channel) for channel in channels.values()] == [1, 1]
    assert "is gone, running it here" in bot.log  # the killed process's claim, taken over
    assert bot.stop(signal.SIGTERM) == 0
    assert "Traceback" not in bot.log
