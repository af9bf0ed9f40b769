"""The small Slack workspace most tests use: tokens, people, a user group, #general and #ops."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_emulator import SlackEmulator
from slack_emulator.workspace import DEFAULT_BOT_SCOPES

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"

# The people and groups most tests use.
ADMIN = "U0ADMIN"
ALICE = "U0ALICE"
BOB = "U0BOB"
CAROL = "U0CAROL"
SRE_GROUP = "S0SRE"
# What the app manifest grants: the emulator's defaults plus `commands` for /incident and `users:read.email` for the
# HTTP API's invitations by email.
APP_SCOPES = (*DEFAULT_BOT_SCOPES, "commands", "users:read.email")


def seed_workspace(emu: SlackEmulator) -> None:
    emu.add_user(ADMIN, "admin", real_name="Ada Admin")
    emu.add_user(ALICE, "alice", real_name="Alice Liddell", email="alice@example.com")
    emu.add_user(BOB, "bob", real_name="Bob Builder")
    emu.add_user(CAROL, "carol", real_name="Carol Danvers")
    emu.add_usergroup(SRE_GROUP, "sre", [BOB, CAROL], name="SRE on call")
    emu.add_channel("general", members=[ADMIN, ALICE, BOB, CAROL, emu.bot_user_id], is_general=True)
    emu.add_channel("ops", members=[ADMIN, ALICE, emu.bot_user_id])


@contextmanager
def running_workspace() -> Iterator[SlackEmulator]:
    """A started emulator holding this workspace, stopped afterwards."""
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN, scopes=APP_SCOPES).start()
    seed_workspace(emu)
    try:
        yield emu
    finally:
        emu.stop()
