"""An IncidentService wired to the Slack emulator and an SQLite file, with a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from slack_workspace import BOT_TOKEN

from redalert_core.application.clock import Clock
from redalert_core.domain.settings import DEFAULT_CONFIG, validate
from redalert_core.services.incidents import IncidentService
from redalert_core.slack.gateway import SlackGateway, build_client
from redalert_core.slack.rate_pacing import RatePacer
from redalert_core.store import Store
from slack_emulator import SlackEmulator

INCIDENT_PURPOSE = "RedAlert incident "


class ManualClock(Clock):
    """The application's clock stopped at a fixed moment; only `advance` moves it, so time windows are exact."""

    def __init__(self) -> None:
        super().__init__(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))

    @property
    def now(self) -> datetime:
        return self()


def make_service(
    emulator: SlackEmulator, data_dir: Path, *, scale: float = 100.0, clock=None, workers: int = 8
) -> IncidentService:
    """A fresh service on the same database file each call (a "restart" is a second call)."""
    store = Store(f"sqlite:///{data_dir / 'redalert.sqlite3'}")
    store.migrate()
    client = build_client(BOT_TOKEN, emulator.api_url)
    settings = validate(dict(DEFAULT_CONFIG), dict(DEFAULT_CONFIG))
    gateway = SlackGateway(lambda: client, RatePacer(scale))
    gateway.transient_pauses = (0.01, 0.01, 0.01)  # the attempts still happen; the test need not wait seconds
    return IncidentService(store, gateway, lambda: settings, clock=clock or ManualClock(), workers=workers)


def incident_channels(emulator: SlackEmulator) -> list:
    """Every channel the bot created for an incident: our purpose, or any channel the bot made but did not seed."""
    bot = emulator.bot_user_id
    return [
        c
        for c in emulator.channels()
        if c.purpose.startswith(INCIDENT_PURPOSE) or (c.creator == bot and c.name.startswith("sev"))
    ]


def assert_no_orphans_or_duplicates(emulator: SlackEmulator, service: IncidentService) -> None:
    """Every incident channel in Slack belongs to exactly one stored incident, and no incident has two."""
    stored, _ = service.store.incidents.list(include_closed=True, limit=100_000)
    by_channel = {i.channel_id: i.number for i in stored if i.channel_id}
    channels = incident_channels(emulator)
    orphans = [c.name for c in channels if c.id not in by_channel]
    assert not orphans, f"channels no incident owns: {orphans}"
    assert len(by_channel) == len({i.number for i in stored if i.channel_id})
    for channel in channels:
        if channel.purpose.startswith(INCIDENT_PURPOSE):
            number = int(channel.purpose[len(INCIDENT_PURPOSE) :].split()[0])
            assert by_channel[channel.id] == number, f"{channel.name} says incident {number}"
