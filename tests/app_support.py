"""The application as the plugin builds it (bootstrap.build), on the Slack emulator and an SQLite file, with a manual
clock: the fixtures of tests/app, tests/api and tests/interactivity, and tests that restart it, build it here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reliability.service_support import ManualClock
from slack_workspace import ADMIN, BOT_TOKEN

from redalert_core.application.app import RedAlertApp
from redalert_core.application.bootstrap import AppConfig, build
from redalert_core.domain.settings import DEFAULT_CONFIG, validate
from redalert_core.slack.gateway import build_client
from slack_emulator import SlackEmulator


def build_app(
    emulator: SlackEmulator,
    data_dir: Path,
    *,
    config: dict[str, Any] | None = None,
    clock: ManualClock | None = None,
    workflows_file: str | None = None,
) -> RedAlertApp:
    """On the database in `data_dir` (a second call is a restart); `config` is read on every use, so a test may
    change it."""
    config = {} if config is None else config
    client = build_client(BOT_TOKEN, emulator.api_url)
    return build(
        AppConfig(
            database_url=f"sqlite:///{data_dir / 'redalert.sqlite3'}",
            slack_client=lambda: client,
            settings=lambda: validate({**DEFAULT_CONFIG, **config}, dict(DEFAULT_CONFIG)),
            is_admin=lambda user: user == ADMIN,
            rate_scale=100.0,
            clock=clock or ManualClock(),
            workflows_file=workflows_file,
        )
    )


def stop_app(app: RedAlertApp) -> None:
    """Wait for its background work, then close its pools and database."""
    app.drain()
    app.incidents.shutdown()
    app.store.dispose()
