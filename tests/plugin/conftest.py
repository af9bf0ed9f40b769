"""Every plugin test talks to a fresh Slack emulator through SLACK_BOT_TOKEN / SLACK_API_URL."""

import pytest
from slack_workspace import BOT_TOKEN


@pytest.fixture(autouse=True)
def slack(emulator, monkeypatch):
    # Set before the testbot fixture activates the plugin, which builds its Slack client from these.
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.delenv("REDALERT_DATABASE_URL", raising=False)
    return emulator


@pytest.fixture(autouse=True)
def workflows_in_environment(workflows_file, monkeypatch) -> None:
    # The test bot loads REDALERT_WORKFLOWS_FILE when the plugin activates: named before the testbot fixture runs.
    if workflows_file is not None:
        monkeypatch.setenv("REDALERT_WORKFLOWS_FILE", workflows_file)
