"""End-to-end fixtures: one emulator and one real bot process per module (starting errbot costs about a second).

Tests that stop and start the bot themselves use the function-scoped `emulator` fixture instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bot_process import BotProcess
from slack_workspace import running_workspace

from slack_emulator import SlackEmulator


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with running_workspace() as emu:
        yield emu


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory) -> Iterator[BotProcess]:
    process = BotProcess(slack.api_url, tmp_path_factory.mktemp("data")).start()
    try:
        yield process
    finally:
        process.stop()
