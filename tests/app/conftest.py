"""Use cases driven through the application object alone: no Errbot, no interactivity front end.

The application is built by bootstrap.build, as the plugin builds it, on the Slack emulator and an SQLite file, with
one manual clock. A test calls one use case with a Requester and checks what it returned and what it changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_support import build_app, stop_app

from redalert_core.application.app import RedAlertApp


@pytest.fixture
def config() -> dict[str, Any]:
    """The plugin configuration the application reads on every use; a test may change it."""
    return {}


@pytest.fixture
def app(emulator, tmp_path, config, workflows_file) -> Iterator[RedAlertApp]:
    built = build_app(emulator, tmp_path, config=config, workflows_file=workflows_file)
    yield built
    stop_app(built)
