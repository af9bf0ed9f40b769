"""Every success the emulator gives, for every method the bot calls, carries what Slack's published schema requires.

The schema is Slack's OpenAPI description (tests/specs/, MIT). Methods newer than that description (bookmarks.*,
files.*External, apps.connections.open) are held to the vendored method reference's success example instead
(tests/slack_api_ref/, MIT): every key it shows, at every depth.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from slack_emulator import DEFAULT_BOT_SCOPES, SlackEmulator

from .conftest import APP_TOKEN, BOT_TOKEN, load_ref
from .openapi_schemas import has_method, schema_errors
from .test_response_shapes import CALLS, EXTRA_SCOPES, Call
from .test_views import trigger_from_command

# Identifiers shaped as the description's patterns ask (T/B + 8 or more); the defaults are shorter for readability.
IDS = {"team_id": "T0TEAM001", "bot_id": "B0BOT0001", "bot_user_id": "U0BOTUSER"}


BOT_ONLY_CALLS: dict[str, Call] = {
    "bots.info": lambda c, i: c.bots_info(bot=IDS["bot_id"]),
}
ALL_CALLS = {**CALLS, **BOT_ONLY_CALLS}


@pytest.fixture
def world() -> Iterator[tuple[SlackEmulator, WebClient, dict[str, Any]]]:
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN, scopes=DEFAULT_BOT_SCOPES + EXTRA_SCOPES, **IDS)
    emu.start()
    emu.add_user("U0ALICE", "alice", "Alice A")
    emu.add_user("U0BOB", "bob", "Bob B")
    emu.add_usergroup("S0ONCALL", "oncall", ["U0ALICE", "U0BOB"])
    client = WebClient(base_url=emu.api_url, token=BOT_TOKEN)
    cid = client.conversations_create(name="inc-conform")["channel"]["id"]
    ts = client.chat_postMessage(channel=cid, text="summary")["ts"]
    ids = {
        "channel": cid,
        "ts": ts,
        "public": emu.add_channel("public-x", members=["U0ALICE"]),
        "trigger": lambda: trigger_from_command(emu, cid),
    }
    try:
        yield emu, client, ids
    finally:
        emu.stop()


def missing_keys(example: Any, actual: Any, path: str = "") -> list[str]:
    """Keys the reference example shows that `actual` lacks, descending into objects and first list elements."""
    if isinstance(example, dict) and isinstance(actual, dict):
        gaps = [f"{path}/{key}" for key in example if key not in actual]
        return gaps + [g for key in example if key in actual for g in missing_keys(example[key], actual[key], key)]
    if isinstance(example, list) and isinstance(actual, list) and example and actual:
        return missing_keys(example[0], actual[0], f"{path}/0")
    return []


def test_every_method_without_a_published_schema_has_a_reference() -> None:
    unchecked = [m for m in ALL_CALLS if not has_method(m) and load_ref(m) is None]
    assert not unchecked


@pytest.mark.parametrize("method", sorted(ALL_CALLS))
def test_success_carries_every_required_field(method: str, world: Any) -> None:
    emu, client, ids = world
    ALL_CALLS[method](client, ids)
    body = [call for call in emu.calls_to(method) if call.response.get("ok")][-1].response
    if has_method(method):
        assert schema_errors(method, body) == [], f"{method} breaks Slack's published schema"
    else:
        example = load_ref(method)["examples"]["success"]["example"]
        assert missing_keys(example, body) == [], f"{method} lacks what Slack's reference example shows"


def test_a_profile_missing_a_required_field_is_caught() -> None:
    """The check itself bites: the profile Slack's schema requires, less one field, is named as missing."""
    user = {"id": "U0ALICE", "name": "alice", "profile": {"real_name": "A", "display_name": "a"}}
    errors = schema_errors("users.info", {"ok": True, "user": user})
    assert "user/profile: 'avatar_hash' is a required property" in errors
