"""Outside-system tests: the services wired to the Slack emulator and the outside emulators, on a manual clock."""

from __future__ import annotations

import pytest
from jira_support import jira_for_bot
from outbox_support import HOOK_SECRET_ENV

from outside_emulators import WebhookReceiver


@pytest.fixture
def hooks(monkeypatch):
    """A Standard Webhooks receiver whose secret the bot reads from HOOK_SECRET_ENV."""
    with WebhookReceiver() as receiver:
        monkeypatch.setenv(HOOK_SECRET_ENV, receiver.secret)
        yield receiver


@pytest.fixture
def jira(monkeypatch):
    """The Jira emulator with the bot's environment pointed at it (jira_support.py)."""
    with jira_for_bot(monkeypatch) as emulator:
        yield emulator
