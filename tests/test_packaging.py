"""The Dockerfile passes hadolint and ships every runtime folder; the Slack app manifest grants what the bot needs."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from redalert_core.services.doctor import REQUIRED_SCOPES

ROOT = Path(__file__).resolve().parents[1]
HADOLINT = Path(sys.executable).with_name("hadolint")


def test_dockerfile_passes_hadolint():
    result = subprocess.run([str(HADOLINT), str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_ships_every_runtime_folder_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    config = (ROOT / "config.py").read_text()
    for folder in set(re.findall(r'ROOT / "(\w+)"', config)) - {"data"}:
        assert re.search(rf"^COPY .*\b{folder}\b", dockerfile, re.MULTILINE), f"{folder}/ is not copied"
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim", dockerfile, re.MULTILINE), "pin the base image"
    assert re.search(r"^USER 10001:10001$", dockerfile, re.MULTILINE)
    assert 'CMD ["errbot", "-c", "config.py"]' in dockerfile


def test_manifest_grants_every_scope_the_bot_checks_for():
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert set(REQUIRED_SCOPES) <= scopes, set(REQUIRED_SCOPES) - scopes
    assert manifest["settings"]["socket_mode_enabled"] is True
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"message.channels", "message.groups", "message.im", "message.mpim"} <= events


def test_manifest_declares_the_slash_command_and_interactivity():
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yml").read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/incident" and command["should_escape"] is True
    assert "url" not in command  # Socket Mode: the command arrives over the WebSocket
    assert len(command["description"]) <= 100 and len(command.get("usage_hint", "")) <= 100
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert "commands" in manifest["oauth_config"]["scopes"]["bot"]
