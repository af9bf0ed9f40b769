"""The Jira emulator with the bot's environment pointed at it, for tests/integrations and tests/app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from outside_emulators import JiraEmulator

JIRA_EMAIL, JIRA_TOKEN, JIRA_SECRET = "redalert@example.com", "jira-api-token-123", "jira-webhook-secret-456"


@contextmanager
def jira_for_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[JiraEmulator]:
    with JiraEmulator(email=JIRA_EMAIL, api_token=JIRA_TOKEN, projects=("OPS", "SEC")) as jira:
        monkeypatch.setenv("JIRA_URL", jira.url)
        monkeypatch.setenv("JIRA_EMAIL", JIRA_EMAIL)
        monkeypatch.setenv("JIRA_API_TOKEN", JIRA_TOKEN)
        monkeypatch.setenv("JIRA_WEBHOOK_SECRET", JIRA_SECRET)
        jira.alice = jira.add_user("Alice Jira", "alice@example.com")
        jira.bob = jira.add_user("Bob Jira", "bob-in-jira@example.com")
        yield jira
