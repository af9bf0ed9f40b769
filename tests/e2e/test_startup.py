"""What a person sees when the setup is wrong: one clear line, no traceback, no token in the output."""

from __future__ import annotations

import subprocess

import pytest
from bot_process import ERRBOT, ROOT, BotProcess
from slack_workspace import APP_TOKEN, BOT_TOKEN

pytestmark = pytest.mark.e2e


def start_with(env_changes: dict[str, str | None], tmp_path) -> subprocess.CompletedProcess:
    env = BotProcess("http://127.0.0.1:9/api/", tmp_path).env
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [str(ERRBOT), "-c", "config.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SLACK_BOT_TOKEN": None}, "set SLACK_BOT_TOKEN to the Slack app's Bot User OAuth Token (xoxb-…)"),
        ({"SLACK_BOT_TOKEN": "xoxp-123-456"}, "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
        ({"SLACK_APP_TOKEN": ""}, "set SLACK_APP_TOKEN to an app-level token (xapp-…)"),
        ({"SLACK_APP_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN must be an app-level token starting with xapp-"),
        ({"REDALERT_ADMINS": "alice"}, "REDALERT_ADMINS must list Slack user IDs"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL must be an http(s) URL"),
        ({"REDALERT_METRICS_PORT": "metrics"}, "REDALERT_METRICS_PORT must be a TCP port number (1-65535)"),
        ({"REDALERT_METRICS_PORT": "70000"}, "REDALERT_METRICS_PORT must be a TCP port number (1-65535)"),
        ({"REDALERT_LOG_FORMAT": "yaml"}, "REDALERT_LOG_FORMAT must be text or json, not 'yaml'"),
        (
            {"REDALERT_WEB_PORT": "3141", "REDALERT_WEB_SECRET": "replace-with-a-random-string"},
            "REDALERT_WEB_SECRET still hold(s) a placeholder from the project's examples",
        ),
        ({"REDALERT_ADMINS": "U012AB3CD"}, "REDALERT_ADMINS still hold(s) a placeholder"),
        (
            {"CONFLUENCE_URL": "http://169.254.169.254/wiki"},
            "CONFLUENCE_URL points to a loopback, link-local or private address (169.254.169.254)",
        ),
        ({"ALLOW_PRIVATE_URLS": "maybe"}, "ALLOW_PRIVATE_URLS must be 1/true/yes/on or 0/false/no/off"),
    ],
)
def test_bad_settings_stop_the_start_with_one_clear_line(change, expected, tmp_path):
    result = start_with(change, tmp_path)
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    assert expected in output.splitlines()[-1]
    assert BOT_TOKEN not in output and APP_TOKEN not in output


def test_missing_scopes_are_logged_one_line_each(emulator, tmp_path):
    emulator.scopes = tuple(s for s in emulator.scopes if s not in ("pins:write", "usergroups:read"))
    bot = BotProcess(emulator.api_url, tmp_path / "data", REDALERT_LOG_LEVEL="DEBUG").start()
    try:
        bot.wait_for_log("lacks the bot scope pins:write")
        bot.wait_for_log("lacks the bot scope usergroups:read")
    finally:
        assert bot.stop() == 0
    # Even at DEBUG level the tokens never reach the logs.
    assert BOT_TOKEN not in bot.log and APP_TOKEN not in bot.log
