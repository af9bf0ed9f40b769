"""Alert intake in the real `errbot -c config.py` process: Alertmanager posts its webhook with a write token; the
incident opens with its channel and one message per alert, a repeat changes nothing, the resolution resolves it."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_process import BotProcess, serving_api
from chat import say
from plugin_support import eventually
from slack_workspace import ADMIN

from slack_emulator import SlackEmulator

pytestmark = pytest.mark.e2e
TOKEN = re.compile(r"ra_[A-Za-z0-9_-]{43}")
PAYLOADS = Path(__file__).resolve().parent.parent / "alert_payloads"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory) -> Iterator[BotProcess]:
    with serving_api(slack.api_url, tmp_path_factory.mktemp("data")) as process:
        yield process


def call(url: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict, dict]:
    """POST `body` as JSON; (status, headers, JSON answer), waiting while the server thread binds its port."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def alert_posts(slack: SlackEmulator, channel_id: str) -> list[str]:
    return [m["text"] for m in slack.messages(channel_id) if "Firing:" in m["text"]]


def test_alertmanager_opens_posts_repeats_and_resolves(bot, slack):
    reply = say(slack, ADMIN, slack.open_dm(ADMIN), "!incident token create alertmanager write")
    token = TOKEN.search(reply).group(0)
    url = f"{bot.api_url}/alerts/alertmanager"

    status, _, body = call(url, token, payload("alertmanager_firing"))
    assert status == 200 and body["opened"] and body["new_alerts"] == 2
    channels = lambda: [c for c in slack.channels() if c.name.startswith("sev3-")]  # noqa: E731
    eventually(lambda: len(channels()) == 1 and len(alert_posts(slack, channels()[0].id)) == 2, timeout=30)
    channel = channels()[0]
    assert all("<http://prometheus.example:9090/graph" in post for post in alert_posts(slack, channel.id))

    status, _, body = call(url, token, payload("alertmanager_firing"))  # Alertmanager's repeat_interval
    assert status == 200 and (body["opened"], body["repeats"], body["incident"]) == (False, 2, 1)

    status, _, body = call(url, token, payload("alertmanager_resolved"))
    assert status == 200 and body["status"] == "resolved"
    eventually(lambda: any("Every alert of incident 1" in m["text"] for m in slack.messages(channel.id)), timeout=30)
    assert len(alert_posts(slack, channel.id)) == 2  # the repeat posted nothing
    assert len([c for c in slack.channels() if c.name.startswith("sev3-")]) == 1

    status, _, body = call(url, token, {"groupKey": "x", "alerts": []})
    assert status == 422 and {"status", "alerts"} <= set(body["fields"])
