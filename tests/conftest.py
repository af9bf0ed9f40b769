"""Shared fixtures: the local Slack emulator with a small workspace, and Errbot's test backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_workspace import running_workspace
from workflow_files import module_file

from slack_emulator import SlackEmulator

# browser: the `browser_page` fixture (headless Debian Chromium through Playwright) for real-browser tests.
pytest_plugins = ["errbot.backends.test", "browser"]


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with running_workspace() as emu:
        yield emu


@pytest.fixture
def workflows_file(request, tmp_path) -> str | None:
    """REDALERT_WORKFLOWS_FILE's path for a test module that sets `WORKFLOWS` (tests/workflow_files.py); else None."""
    return module_file(request, tmp_path)
