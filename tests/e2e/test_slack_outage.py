"""Slack down, then back, against the real bot: the Socket Mode connection comes back by itself.

The outage: every Web API method answers 503 (apps.connections.open included, so no new socket can be opened) and
the open socket is closed by Slack. slack_sdk's Socket Mode client checks its session every `ping_interval` (5 s)
and opens a new one when it is gone; while Slack fails it keeps trying, and it connects on the first check after
Slack answers again.
"""

from __future__ import annotations

import importlib.util
import re
import signal
import time

import httpx
import pytest
from bot_process import BotProcess
from chat import channel_id, incident_channels, say
from ports import free_port
from slack_workspace import ADMIN, ALICE

from outside_emulators import PagerDutyEmulator

pytestmark = pytest.mark.e2e

SLACK_DOWN = 1_000_000
ROUTING_KEY = "O" * 32


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


# --- the outage of issue 20's proof, through the HTTP API (from the `api` branch) -------------------------------


@pytest.mark.skipif(importlib.util.find_spec("redalert_core.frontends.api") is None, reason="needs the HTTP API")
def test_a_ten_minute_outage_opens_five_incidents_through_the_api_and_slack_catches_up_once(emulator, tmp_path):
    """Slack out (every Web API method 503, the socket closed and refused), 5 opens and 3 updates through the API,
    PagerDuty paged during the outage; after Slack is back: 5 channels, each once, the updates in order, in 60 s.

    Time is compressed through the bot's own timings: REDALERT_SLACK_RETRY_MAX is 1 s instead of 20 s, and the
    outage lasts until the bot has asked Slack 30 times whether it answers (about 30 s): as many back-off rounds as
    in 10 minutes at the default (600 s / 20 s = 30 rounds). REDALERT_RESUME_INTERVAL is
    0.5 s (the leader's job). What cannot be compressed (the Socket Mode client's 5 s check) is short anyway.
    """
    slack, port = emulator, free_port()
    with PagerDutyEmulator(routing_keys=[ROUTING_KEY]) as pd:
        env = {
            "ALLOW_PRIVATE_URLS": "1",
            "PAGERDUTY_EVENTS_URL": pd.url,
            "REDALERT_WEB_PORT": str(port),
            "REDALERT_WEB_HOST": "127.0.0.1",
            "REDALERT_RESUME_INTERVAL": "0.5",
            "REDALERT_SLACK_RETRY_MAX": "1",
        }
        bot = BotProcess(slack.api_url, tmp_path / "data", **env).start()
        try:
            dm = slack.open_dm(ADMIN)
            config = f"{{'PAGERDUTY_ROUTING_KEYS': {{'sev1': '{ROUTING_KEY}'}}}}"
            assert say(slack, ADMIN, dm, f"!plugin config RedAlert {config}") == "Plugin configuration done."
            reply = say(slack, ADMIN, dm, "!incident token create outage-drill write")
            token = max(re.findall(r"[A-Za-z0-9_\-]{24,}", reply), key=len)
            api = httpx.Client(
                base_url=f"http://127.0.0.1:{port}/redalert/api/v1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )

            slack.inject_fault("*", "http503", times=SLACK_DOWN)  # apps.connections.open too: no new socket
            slack.disconnect_clients("link_disabled")
            slack.wait_for(lambda: slack.connection_count == 0, timeout=10)
            probes = len(slack.calls_to("auth.test"))
            numbers = []
            for n in range(5):
                started = time.monotonic()
                answer = api.post("/incidents", json={"severity": "sev1", "description": f"Outage part {n + 1}"})
                assert answer.status_code == 201, answer.text
                assert time.monotonic() - started < 3.0  # stored and numbered at once, Slack not awaited
                body = answer.json()
                assert body.get("slack") == "pending", body
                numbers.append(body["number"])
            assert numbers == [1, 2, 3, 4, 5]
            for text in ("Rolling back", "Rollback deployed", "Error rate back to normal"):
                answer = api.post("/incidents/1/updates", json={"text": text})
                assert answer.status_code < 300, answer.text
            triggered = lambda: {e.dedup_key for e in pd.events if e.event_action == "trigger"}  # noqa: E731
            pd.wait_for(lambda: triggered() >= {f"redalert-incident-{n}" for n in numbers} or None, timeout=20)
            assert not incident_channels(slack)  # PagerDuty knows; Slack had nothing yet
            # The rest of the outage: 30 rounds of "does Slack answer?" (auth.test), one per longest pause.
            slack.wait_for(lambda: len(slack.calls_to("auth.test")) >= probes + 30, timeout=90)

            slack.clear_faults()
            back = time.monotonic()
            slack.wait_for(lambda: len(incident_channels(slack)) == 5, timeout=60)
            wanted = ("Rolling back", "Rollback deployed", "Error rate back to normal")

            def updates() -> list[str]:
                channel = next(c for c in incident_channels(slack) if "outage-part-1" in c.name)
                texts = [m.get("text", "") for m in slack.messages(channel.id)]
                return [w for t in texts for w in wanted if w in t]

            slack.wait_for(lambda: len(updates()) >= 3, timeout=max(1.0, 60 - (time.monotonic() - back)))
            assert time.monotonic() - back < 60
            assert updates() == list(wanted), updates()  # in order, each once
            slack.wait_for(lambda: slack.connection_count == 1, timeout=30)  # Socket Mode is back by itself
        finally:
            assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
        channels = incident_channels(slack)
        assert len(channels) == 5 and len({c.name for c in channels}) == 5  # each once
        assert sorted(pd.actions_for(f"redalert-incident-{n}").count("trigger") for n in numbers) == [1] * 5
        assert not our_tracebacks(bot.log), our_tracebacks(bot.log)[0]


def our_tracebacks(log: str) -> list[str]:
    """Log records with a traceback, except slack_sdk's Socket Mode client's own: while Slack refuses
    apps.connections.open it logs each failed reconnection with its traceback, and that is the outage, not a bug."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} )", log)
    return [r for r in records if "Traceback" in r and "slack_sdk.socket_mode" not in r.split("\n", 1)[0]]
