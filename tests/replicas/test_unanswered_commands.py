"""Two replicas: a command that a killed replica received (its inbox row, claimed by a process that is gone) is
re-run once by the leader, with a late reply."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from replica_cluster import bot_texts
from slack_workspace import ALICE

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LATE = "(late reply, the bot restarted) "


def test_a_dead_replicas_unanswered_command_is_answered_once_by_the_leader(cluster):
    slack = cluster.slack
    room = slack.add_channel("left-behind", members=[ALICE, slack.bot_user_id])
    ts = "1700000000.000100"
    event = {"type": "message", "channel": room, "user": ALICE, "text": "!incident retry 77", "ts": ts}
    # What a replica SIGKILLed after acknowledging the envelope leaves: the row, claimed by an instance now gone.
    cluster.execute(
        "INSERT INTO command_inbox (key, channel, ts, user_id, command, text, event, claimed_by, received_at, state)"
        " VALUES (:key, :channel, :ts, :user, 'incident_retry', :text, :event, 'gone-instance', :at, 'received')",
        key=f"{room}:{ts}",
        channel=room,
        ts=ts,
        user=ALICE,
        text=event["text"],
        event=json.dumps(event),
        at=datetime.now(UTC),
    )
    slack.wait_for(lambda: any(t.startswith(LATE) for t in bot_texts(slack, room)), timeout=30)
    slack.wait_for(
        lambda: cluster.execute("SELECT state FROM command_inbox WHERE key = :k", k=f"{room}:{ts}").scalar() == "done",
        timeout=10,
    )
    assert bot_texts(slack, room) == [LATE + "There is no incident 77. See !incident list all."]
