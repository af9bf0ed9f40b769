"""The HTTP API in the real `errbot -c config.py` process: served on REDALERT_WEB_PORT (no web report secret needed),
a token made in a DM, and a property-based run of schemathesis against the running bot (no 5xx, no undocumented
status, every answer as the document says)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_process import BotProcess, serving_api
from chat import say
from slack_workspace import ADMIN, ALICE

pytestmark = pytest.mark.e2e
TOKEN = re.compile(r"ra_[A-Za-z0-9_-]{43}")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def api_bot(slack, tmp_path_factory) -> Iterator[BotProcess]:
    # Every library's debug lines too: a token must not be in any.
    with serving_api(slack.api_url, tmp_path_factory.mktemp("data"), REDALERT_LOG_LEVEL="DEBUG") as process:
        yield process


@pytest.fixture(scope="module")
def token(api_bot, slack) -> str:
    dm = slack.open_dm(ADMIN)
    reply = say(slack, ADMIN, dm, "!incident token create fuzz write private")
    found = TOKEN.search(reply)
    assert found, reply
    return found.group(0)


def call(url: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read())
        except urllib.error.URLError:  # the server thread is still binding its port
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_token_commands_refuse_outside_a_dm_and_non_admins(api_bot, slack):
    ops = slack.channel_by_name("ops").id
    assert "direct message" in say(slack, ADMIN, ops, "!incident token create leak write")
    assert say(slack, ALICE, slack.open_dm(ALICE), "!incident token list") == "Only admins may manage API tokens."


def test_open_through_the_api_makes_the_channel_and_names_the_token(api_bot, slack, token):
    status, headers, body = call(f"{api_bot.api_url}/incidents", token, {"severity": "sev2", "description": "CI red"})
    assert status == 201 and body["channel"]["id"] and headers["Location"].endswith(f"/incidents/{body['number']}")
    assert call(f"{api_bot.api_url}/incidents", None)[0] == 401
    shown = call(f"{api_bot.api_url}/incidents/{body['number']}", token)[2]
    assert "Opened through the API by token 'fuzz' as sev2: CI red" in [e["text"] for e in shown["timeline"]]
    dm = slack.open_dm(ADMIN)
    listed = say(slack, ADMIN, dm, "!incident token list")
    assert "fuzz" in listed and "last used" in listed and token not in listed


def test_schemathesis_finds_no_server_error_no_undocumented_status_and_no_bad_answer(api_bot, token, tmp_path):
    checks = ",".join(
        (
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_schema_conformance",
            "response_headers_conformance",
            "negative_data_rejection",
        )
    )
    run = schemathesis(
        api_bot,
        token,
        tmp_path,
        checks,
        "--max-examples",
        "25",
        "--seed",
        "20",
        "--exclude-path-regex",
        "^/alerts/",  # alert intake: its routes come with RedAlertApp.receive_alerts (branch alerts)
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert token not in api_bot.log


def schemathesis(
    bot: BotProcess, token: str, cwd: Path, checks: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """schemathesis against the document the bot serves, authorised by `token`; `options` narrow the run."""
    command = [str(SCHEMATHESIS), "run", f"{bot.api_url}/openapi.json", "--url", bot.api_url]
    command += ["-H", f"Authorization: Bearer {token}", "--checks", checks, *options, "--request-timeout", "10"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=cwd)
