"""Interactions against the Slack emulator, without a Socket Mode connection.

The emulator makes the payloads (slash commands, clicks, submissions) exactly as Slack would; with no app
connected they are only stored, and the test hands each one to the interactivity front end itself and reads the ack
payload it returns. Everything it then does goes through the emulator's Web API, response_url and views.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from app_support import build_app, stop_app
from manual_time import coalesce_on_manual_time
from reliability.service_support import ManualClock

from redalert_core.application.app import RedAlertApp
from redalert_core.domain.settings import DEFAULT_CONFIG, Settings, validate
from redalert_core.frontends.interactivity import Interactivity
from redalert_core.services.incidents import IncidentService
from redalert_core.services.response import ResponseService
from slack_emulator import SlackEmulator

DAVE = "U0DAVE"
ERIN = "U0ERIN"


@dataclass
class Stack:
    emu: SlackEmulator
    app: RedAlertApp
    interactions: Interactivity
    clock: ManualClock
    config: dict

    @property
    def incidents(self) -> IncidentService:
        return self.app.incidents

    @property
    def response(self) -> ResponseService:
        return self.app.response

    @property
    def settings(self) -> Settings:
        return validate(self.config, dict(DEFAULT_CONFIG))

    def payload(self, envelope_id: str) -> dict:
        return self.emu.envelope(envelope_id)["payload"]

    def handle(self, envelope_id: str) -> dict | None:
        """Give the envelope to the service as the backend would; the ack payload it answers with."""
        envelope = self.emu.envelope(envelope_id)
        assert envelope["type"] == "interactive", envelope["type"]
        return self.interactions.interactive(envelope["payload"])

    def slash(self, user: str, channel: str, text: str = "") -> tuple[str, dict | None]:
        envelope_id = self.emu.send_slash_command(user, channel, "/incident", text)
        payload = self.payload(envelope_id)
        ack = self.interactions.show_open_form(
            trigger_id=payload["trigger_id"],
            user=user,
            channel=payload["channel_id"],
            response_url=payload["response_url"],
        )
        return envelope_id, ack

    def done(self) -> None:
        """Wait for the work done after the acks (deterministic: the service's own pool drains)."""
        assert self.interactions.drain(30)
        assert self.incidents.drain(30)

    def private_answers(self, user: str) -> list[str]:
        """Everything shown to `user` alone: ephemeral messages, whether from response_url or postEphemeral."""
        return [m["text"] for m in self.emu.ephemerals_for(user)]


@pytest.fixture
def stack(emulator, tmp_path, workflows_file) -> Iterator[Stack]:
    emulator.add_user(DAVE, "dave", real_name="Dave")
    emulator.add_user(ERIN, "erin", real_name="Erin")
    config: dict = {}  # the dict the test changes (Stack.config)
    clock = ManualClock()
    holder: dict = {}
    app = build_app(emulator, tmp_path, config=config, clock=clock, workflows_file=workflows_file)
    interactions = Interactivity(app)
    holder["stack"] = Stack(emulator, app, interactions, clock, config)
    holder["stack"].summary_time = coalesce_on_manual_time(app.response)  # the pinned summary's coalescing
    yield holder["stack"]
    interactions.shutdown()
    stop_app(app)
