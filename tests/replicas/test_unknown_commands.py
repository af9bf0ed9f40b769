"""Two replicas: an unknown command Slack delivers twice (to both connections) gets one "not found" answer."""

from __future__ import annotations

import pytest
from replica_cluster import bot_texts
from slack_workspace import ALICE

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

TYPOS = [f"!incidnet lsit {n}" for n in range(4)]


def test_a_redelivered_unknown_command_is_answered_once(cluster):
    slack = cluster.slack
    room = slack.add_channel("typos", members=[ALICE, slack.bot_user_id])
    slack.ack_drop_next(len(TYPOS))  # every ack is lost: Slack sends each envelope again, to the other connection
    for text in TYPOS:
        slack.post_user_message(ALICE, room, text)

    slack.wait_for(lambda: len(bot_texts(slack, room)) >= len(TYPOS), timeout=30)
    slack.wait_for(lambda: cluster.skipped_redeliveries() >= len(TYPOS), timeout=15)  # seen again, and dropped
    texts = bot_texts(slack, room)
    assert len(texts) == len(TYPOS), texts
    assert all("not found" in t for t in texts), texts
