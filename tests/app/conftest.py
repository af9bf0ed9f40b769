"""Use cases driven through the application object alone: no Errbot, no interactivity front end.

The application is built by bootstrap.build, as the plugin builds it, on the Slack emulator and an SQLite file, with
one manual clock. A test calls one use case with a Requester and checks what it returned and what it changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reliability.service_support import ManualClock
from slack_workspace import ADMIN, BOT_TOKEN

from redalert_core.application.app import RedAlertApp
from redalert_core.application.bootstrap import AppConfig, build
from redalert_core.domain.settings import DEFAULT_CONFIG, validate
from redalert_core.slack.gateway import build_client


@pytest.fixture
def config() -> dict[str, Any]:
    """The plugin configuration the application reads on every use; a test may change it."""
    return {}


@pytest.fixture
def app(emulator, tmp_path, config, workflows_file) -> Iterator[RedAlertApp]:
    client = build_client(BOT_TOKEN, emulator.api_url)
    built = build(
        AppConfig(
            database_url=f"sqlite:///{tmp_path / 'redalert.sqlite3'}",
            slack_client=lambda: client,
            settings=lambda: validate({**DEFAULT_CONFIG, **config}, dict(DEFAULT_CONFIG)),
            is_admin=lambda user: user == ADMIN,
            rate_scale=100.0,
            clock=ManualClock(),
            workflows_file=workflows_file,
        )
    )
    yield built
    built.drain()
    built.incidents.shutdown()
    built.store.dispose()
