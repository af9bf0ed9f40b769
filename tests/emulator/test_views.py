"""views.open / views.update / views.push: trigger ids, modal limits, stacks, and submissions with Slack's shapes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_emulator import SlackEmulator

from .socket_app import SocketApp, connected_app


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def input_block(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain(block_id), "element": element}


OPEN_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "incident_open",
    "private_metadata": '{"channel": "C0INC"}',
    "title": plain("Open an incident"),
    "submit": plain("Open"),
    "close": plain("Cancel"),
    "notify_on_close": True,
    "blocks": [
        input_block("title", {"type": "plain_text_input", "action_id": "title_input"}),
        input_block(
            "severity",
            {
                "type": "static_select",
                "action_id": "sev",
                "options": [option("SEV1", "sev1"), option("SEV2", "sev2")],
                "initial_option": option("SEV2", "sev2"),
            },
        ),
        input_block(
            "areas",
            {
                "type": "multi_static_select",
                "action_id": "areas",
                "options": [option("DB", "db"), option("API", "api")],
            },
        ),
        input_block("people", {"type": "multi_users_select", "action_id": "people"}),
        input_block("flags", {"type": "checkboxes", "action_id": "flags", "options": [option("Page on-call", "page")]}),
        input_block("notes", {"type": "plain_text_input", "action_id": "notes", "multiline": True}),
    ],
}


@pytest.fixture
def channel(emulator: SlackEmulator) -> str:
    emulator.add_user("U0ALICE", "alice")
    emulator.add_user("U0BOB", "bob")
    return emulator.add_channel("incidents", members=["U0ALICE", "U0BOT"], channel_id="C0INC")


def trigger_from_command(emulator: SlackEmulator, channel: str, user: str = "U0ALICE") -> str:
    envelope_id = emulator.send_slash_command(user, channel, "/incident")
    return str(emulator.envelope(envelope_id)["payload"]["trigger_id"])


def api_error(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as info:
        call()
    return dict(info.value.response.data)


def test_trigger_ids_expire_and_are_single_use(emulator: SlackEmulator, client: WebClient, channel: str) -> None:
    trigger = trigger_from_command(emulator, channel)
    opened = client.views_open(trigger_id=trigger, view=OPEN_MODAL)["view"]
    assert opened["id"].startswith("V") and opened["hash"] and opened["callback_id"] == "incident_open"
    assert opened["private_metadata"] == '{"channel": "C0INC"}' and opened["state"] == {"values": {}}
    assert opened["root_view_id"] == opened["id"] and opened["previous_view_id"] is None
    assert [b["block_id"] for b in opened["blocks"]] == [b["block_id"] for b in OPEN_MODAL["blocks"]]
    assert api_error(lambda: client.views_open(trigger_id=trigger, view=OPEN_MODAL))["error"] == "exchanged_trigger_id"
    assert api_error(lambda: client.views_open(trigger_id="1.2.nope", view=OPEN_MODAL))["error"] == "invalid_trigger_id"
    late = trigger_from_command(emulator, channel)
    emulator.advance_clock(3.1)
    assert api_error(lambda: client.views_open(trigger_id=late, view=OPEN_MODAL))["error"] == "expired_trigger_id"
    missing = api_error(lambda: client.api_call("views.open", json={"view": OPEN_MODAL}))
    assert missing["error"] == "invalid_arguments" and "trigger_id" in missing["response_metadata"]["messages"][0]
    assert [v["id"] for v in emulator.open_views("U0ALICE")] == [opened["id"]]
    assert emulator.open_views("U0BOB") == []


def _broken(**changes: Any) -> dict[str, Any]:
    view = copy.deepcopy(OPEN_MODAL)
    view.update(changes)
    return view


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (_broken(title=plain("x" * 25)), "/view/title/text"),
        (_broken(submit=plain("x" * 25)), "/view/submit/text"),
        (_broken(close=plain("x" * 25)), "/view/close/text"),
        (_broken(submit=None), "[json-pointer:/view]"),
        (_broken(blocks=[{"type": "divider"}] * 101), "/view/blocks"),
        (_broken(private_metadata="x" * 3001), "/view/private_metadata"),
        (_broken(callback_id="x" * 256), "/view/callback_id"),
        (_broken(blocks=[OPEN_MODAL["blocks"][0], OPEN_MODAL["blocks"][0]]), "/view/blocks/1/block_id"),
        (_broken(type="home"), "/view/type"),
        (_broken(title=None), "missing required field: title"),
    ],
)
def test_modal_limits(emulator: SlackEmulator, client: WebClient, channel: str, view: Any, pointer: str) -> None:
    trigger = trigger_from_command(emulator, channel)
    body = api_error(lambda: client.views_open(trigger_id=trigger, view=view))
    assert body["error"] == "invalid_arguments"
    assert any(pointer in m and m.startswith("[ERROR]") for m in body["response_metadata"]["messages"]), body
    # A refused view does not use up the trigger, and nothing was opened.
    assert emulator.open_views() == []
    assert client.views_open(trigger_id=trigger, view=OPEN_MODAL)["ok"]


def test_limits_at_the_boundary_pass(emulator: SlackEmulator, client: WebClient, channel: str) -> None:
    view = _broken(
        title=plain("x" * 24),
        submit=plain("y" * 24),
        close=plain("z" * 24),
        private_metadata="m" * 3000,
        callback_id="c" * 255,
        blocks=[{"type": "divider"}] * 100,
    )
    opened = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=view)["view"]
    assert len(opened["blocks"]) == 100 and len({b["block_id"] for b in opened["blocks"]}) == 100


def test_views_update_by_id_external_id_and_hash(emulator: SlackEmulator, client: WebClient, channel: str) -> None:
    opened = client.views_open(
        trigger_id=trigger_from_command(emulator, channel), view={**OPEN_MODAL, "external_id": "inc-open-1"}
    )["view"]
    step2 = {**OPEN_MODAL, "title": plain("Step 2"), "external_id": "inc-open-1"}
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=step2)["view"]
    assert updated["id"] == opened["id"] and updated["title"]["text"] == "Step 2"
    conflict = api_error(lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=step2))
    assert conflict["error"] == "hash_conflict"
    by_external = client.views_update(external_id="inc-open-1", view={**step2, "title": plain("Step 3")})["view"]
    assert by_external["id"] == opened["id"] and emulator.view(opened["id"])["title"]["text"] == "Step 3"
    assert api_error(lambda: client.views_update(view_id="V0NOPE", view=step2))["error"] == "not_found"
    assert api_error(lambda: client.api_call("views.update", json={"view": step2}))["error"] == "invalid_arguments"
    too_long = api_error(lambda: client.views_update(view_id=opened["id"], view=_broken(title=plain("t" * 30))))
    assert too_long["error"] == "invalid_arguments"
    dup = api_error(
        lambda: client.views_open(
            trigger_id=trigger_from_command(emulator, channel), view={**OPEN_MODAL, "external_id": "inc-open-1"}
        )
    )
    assert dup["error"] == "duplicate_external_id"


def test_submission_state_values_and_response_actions(emulator: SlackEmulator, client: WebClient, channel: str) -> None:
    replies: list[dict[str, Any] | None] = [
        {"response_action": "errors", "errors": {"title": "A title is required"}},
        {"response_action": "update", "view": {**OPEN_MODAL, "title": plain("Opening...")}},
        None,
    ]
    app = SocketApp(lambda req: replies.pop(0) if req.payload.get("type") == "view_submission" else None)
    view = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=OPEN_MODAL)["view"]
    with connected_app(emulator, app):
        first = emulator.submit_view("U0ALICE", view["id"], {"title": ""})
        assert emulator.wait_for_ack(first)["response_action"] == "errors"
        assert emulator.view_errors(view["id"]) == {"title": "A title is required"}
        values = {
            "title": "db down",
            "sev": "sev1",  # by action_id
            "areas": ["db", "api"],
            "people": ["U0ALICE", "U0BOB"],
            "flags": ["page"],
        }
        second = emulator.submit_view("U0ALICE", view["id"], values)
        assert emulator.wait_for_ack(second)["response_action"] == "update"
        assert emulator.view(view["id"])["title"]["text"] == "Opening..." and emulator.view_errors(view["id"]) == {}
        third = emulator.submit_view("U0ALICE", view["id"], values)
        assert emulator.wait_for_ack(third) == {}
    assert emulator.open_views() == []  # an empty ack closes the modal
    submissions = [r.payload for r in app.requests if r.payload.get("type") == "view_submission"]
    assert len(submissions) == 3 and app.requests[0].type == "slash_commands"  # the command queued before connect
    empty = submissions[0]["view"]["state"]["values"]
    assert empty["title"] == {"title_input": {"type": "plain_text_input", "value": None}}
    assert empty["severity"]["sev"]["selected_option"] == option("SEV2", "sev2")  # the initial option
    assert empty["people"] == {"people": {"type": "multi_users_select", "selected_users": []}}
    payload = submissions[1]
    assert payload["type"] == "view_submission" and payload["user"]["id"] == "U0ALICE"
    assert "channel" not in payload and payload["trigger_id"] and payload["response_urls"] == []
    assert payload["view"]["callback_id"] == "incident_open" and payload["view"]["private_metadata"]
    assert payload["view"]["id"] == view["id"] and payload["view"]["hash"]
    assert payload["view"]["state"]["values"] == {
        "title": {"title_input": {"type": "plain_text_input", "value": "db down"}},
        "severity": {"sev": {"type": "static_select", "selected_option": option("SEV1", "sev1")}},
        "areas": {
            "areas": {"type": "multi_static_select", "selected_options": [option("DB", "db"), option("API", "api")]}
        },
        "people": {"people": {"type": "multi_users_select", "selected_users": ["U0ALICE", "U0BOB"]}},
        "flags": {"flags": {"type": "checkboxes", "selected_options": [option("Page on-call", "page")]}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
    }
    with pytest.raises(KeyError):
        emulator.submit_view("U0ALICE", view["id"], {})  # closed now


def test_submit_view_rejects_what_a_person_could_not_do(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    view = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=OPEN_MODAL)["view"]
    with pytest.raises(KeyError):
        emulator.submit_view("U0BOB", view["id"], {})  # someone else's modal
    with pytest.raises(KeyError):
        emulator.submit_view("U0ALICE", view["id"], {"severity": "sev9"})  # no such option
    with pytest.raises(KeyError):
        emulator.submit_view("U0ALICE", view["id"], {"nope": "x"})
    assert emulator.envelopes == []


def test_push_stack_and_close(emulator: SlackEmulator, client: WebClient, channel: str) -> None:
    root = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=OPEN_MODAL)["view"]
    submit = emulator.submit_view("U0ALICE", root["id"], {"title": "x"})
    inner_trigger = emulator.envelope(submit)["payload"]["trigger_id"]
    pushed = client.views_push(trigger_id=inner_trigger, view={**OPEN_MODAL, "title": plain("Details")})["view"]
    assert pushed["root_view_id"] == root["id"] and pushed["previous_view_id"] == root["id"]
    third = client.views_push(
        trigger_id=emulator.envelope(emulator.submit_view("U0ALICE", pushed["id"], {}))["payload"]["trigger_id"],
        view=OPEN_MODAL,
    )["view"]
    over = api_error(
        lambda: client.views_push(
            trigger_id=emulator.envelope(emulator.submit_view("U0ALICE", third["id"], {}))["payload"]["trigger_id"],
            view=OPEN_MODAL,
        )
    )
    assert over["error"] == "push_limit_reached"
    assert [v["id"] for v in emulator.open_views()] == [root["id"], pushed["id"], third["id"]]
    # Closing the pushed view drops it and what is above; the root stays; notify_on_close sends view_closed.
    closed = emulator.close_view("U0ALICE", pushed["id"])
    assert closed is not None
    assert [v["id"] for v in emulator.open_views()] == [root["id"]]
    closed_payload = emulator.envelope(closed)["payload"]
    assert closed_payload["type"] == "view_closed" and closed_payload["is_cleared"] is False
    assert closed_payload["view"]["id"] == pushed["id"]
    quiet = client.views_open(
        trigger_id=trigger_from_command(emulator, channel), view={**OPEN_MODAL, "notify_on_close": False}
    )["view"]
    assert emulator.close_view("U0ALICE", quiet["id"]) is None
    no_modal = api_error(
        lambda: client.views_push(trigger_id=trigger_from_command(emulator, channel, "U0BOB"), view=OPEN_MODAL)
    )
    assert no_modal["error"] == "not_found"


def test_click_opens_a_modal_with_its_own_trigger(emulator: SlackEmulator, client: WebClient, channel: str) -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "a",
            "elements": [{"type": "button", "action_id": "update", "text": plain("Update"), "value": "INC-1"}],
        }
    ]
    ts = client.chat_postMessage(channel=channel, text="INC-1", blocks=blocks)["ts"]
    click = emulator.click_button("U0BOB", channel, ts, "update")
    trigger = emulator.envelope(click)["payload"]["trigger_id"]
    view = client.views_open(trigger_id=trigger, view=OPEN_MODAL)["view"]
    assert [v["id"] for v in emulator.open_views("U0BOB")] == [view["id"]]


def test_button_inside_a_modal_pushes_with_its_trigger(
    emulator: SlackEmulator, client: WebClient, channel: str
) -> None:
    hub = {
        **OPEN_MODAL,
        "blocks": [
            *OPEN_MODAL["blocks"],
            {
                "type": "actions",
                "block_id": "more",
                "elements": [{"type": "button", "action_id": "add_impact", "text": plain("Add impact")}],
            },
        ],
    }
    root = client.views_open(trigger_id=trigger_from_command(emulator, channel), view=hub)["view"]
    click = emulator.click_view_button("U0ALICE", root["id"], "add_impact")
    payload = emulator.envelope(click)["payload"]
    assert payload["type"] == "block_actions" and payload["container"] == {"type": "view", "view_id": root["id"]}
    assert payload["view"]["id"] == root["id"] and "response_url" not in payload and "channel" not in payload
    assert payload["actions"][0]["action_id"] == "add_impact" and "value" not in payload["actions"][0]
    pushed = client.views_push(trigger_id=payload["trigger_id"], view=OPEN_MODAL)["view"]
    assert pushed["previous_view_id"] == root["id"]
    with pytest.raises(KeyError):
        emulator.click_view_button("U0BOB", root["id"], "add_impact")
