"""Slash commands, button clicks, ack payloads, response_url and chat.postEphemeral, over real HTTP/WebSocket."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from slack_emulator import SlackEmulator

from .socket_app import SocketApp, connected_app

SUMMARY_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "block_id": "summary", "text": {"type": "mrkdwn", "text": "*INC-1* db down"}},
    {
        "type": "actions",
        "block_id": "incident_actions",
        "elements": [
            {"type": "button", "action_id": "join", "text": {"type": "plain_text", "text": "Join"}, "value": "INC-1"},
            {
                "type": "button",
                "action_id": "resolve",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Resolve"},
                "value": "INC-1",
            },
        ],
    },
]


@pytest.fixture
def people(emulator: SlackEmulator) -> str:
    emulator.add_user("U0ALICE", "alice")
    emulator.add_user("U0BOB", "bob")
    return emulator.add_channel("incidents", members=["U0ALICE", "U0BOT"], channel_id="C0INC")


def test_slash_command_payload_and_ephemeral_ack(emulator: SlackEmulator, people: str) -> None:
    app = SocketApp(lambda req: {"response_type": "ephemeral", "text": f"opening {req.payload['text']}"})
    with connected_app(emulator, app):
        envelope_id = emulator.send_slash_command("U0ALICE", people, "/incident", "sev1 db down")
        assert emulator.wait_for_ack(envelope_id) == {"response_type": "ephemeral", "text": "opening sev1 db down"}
    envelope = emulator.envelope(envelope_id)
    assert envelope["type"] == "slash_commands" and envelope["accepts_response_payload"] is True
    payload = app.requests[0].payload
    assert app.requests[0].type == "slash_commands"
    assert {k: payload[k] for k in ("command", "text", "user_id", "user_name", "channel_id", "channel_name")} == {
        "command": "/incident",
        "text": "sev1 db down",
        "user_id": "U0ALICE",
        "user_name": "alice",
        "channel_id": people,
        "channel_name": "incidents",
    }
    assert payload["team_id"] == "T0TEAM" and payload["api_app_id"] == "A0APP"
    assert payload["trigger_id"] and payload["response_url"].startswith(emulator.api_url.removesuffix("api/"))
    shown = emulator.ephemerals_for("U0ALICE", people)
    assert [m["text"] for m in shown] == ["opening sev1 db down"]
    assert emulator.ephemerals_for("U0BOB") == [] and emulator.messages(people) == []
    assert emulator.late_acks() == [] and emulator.ack(envelope_id).late is False  # type: ignore[union-attr]


def test_in_channel_ack_posts_and_empty_ack_shows_nothing(emulator: SlackEmulator, people: str) -> None:
    replies = iter([{"response_type": "in_channel", "text": "INC-1 opened"}, None])
    with connected_app(emulator, SocketApp(lambda req: next(replies))):
        first = emulator.send_slash_command("U0ALICE", people, text="sev2 x")
        assert emulator.wait_for_ack(first)["response_type"] == "in_channel"
        second = emulator.send_slash_command("U0ALICE", people, text="")
        assert emulator.wait_for_ack(second) == {}
    assert [m["text"] for m in emulator.messages(people)] == ["INC-1 opened"]
    assert emulator.ephemerals_for("U0ALICE") == []
    # Each envelope carries its own trigger_id and response_url.
    p1, p2 = emulator.envelope(first)["payload"], emulator.envelope(second)["payload"]
    assert p1["trigger_id"] != p2["trigger_id"] and p1["response_url"] != p2["response_url"]


def test_late_ack_is_recorded(emulator: SlackEmulator, people: str) -> None:
    release = threading.Event()

    def slow(req: Any) -> dict[str, Any]:
        release.wait(5)
        return {"text": "too late"}

    with connected_app(emulator, SocketApp(slow)):
        envelope_id = emulator.send_slash_command("U0ALICE", people)
        emulator.wait_for(lambda: any(d[0] == envelope_id for d in emulator.deliveries()), 5)
        assert emulator.ack_payload(envelope_id) is None
        emulator.advance_clock(3.5)
        release.set()
        emulator.wait_for_ack(envelope_id)
    ack = emulator.ack(envelope_id)
    assert ack is not None and ack.late and ack.delay > 3
    assert emulator.late_acks() == [envelope_id]


def test_click_button_block_actions_payload(emulator: SlackEmulator, client: WebClient, people: str) -> None:
    posted = client.chat_postMessage(channel=people, text="INC-1 db down", blocks=SUMMARY_BLOCKS)
    ts = posted["ts"]
    assert client.conversations_history(channel=people)["messages"][0]["blocks"] == SUMMARY_BLOCKS
    with connected_app(emulator) as app:
        envelope_id = emulator.click_button("U0BOB", people, ts, "resolve")
        assert emulator.wait_for_ack(envelope_id) == {}
    req = app.requests[0]
    assert req.type == "interactive" and emulator.envelope(envelope_id)["accepts_response_payload"] is True
    payload = req.payload
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U0BOB", "username": "bob", "name": "bob", "team_id": "T0TEAM"}
    assert payload["container"] == {"type": "message", "message_ts": ts, "channel_id": people, "is_ephemeral": False}
    assert payload["channel"] == {"id": people, "name": "incidents"}
    assert payload["message"]["ts"] == ts and payload["message"]["blocks"] == SUMMARY_BLOCKS
    (action,) = payload["actions"]
    assert {k: action[k] for k in ("action_id", "block_id", "type", "value", "style")} == {
        "action_id": "resolve",
        "block_id": "incident_actions",
        "type": "button",
        "value": "INC-1",
        "style": "primary",
    }
    assert action["text"]["text"] == "Resolve" and action["action_ts"]
    assert payload["trigger_id"] and payload["response_url"] and payload["state"] == {"values": {}}
    # An explicit value and block_id; a button that isn't there is a test error, not an envelope.
    other = emulator.click_button("U0BOB", people, ts, "join", value="other", block_id="incident_actions")
    assert emulator.envelope(other)["payload"]["actions"][0]["value"] == "other"
    with pytest.raises(KeyError):
        emulator.click_button("U0BOB", people, ts, "join", block_id="summary")
    with pytest.raises(KeyError):
        emulator.click_button("U0BOB", people, ts, "nope")


def test_chat_update_keeps_blocks_for_the_next_click(emulator: SlackEmulator, client: WebClient, people: str) -> None:
    ts = client.chat_postMessage(channel=people, text="INC-1", blocks=SUMMARY_BLOCKS)["ts"]
    resolved = [
        SUMMARY_BLOCKS[0],
        {**SUMMARY_BLOCKS[1], "block_id": "after", "elements": [SUMMARY_BLOCKS[1]["elements"][0]]},
    ]
    client.chat_update(channel=people, ts=ts, text="INC-1 resolved", blocks=resolved)
    assert emulator.messages(people)[0]["blocks"] == resolved
    with pytest.raises(KeyError):
        emulator.click_button("U0BOB", people, ts, "resolve")
    with connected_app(emulator) as app:
        emulator.wait_for_ack(emulator.click_button("U0BOB", people, ts, "join"))
    assert app.requests[0].payload["actions"][0]["block_id"] == "after"


def test_response_url_modes_and_limits(emulator: SlackEmulator, client: WebClient, people: str) -> None:
    ts = client.chat_postMessage(channel=people, text="INC-1", blocks=SUMMARY_BLOCKS)["ts"]
    with connected_app(emulator) as app:
        click = emulator.click_button("U0BOB", people, ts, "join")
        emulator.wait_for_ack(click)
    hook = WebhookClient(app.requests[0].payload["response_url"])
    assert hook.send(text="only you can see this").status_code == 200
    assert emulator.ephemerals_for("U0BOB", people)[-1]["text"] == "only you can see this"
    assert hook.send(text="Bob joined", response_type="in_channel").status_code == 200
    assert emulator.messages(people)[-1]["text"] == "Bob joined"
    assert hook.send(text="INC-1 (Bob joined)", blocks=SUMMARY_BLOCKS[:1], replace_original=True).status_code == 200
    original = emulator.messages(people)[0]
    assert (
        original["ts"] == ts and original["text"] == "INC-1 (Bob joined)" and original["blocks"] == SUMMARY_BLOCKS[:1]
    )
    assert hook.send(delete_original=True).status_code == 200
    assert [m["text"] for m in emulator.messages(people)] == ["Bob joined"]
    assert hook.send(text="fifth use").status_code == 200
    sixth = hook.send(text="sixth use")  # five uses at most
    assert sixth.status_code == 404 and "used_url" in sixth.body
    assert [r["applied"] for r in emulator.responses_for(click)] == [
        "ephemeral",
        "in_channel",
        "replace_original",
        "delete_original",
        "ephemeral",
    ]
    assert emulator.responses_for(click)[0]["body"] == {"text": "only you can see this"}


def test_response_url_rejects_empty_and_expires(emulator: SlackEmulator, people: str) -> None:
    with connected_app(emulator) as app:
        command = emulator.send_slash_command("U0ALICE", people)
        emulator.wait_for_ack(command)
    hook = WebhookClient(app.requests[0].payload["response_url"])
    empty = hook.send_dict({"response_type": "ephemeral"})
    assert empty.status_code == 400 and "no_text" in empty.body
    assert hook.send(text="still here").status_code == 200
    emulator.advance_clock(31 * 60)
    expired = hook.send(text="after 31 minutes")
    assert expired.status_code == 404 and "expired_url" in expired.body
    assert [r["applied"] for r in emulator.responses_for(command)] == ["no_text", "ephemeral"]
    bogus = WebhookClient(app.requests[0].payload["response_url"] + "x").send(text="?")
    assert bogus.status_code == 404


def test_post_ephemeral_needs_a_member(emulator: SlackEmulator, client: WebClient, people: str) -> None:
    resp = client.chat_postEphemeral(channel=people, user="U0ALICE", text="only alice", blocks=SUMMARY_BLOCKS[:1])
    assert resp["message_ts"]
    (shown,) = emulator.ephemerals_for("U0ALICE")
    assert shown["channel"] == people and shown["text"] == "only alice" and shown["blocks"] == SUMMARY_BLOCKS[:1]
    with pytest.raises(SlackApiError) as info:
        client.chat_postEphemeral(channel=people, user="U0BOB", text="bob is not in the channel")
    assert info.value.response["error"] == "user_not_in_channel"
    assert emulator.ephemerals_for("U0BOB") == [] and emulator.messages(people) == []


def test_only_events_are_redelivered(emulator: SlackEmulator, people: str) -> None:
    emulator.redelivery_seconds = 0.1
    silent = SocketApp()
    silent.ack = False
    with connected_app(emulator, silent):
        command = emulator.send_slash_command("U0ALICE", people)
        emulator.post_user_message("U0ALICE", people, "an event")
        # The event is retried 3 times; by then a retried command would have been sent too (its timer is older).
        emulator.wait_for(lambda: max((a for _e, _c, a in emulator.deliveries()), default=0) == 3, 5)
    assert [a for e, _c, a in emulator.deliveries() if e == command] == [0]
    assert emulator.ack_payload(command) is None


def test_click_on_an_ephemeral_message(emulator: SlackEmulator, client: WebClient, people: str) -> None:
    ts = client.chat_postEphemeral(channel=people, user="U0ALICE", text="Declare?", blocks=SUMMARY_BLOCKS)["message_ts"]
    with pytest.raises(KeyError):
        emulator.click_button("U0BOB", people, ts, "join")  # Bob never saw it
    with connected_app(emulator) as app:
        click = emulator.click_button("U0ALICE", people, ts, "join")
        emulator.wait_for_ack(click)
    payload = app.requests[0].payload
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload
    hook = WebhookClient(payload["response_url"])
    assert hook.send(text="Declared", replace_original=True).status_code == 200
    assert [(m["ts"], m["text"]) for m in emulator.ephemerals_for("U0ALICE")] == [(ts, "Declared")]
    assert hook.send(delete_original=True).status_code == 200
    assert emulator.ephemerals_for("U0ALICE") == [] and emulator.messages(people) == []
