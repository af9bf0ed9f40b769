"""Several Socket Mode connections of one app (replicas): random delivery, redelivery elsewhere, per-connection log."""

from __future__ import annotations

from collections import Counter

import pytest

from slack_emulator import SlackEmulator

from .socket_app import SocketApp, connected_app


@pytest.fixture
def channel(emulator: SlackEmulator) -> str:
    emulator.add_user("U0ALICE", "alice")
    return emulator.add_channel("incidents", members=["U0ALICE", "U0BOT"])


def test_each_envelope_goes_to_one_connection_at_random(emulator: SlackEmulator, channel: str) -> None:
    emulator.seed_deliveries(7)
    with connected_app(emulator) as first, connected_app(emulator) as second:
        assert emulator.connection_ids() == [first.connection_id, second.connection_id]
        assert first.connection_id != second.connection_id
        for i in range(20):
            emulator.post_user_message("U0ALICE", channel, f"!incident list {i}")
        commands = [emulator.send_slash_command("U0ALICE", channel, text=str(i)) for i in range(4)]
        emulator.wait_for(lambda: len(emulator.acked) == 24, 10)
        for envelope_id in commands:
            assert emulator.wait_for_ack(envelope_id) == {}
    deliveries = emulator.deliveries()
    assert len(deliveries) == 24 and {attempt for _e, _c, attempt in deliveries} == {0}
    assert len({envelope_id for envelope_id, _c, _a in deliveries}) == 24  # each envelope once
    per_connection = Counter(conn for _e, conn, _a in deliveries)
    assert set(per_connection) == {first.connection_id, second.connection_id}
    assert len(first.requests) == per_connection[first.connection_id]
    assert len(second.requests) == per_connection[second.connection_id]
    texts = sorted(r.payload["event"]["text"] for r in first.requests + second.requests if r.type == "events_api")
    assert texts == sorted(f"!incident list {i}" for i in range(20))
    # Every ack is recorded with the connection that sent it.
    assert all(emulator.ack(e).connection_id == c for e, c, _a in deliveries)  # type: ignore[union-attr]


def test_same_seed_same_distribution(emulator: SlackEmulator, channel: str) -> None:
    def run(emu: SlackEmulator) -> list[tuple[str, int]]:
        emu.seed_deliveries(3)
        with connected_app(emu), connected_app(emu):
            ids = emu.connection_ids()
            for i in range(10):
                emu.post_user_message("U0ALICE", channel, str(i))
            emu.wait_for(lambda: len(emu.acked) == 10, 10)
        text = {e["envelope_id"]: e["payload"]["event"]["text"] for e in emu.envelopes}
        return [(text[e], ids.index(c)) for e, c, _a in emu.deliveries()]

    first_run = run(emulator)
    assert {conn for _text, conn in first_run} == {0, 1}
    other = SlackEmulator().start()
    try:
        other.add_user("U0ALICE", "alice")
        other.add_channel("incidents", members=["U0ALICE", "U0BOT"], channel_id=channel)
        assert run(other) == first_run
    finally:
        other.stop()


def test_unacked_envelope_is_redelivered_to_the_other_connection(emulator: SlackEmulator, channel: str) -> None:
    emulator.redelivery_seconds = 0.2
    emulator.seed_deliveries(1)
    silent = SocketApp()
    silent.ack = False  # a replica that hangs: receives but never acks
    with connected_app(emulator, silent), connected_app(emulator) as healthy:
        for i in range(8):
            emulator.post_user_message("U0ALICE", channel, f"event {i}")
        emulator.wait_for(lambda: len(emulator.acked) == 8, 10)
    deliveries = emulator.deliveries()
    to_silent = [e for e, c, a in deliveries if c == silent.connection_id and a == 0]
    assert to_silent, "the seed should send some envelopes to the silent replica first"
    for envelope_id in to_silent:
        attempts = [(c, a) for e, c, a in deliveries if e == envelope_id]
        assert attempts == [(silent.connection_id, 0), (healthy.connection_id, 1)]
        assert emulator.ack(envelope_id).connection_id == healthy.connection_id  # type: ignore[union-attr]
    redelivered = [r for r in healthy.requests if r.retry_attempt == 1]
    assert {r.envelope_id for r in redelivered} == set(to_silent)
    assert all(r.retry_reason == "timeout" for r in redelivered)


def test_disconnect_one_connection(emulator: SlackEmulator, channel: str) -> None:
    with connected_app(emulator) as first, connected_app(emulator) as second:
        emulator.disconnect(first.connection_id)
        assert first.connection_id not in emulator.connection_ids()
        # slack_sdk reconnects with a fresh ticket and gets a new connection id.
        emulator.wait_for(lambda: len(emulator.connection_ids()) == 2, 10)
        assert second.connection_id in emulator.connection_ids()
        assert first.connection_id not in emulator.connection_ids()
        with pytest.raises(KeyError):
            emulator.disconnect("conn-99")
        emulator.post_user_message("U0ALICE", channel, "after the disconnect")
        emulator.wait_for(lambda: len(emulator.acked) == 1, 5)
    ((_envelope, conn, _attempt),) = emulator.deliveries()
    assert conn != first.connection_id
