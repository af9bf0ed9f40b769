"""A modal that changes while it is open: a person picks a value in a dispatching input (block_actions with the
view, its state and hash), the app answers with views.update as Slack documents it (ref_views.update.json in
tests/slack_api_ref): by view_id or external_id, `hash_conflict` for a stale hash, a new hash in the reply, what the
person entered kept in inputs whose block_id and action_id stay."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator

from .conftest import load_ref
from .socket_app import SocketApp, connected_app
from .test_views import api_error, input_block, option, plain, trigger_from_command

KINDS = [option("Outage", "outage"), option("Security", "security")]


@pytest.fixture
def channel(emulator: SlackEmulator) -> str:
    emulator.add_user("U0ALICE", "alice")
    emulator.add_user("U0BOB", "bob")
    return emulator.add_channel("incidents", members=["U0ALICE", "U0BOT"], channel_id="C0INC")


def form(kind: str, *extra: dict[str, Any]) -> dict[str, Any]:
    chooser = input_block(
        "type", {"type": "static_select", "action_id": "type", "options": KINDS, "initial_option": KINDS[0]}
    )
    chooser["dispatch_action"] = True
    return {
        "type": "modal",
        "callback_id": "incident_open",
        "title": plain(f"Open: {kind}"),
        "submit": plain("Open"),
        "blocks": [
            chooser,
            input_block("description", {"type": "plain_text_input", "action_id": "description"}),
            *extra,
        ],
    }


def team(action_id: str = "team") -> dict[str, Any]:
    return input_block(
        "team", {"type": "static_select", "action_id": action_id, "options": [option("Pay", "pay"), option("ID", "id")]}
    )


def test_a_pick_in_a_dispatching_input_sends_block_actions_with_the_view_its_state_and_hash(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    view = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=form("outage"))["view"]
    assert emulator.enter_in_view("U0ALICE", view["id"], "description", "Logins fail") is None  # no dispatch_action
    envelope_id = emulator.enter_in_view("U0ALICE", view["id"], "type", "security")
    assert envelope_id is not None
    payload = emulator.envelope(envelope_id)["payload"]
    assert payload["type"] == "block_actions" and payload["container"] == {"type": "view", "view_id": view["id"]}
    assert "response_url" not in payload and payload["trigger_id"]
    [action] = payload["actions"]
    assert action["type"] == "static_select" and (action["block_id"], action["action_id"]) == ("type", "type")
    assert action["selected_option"] == KINDS[1] and action["action_ts"]
    shown = payload["view"]
    assert shown["id"] == view["id"] and shown["hash"] == view["hash"]
    assert shown["state"]["values"] == {
        "type": {"type": {"type": "static_select", "selected_option": KINDS[1]}},
        "description": {"description": {"type": "plain_text_input", "value": "Logins fail"}},
    }
    with pytest.raises(KeyError):
        emulator.enter_in_view("U0ALICE", view["id"], "type", "nope")  # not an option
    with pytest.raises(KeyError):
        emulator.enter_in_view("U0BOB", view["id"], "type", "outage")  # not bob's modal


def test_update_keeps_what_was_entered_where_block_and_action_ids_stay(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    view = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=form("outage", team()))["view"]
    emulator.enter_in_view("U0ALICE", view["id"], "description", "Logins fail")
    emulator.enter_in_view("U0ALICE", view["id"], "team", "id")
    emulator.enter_in_view("U0ALICE", view["id"], "type", "security")
    # the team select gets another action_id (Slack starts it afresh), a number input is new
    number = input_block("users", {"type": "number_input", "action_id": "users", "is_decimal_allowed": False})
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=form("security", team("team2"), number))
    new = updated["view"]
    assert updated["ok"] and new["id"] == view["id"] and new["hash"] != view["hash"]
    assert new["title"]["text"] == "Open: security"
    app = SocketApp(lambda req: None)
    with connected_app(emulator, app):
        emulator.wait_for_ack(emulator.submit_view("U0ALICE", view["id"], {"users": "12"}))
    values = [r.payload for r in app.requests if r.payload.get("type") == "view_submission"][-1]["view"]["state"]
    assert values["values"] == {
        "type": {"type": {"type": "static_select", "selected_option": KINDS[1]}},
        "description": {"description": {"type": "plain_text_input", "value": "Logins fail"}},
        "team": {"team2": {"type": "static_select", "selected_option": None}},
        "users": {"users": {"type": "number_input", "value": "12"}},
    }


def test_a_stale_hash_is_a_conflict_and_external_ids_name_views(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    spec = {**form("outage"), "external_id": "open-1"}
    view = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=spec)["view"]
    first = client.views_update(view_id=view["id"], hash=view["hash"], view={**spec, "title": plain("A")})["view"]
    stale = api_error(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=spec))
    assert stale == {"ok": False, "error": "hash_conflict"}
    by_external = client.views_update(external_id="open-1", hash=first["hash"], view={**spec, "title": plain("B")})
    assert by_external["view"]["id"] == view["id"] and emulator.view(view["id"])["title"]["text"] == "B"
    assert set(load_ref("views.update")["errors"]) >= {"hash_conflict", "not_found"}
    emulator.close_view("U0ALICE", view["id"])
    gone = api_error(lambda: client.views_update(view_id=view["id"], view=spec))
    assert gone["error"] == "not_found"  # closed: nothing left to update


def test_block_kit_refuses_a_number_input_without_its_decimal_rule_and_a_foreign_initial_option(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    bad = form("outage", input_block("n", {"type": "number_input", "action_id": "n"}))
    body = api_error(lambda: client.views_open(trigger_id=trigger_from_command(emulator, channel), view=bad))
    assert body["error"] == "invalid_arguments"
    assert any("is_decimal_allowed" in m for m in body["response_metadata"]["messages"])
    foreign = copy.deepcopy(form("outage"))
    foreign["blocks"][0]["element"]["initial_option"] = option("Other", "other")
    body = api_error(lambda: client.views_open(trigger_id=trigger_from_command(emulator, channel), view=foreign))
    assert any("/view/blocks/0/element/initial_option" in m for m in body["response_metadata"]["messages"])
    dispatch = copy.deepcopy(form("outage"))
    dispatch["blocks"][0]["dispatch_action"] = "yes"
    body = api_error(lambda: client.views_open(trigger_id=trigger_from_command(emulator, channel), view=dispatch))
    assert any("/view/blocks/0/dispatch_action" in m for m in body["response_metadata"]["messages"])


def test_errors_naming_no_block_of_the_view_are_refused(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    view = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=form("outage"))["view"]
    replies = [{"response_action": "errors", "errors": {"fields.team": "Pick one."}}]
    app = SocketApp(lambda req: replies.pop(0) if req.payload.get("type") == "view_submission" else None)
    with connected_app(emulator, app):
        emulator.wait_for_ack(emulator.submit_view("U0ALICE", view["id"], {"description": "x"}))
    assert emulator.view_errors(view["id"]) == {"response_action": "no input block ['fields.team']"}
