"""The status page in the real `errbot -c config.py` process: REDALERT_STATUS_PORT serves the page, and a SIGKILL
while Statuspage is down loses no publish and sends none twice, in order, after the restart."""

from __future__ import annotations

import json
import signal
import urllib.request

import pytest
from bot_process import BotProcess
from chat import say
from ports import free_port
from slack_workspace import ADMIN

from outside_emulators import StatuspageEmulator

pytestmark = pytest.mark.e2e

KEY = "sp-e2e-key-7f3a91c2"
PAGE, API = "pg1e2e", "b13yz5g2cw10"


def get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read().decode()


def test_sigkill_during_publishes_then_restart_delivers_each_once_in_order(emulator, tmp_path):
    slack = emulator
    port = free_port()
    with StatuspageEmulator(api_key=KEY) as statuspage:
        statuspage.add_page(PAGE, [API])
        env = {
            "STATUSPAGE_API_URL": statuspage.url,
            "STATUSPAGE_API_KEY": KEY,
            "REDALERT_STATUS_PORT": str(port),
            "ALLOW_PRIVATE_URLS": "1",
        }
        bot = BotProcess(slack.api_url, tmp_path / "data", **env).start()
        dm = slack.open_dm(ADMIN)
        config = (
            f"{{'STATUS_COMPONENTS': [{{'name': 'api'}}], 'STATUSPAGE_PAGE_ID': '{PAGE}', "
            f"'STATUSPAGE_COMPONENTS': {{'api': '{API}'}}}}"
        )
        assert say(slack, ADMIN, dm, f"!plugin config RedAlert {config}") == "Plugin configuration done."
        statuspage.outage(True)  # nothing can reach Statuspage before the kill
        assert "is open in" in say(slack, ADMIN, dm, "!incident open sev1 primary db lost quorum")
        assert "Published incident 1" in say(slack, ADMIN, dm, "!incident publish 1 api=major_outage Errors.")
        assert "Updated incident 1" in say(slack, ADMIN, dm, "!incident publish 1 We found the cause.")
        assert "Errors." in get(port, "/") and "primary db" not in get(port, "/")
        statuspage.wait_for_calls(1)  # it tried, and failed
        assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
        assert statuspage.incidents == []
        statuspage.outage(False)
        bot.start()
        try:
            there = statuspage.wait_for_incident(lambda i: len(i.updates) == 2, timeout=60)
            summary = json.loads(get(port, "/api/v2/summary.json"))
            assert [i["name"] for i in summary["incidents"]] == ["Major outage: api"]
        finally:
            assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
        assert [u["body"] for u in reversed(there.updates)] == ["Errors.", "We found the cause."]
        posts = [c for c in statuspage.calls if c.method == "POST" and c.status == 201]
        patches = [c for c in statuspage.calls if c.method == "PATCH" and c.status == 200]
        assert (len(posts), len(patches), len(statuspage.incidents)) == (1, 1, 1)
        assert KEY not in bot.log and "Traceback" not in bot.log
