"""Fixtures for the emulator's own tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator

BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
# Slack's method reference, vendored with its MIT licence (tests/slack_api_ref/README.md says where from).
REF_DIR = Path(__file__).resolve().parents[1] / "slack_api_ref"

# Generic codes any method may return (slack-platform.md §1) plus what the emulator itself adds.
GENERIC_ERRORS = {
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "no_permission",
    "missing_scope",
    "not_allowed_token_type",
    "invalid_arg_name",
    "invalid_form_data",
    "invalid_post_type",
    "invalid_json",
    "request_timeout",
    "fatal_error",
    "internal_error",
    "ratelimited",
    "missing_argument",
    "unknown_method",
}
# Methods without a reference file, or codes documented elsewhere (2020 OpenAPI spec, method pages).
EXTRA_ERRORS = {
    "bots.info": {"bot_not_found"},
    "users.setPresence": {"invalid_presence"},
    "reactions.remove": {"no_reaction", "message_not_found", "no_item_specified", "channel_not_found"},
    "conversations.invite": {"too_many_users"},
    # views.*: their reference files list the method's own codes; Block Kit's refusals of a view come as
    # invalid_arguments (slack-interactivity.md §4).
    **{name: {"invalid_arguments"} for name in ("views.open", "views.update", "views.push")},
}


def load_ref(method: str) -> dict[str, Any] | None:
    path = REF_DIR / f"ref_{method}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def allowed_errors(method: str) -> set[str]:
    ref = load_ref(method)
    codes = set(GENERIC_ERRORS) | EXTRA_ERRORS.get(method, set())
    if ref is not None:
        codes |= set(ref.get("errors", {}))
    return codes


def assert_error_vocabulary(calls: list[Any]) -> None:
    bad = []
    for call in calls:
        error = call.response.get("error")
        if call.method == "upload" or not error:
            continue
        allowed = allowed_errors(call.method)
        if error not in allowed:
            bad.append((call.method, error))
        for item in call.response.get("errors", []) if isinstance(call.response.get("errors"), list) else []:
            if item.get("error") not in allowed:
                bad.append((call.method, item.get("error")))
    assert not bad, f"error codes outside the documented vocabulary: {bad}"


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(bot_token=BOT_TOKEN, app_token=APP_TOKEN).start()
    try:
        yield emu
    finally:
        emu.stop()
    # Every test doubles as a vocabulary check over the codes it provoked.
    assert_error_vocabulary(emu.calls)


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
