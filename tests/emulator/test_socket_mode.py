"""Socket Mode against slack_sdk's builtin SocketModeClient over plain ws://, plus raw protocol checks."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from slack_emulator import SlackEmulator

from .conftest import APP_TOKEN, BOT_TOKEN


class Recorder:
    """Collects requests; acks unless told to skip some envelope ids."""

    def __init__(self) -> None:
        self.requests: list[SocketModeRequest] = []
        self.messages: list[dict[str, Any]] = []
        self.ack = True
        self._lock = threading.Lock()

    def on_request(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        with self._lock:
            self.requests.append(req)
        if self.ack:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    def on_message(self, client: SocketModeClient, message: dict[str, Any], raw: str | None) -> None:
        with self._lock:
            self.messages.append(message)


def close_in_background(client: SocketModeClient) -> None:
    # close() stops auto-reconnect at once but then joins worker loops for ~1-3 s; don't make tests wait.
    threading.Thread(target=client.close, daemon=True).start()


@pytest.fixture
def socket_client(emulator: SlackEmulator) -> Iterator[tuple[SocketModeClient, Recorder]]:
    web = WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
    client = SocketModeClient(app_token=APP_TOKEN, web_client=web)
    rec = Recorder()
    client.socket_mode_request_listeners.append(rec.on_request)
    client.message_listeners.append(rec.on_message)
    client.connect()
    emulator.wait_for_connection(5)
    try:
        yield client, rec
    finally:
        close_in_background(client)


def test_hello_event_and_ack(emulator: SlackEmulator, socket_client: tuple[SocketModeClient, Recorder]) -> None:
    _client, rec = socket_client
    emulator.wait_for(lambda: any(m.get("type") == "hello" for m in rec.messages), 5)
    hello = next(m for m in rec.messages if m["type"] == "hello")
    assert hello["num_connections"] == 1 and hello["connection_info"] == {"app_id": "A0APP"}
    assert "approximate_connection_time" in hello["debug_info"]
    open_call = emulator.calls_to("apps.connections.open")[-1]
    assert open_call.token == APP_TOKEN and open_call.response["url"].startswith("ws://127.0.0.1:")

    emulator.add_user("U0ALICE", "alice")
    cid = emulator.add_channel("inc-sm", members=["U0ALICE", "U0BOT"])
    secret = emulator.add_channel("inc-secret", members=["U0ALICE", "U0BOT"], is_private=True)
    dm = emulator.open_dm("U0ALICE")
    ts = emulator.post_user_message("U0ALICE", cid, "!incident open sev1 db down")
    reply_ts = emulator.post_user_message("U0ALICE", cid, "in thread", thread_ts=ts)
    emulator.post_user_message("U0ALICE", secret, "private")
    emulator.post_user_message("U0ALICE", dm, "direct")
    emulator.wait_for(lambda: len(emulator.acked) == 4, 5)
    envs = emulator.envelopes
    assert {e["envelope_id"] for e in envs} == emulator.acked
    first = envs[0]
    assert first["type"] == "events_api" and first["accepts_response_payload"] is False
    assert first["retry_attempt"] == 0 and first["retry_reason"] == ""
    payload = first["payload"]
    assert payload["type"] == "event_callback" and payload["team_id"] == "T0TEAM"
    assert payload["api_app_id"] == "A0APP" and payload["event_id"]
    assert payload["event"] == {
        "type": "message",
        "channel": cid,
        "channel_type": "channel",
        "user": "U0ALICE",
        "text": "!incident open sev1 db down",
        "ts": ts,
        "event_ts": ts,
        "team": "T0TEAM",
    }
    assert envs[1]["payload"]["event"]["thread_ts"] == ts and envs[1]["payload"]["event"]["ts"] == reply_ts
    assert [e["payload"]["event"]["channel_type"] for e in envs] == ["channel", "channel", "group", "im"]
    assert [r.payload["event"]["text"] for r in rec.requests][-1] == "direct"
    assert emulator.messages(cid)[0]["user"] == "U0ALICE"


def test_edit_and_reaction_events(emulator: SlackEmulator, socket_client: tuple[SocketModeClient, Recorder]) -> None:
    emulator.add_user("U0ALICE", "alice")
    cid = emulator.add_channel("inc-edit", members=["U0ALICE", "U0BOT"])
    ts = emulator.post_user_message("U0ALICE", cid, "!incident open sev1 db down")
    emulator.edit_message(cid, ts, "!incident open sev2 db down")
    emulator.add_reaction("U0ALICE", cid, ts, "eyes")
    emulator.wait_for(lambda: len(emulator.acked) == 3, 5)
    changed = emulator.envelopes[1]["payload"]["event"]
    assert changed["subtype"] == "message_changed" and changed["channel"] == cid
    assert changed["message"]["ts"] == ts and changed["message"]["text"] == "!incident open sev2 db down"
    assert changed["previous_message"]["text"] == "!incident open sev1 db down"
    assert float(changed["ts"]) > float(ts)
    reaction = emulator.envelopes[2]["payload"]["event"]
    assert reaction["type"] == "reaction_added" and reaction["reaction"] == "eyes"
    assert reaction["item"] == {"type": "message", "channel": cid, "ts": ts} and reaction["item_user"] == "U0ALICE"
    assert emulator.messages(cid)[0]["edited"] is True


def test_redelivery_of_unacked_envelopes(
    emulator: SlackEmulator, socket_client: tuple[SocketModeClient, Recorder]
) -> None:
    _client, rec = socket_client
    emulator.redelivery_seconds = 0.1
    cid = emulator.add_channel("inc-redeliver", members=["U0BOT"])
    rec.ack = False
    emulator.post_user_message("U0X", cid, "never acked")
    emulator.wait_for(lambda: len(emulator.envelopes) == 4 and len(rec.requests) == 4, 5)
    attempts = [(e["retry_attempt"], e["retry_reason"]) for e in emulator.envelopes]
    assert attempts == [(0, ""), (1, "timeout"), (2, "timeout"), (3, "timeout")]
    assert len({e["envelope_id"] for e in emulator.envelopes}) == 1
    # A lost ack (the client did ack) is redelivered once, then the second ack sticks.
    rec.ack = True
    emulator.ack_drop_next(1)
    emulator.post_user_message("U0X", cid, "ack lost once")
    emulator.wait_for(lambda: len(emulator.acked) == 1, 5)
    second = [e for e in emulator.envelopes if e["payload"]["event"]["text"] == "ack lost once"]
    assert [e["retry_attempt"] for e in second] == [0, 1]
    assert [r.retry_attempt for r in rec.requests][-2:] == [0, 1]


def test_disconnect_then_reconnect_with_new_ticket(
    emulator: SlackEmulator, socket_client: tuple[SocketModeClient, Recorder]
) -> None:
    _client, rec = socket_client
    emulator.disconnect_clients("refresh_requested")
    emulator.wait_for(lambda: emulator.hellos_sent == 2 and emulator.connection_count == 1, 10)
    opens = emulator.calls_to("apps.connections.open")
    assert len(opens) == 2 and opens[0].response["url"] != opens[1].response["url"]
    emulator.wait_for(lambda: sum(1 for m in rec.messages if m.get("type") == "hello") == 2, 5)
    cid = emulator.add_channel("inc-after", members=["U0BOT"])
    emulator.post_user_message("U0X", cid, "after reconnect")
    emulator.wait_for(lambda: len(emulator.acked) == 1, 5)


def test_events_wait_for_a_connection(emulator: SlackEmulator) -> None:
    cid = emulator.add_channel("inc-queued", members=["U0BOT"])
    emulator.post_user_message("U0X", cid, "queued")
    assert emulator.envelopes == []
    web = WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
    client = SocketModeClient(app_token=APP_TOKEN, web_client=web)
    rec = Recorder()
    client.socket_mode_request_listeners.append(rec.on_request)
    client.connect()
    try:
        emulator.wait_for(lambda: len(emulator.acked) == 1, 5)
        assert rec.requests[0].payload["event"]["text"] == "queued"
    finally:
        close_in_background(client)


def _open_url(emulator: SlackEmulator) -> str:
    return WebClient(base_url=emulator.api_url, token=APP_TOKEN).apps_connections_open(app_token=APP_TOKEN)["url"]


def test_raw_protocol_ticket_pong_limits(emulator: SlackEmulator) -> None:
    urls = [_open_url(emulator) for _ in range(11)]

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            first = await session.ws_connect(urls[0], autoping=False)
            hello = await first.receive_json(timeout=5)
            assert hello["type"] == "hello"
            # Single-use ticket: the second upgrade is refused.
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await session.ws_connect(urls[0])
            assert info.value.status == 401
            # Pong echoes the ping payload; unknown frames are ignored.
            await first.send_str("not json")
            await first.send_str(json.dumps({"type": "something_new"}))
            await first.ping(b"sess:123")
            pong = await first.receive(timeout=5)
            assert pong.type == aiohttp.WSMsgType.PONG and pong.data == b"sess:123"
            others = [await session.ws_connect(u) for u in urls[1:10]]
            for ws in others:
                assert (await ws.receive_json(timeout=5))["type"] == "hello"
            # The 11th concurrent socket is told too_many_websockets and closed.
            extra = await session.ws_connect(urls[10])
            frame = await extra.receive_json(timeout=5)
            assert frame["type"] == "disconnect" and frame["reason"] == "too_many_websockets"
            closed = await extra.receive(timeout=5)
            assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert emulator.connection_count == 10
            assert len(set(emulator.connection_ids())) == 10
            for ws in [first, *others]:
                await ws.close()

    asyncio.run(scenario())
    emulator.wait_for(lambda: emulator.connection_count == 0, 5)
