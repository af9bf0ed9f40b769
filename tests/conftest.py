"""Shared fixtures: the local Slack emulator with a small workspace, and Errbot's test backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_workspace import APP_TOKEN, BOT_TOKEN, seed_workspace

from slack_emulator import SlackEmulator

pytest_plugins = ["errbot.backends.test"]


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    seed_workspace(emu)
    try:
        yield emu
    finally:
        emu.stop()
