"""Stopping and starting the real process: configuration and incidents survive, SIGTERM is always clean."""

from __future__ import annotations

import signal

import pytest
from bot_process import BotProcess
from chat import channel_id, say
from pg import postgres_url_or_skip, throwaway_schema
from slack_workspace import ADMIN, ALICE

pytestmark = pytest.mark.e2e

STAR_TREK = "{'SEVERITY_LEVELS': [{'label': 'Red alert', 'value': 'redalert'}], 'LIST_LIMIT': 5}"


def lifecycle_across_restarts(slack, bot: BotProcess, restarts: int) -> None:
    ops = channel_id(slack, "ops")
    dm = slack.open_dm(ADMIN)
    bot.start()
    assert say(slack, ADMIN, dm, f"!plugin config RedAlert {STAR_TREK}") == "Plugin configuration done."
    for round_ in range(1, restarts + 1):
        assert "is open in" in say(slack, ALICE, ops, f"!incident open redalert Round {round_}")
        assert bot.stop(signal.SIGTERM) == 0, bot.log[-3000:]
        bot.start()
        listing = say(slack, ALICE, ops, "!incident list")
        assert listing.startswith(f"{round_} open incident"), listing
        assert f"Round {round_}" in listing
        assert "is not a severity. Use one of: redalert." in say(slack, ALICE, ops, "!incident open sev1 x")
    assert bot.stop(signal.SIGTERM) == 0
    assert "Traceback" not in bot.log


def test_sigterm_restarts_keep_config_and_incidents_on_sqlite(emulator, tmp_path):
    lifecycle_across_restarts(emulator, BotProcess(emulator.api_url, tmp_path / "data"), restarts=3)
    assert (tmp_path / "data" / "redalert.sqlite3").exists()
    assert not list((tmp_path / "data").glob("*.db*")), "errbot's Shelf files must not be used"


@pytest.mark.postgres
def test_config_lives_in_postgresql_without_a_data_volume(emulator, tmp_path):
    slack = emulator
    url = postgres_url_or_skip()
    with throwaway_schema(url) as schema:
        database_url = f"{url}?options=-csearch_path%3D{schema}"
        # A fresh data dir on every start: what a container without a volume sees.
        bot = BotProcess(emulator.api_url, tmp_path / "first", database_url=database_url)
        bot.start()
        dm = slack.open_dm(ADMIN)
        assert say(slack, ADMIN, dm, f"!plugin config RedAlert {STAR_TREK}") == "Plugin configuration done."
        assert "is open in" in say(slack, ALICE, channel_id(slack, "ops"), "!incident open redalert Stored in PG")
        assert bot.stop() == 0
        bot = BotProcess(emulator.api_url, tmp_path / "second", database_url=database_url).start()
        try:
            listing = say(slack, ALICE, channel_id(slack, "ops"), "!incident list")
            assert "Stored in PG" in listing
            assert "Use one of: redalert." in say(slack, ALICE, channel_id(slack, "ops"), "!incident open sev1 x")
        finally:
            assert bot.stop() == 0
