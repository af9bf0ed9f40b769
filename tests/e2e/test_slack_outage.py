"""Slack down, then back, against the real bot: the Socket Mode connection comes back by itself.

The outage: every Web API method answers 503 (apps.connections.open included, so no new socket can be opened) and
the open socket is closed by Slack. slack_sdk's Socket Mode client checks its session every `ping_interval` (5 s)
and opens a new one when it is gone; while Slack fails it keeps trying, and it connects on the first check after
Slack answers again.
"""

from __future__ import annotations

import pytest
from chat import channel_id, say
from slack_workspace import ALICE

pytestmark = pytest.mark.e2e

SLACK_DOWN = 1_000_000


def test_socket_mode_comes_back_by_itself_after_slack_was_down(slack, bot):
    ops = channel_id(slack, "ops")
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev2 Before the outage")
    hellos = slack.hellos_sent
    slack.inject_fault("*", "http503", times=SLACK_DOWN)
    slack.disconnect_clients("link_disabled")
    slack.wait_for(lambda: slack.connection_count == 0, timeout=10)
    # The client tries again while Slack is down: its apps.connections.open calls fail.
    slack.wait_for(lambda: len(slack.calls_to("apps.connections.open")) >= 2, timeout=30)
    assert slack.connection_count == 0
    slack.clear_faults()
    slack.wait_for(lambda: slack.hellos_sent > hellos and slack.connection_count == 1, timeout=30)
    assert "is open in" in say(slack, ALICE, ops, "!incident open sev2 After the outage", timeout=30)
    assert "Traceback" not in bot.log
