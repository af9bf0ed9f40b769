"""The Python-side API tests use: seeding, snapshots, call records, waits, and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from slack_sdk import WebClient

from slack_emulator import DEFAULT_BOT_SCOPES, SlackEmulator


def test_defaults_and_snapshots(client: WebClient, emulator: SlackEmulator) -> None:
    assert emulator.api_url == f"http://127.0.0.1:{emulator.port}/api/"
    assert "chat:write" in DEFAULT_BOT_SCOPES and "channels:join" in DEFAULT_BOT_SCOPES
    assert emulator.channels() == []  # nothing seeded beyond the bot and the team
    me = client.users_info(user="U0BOT")["user"]
    assert me["is_bot"] and me["name"] == "redalert" and me["profile"]["bot_id"] == "B0BOT"
    cid = emulator.add_channel("ops", members=["U0BOT"], channel_id="C0OPS", is_general=True)
    snap = emulator.channel(cid)
    snap.members.add("U0HACK")  # a copy: does not leak back
    assert emulator.channel(cid).members == {"U0BOT"}
    assert emulator.channel_by_name("ops").is_general and emulator.channel_by_name("nope") is None
    client.conversations_setTopic(channel=cid, topic="hello")
    ch = emulator.channel(cid)
    assert ch.topic == "hello" and ch.creator == "U0BOT" and ch.created > 0
    call = emulator.calls_to("conversations.setTopic")[0]
    assert call.args == {"channel": "C0OPS", "topic": "hello"} and call.http_status == 200
    assert call.content_type.startswith("application/x-www-form-urlencoded") and call.at > 0
    emulator.clear_calls()
    assert emulator.calls == []


def test_wait_for_message_wakes_on_post(client: WebClient, emulator: SlackEmulator) -> None:
    cid = emulator.add_channel("ops", members=["U0BOT"])
    before = client.chat_postMessage(channel=cid, text="old")["ts"]
    threading.Timer(0.05, lambda: client.chat_postMessage(channel=cid, text="status: ok")).start()
    start = time.monotonic()
    msg = emulator.wait_for_message(cid, lambda m: m["text"].startswith("status"), timeout=5, after_ts=before)
    assert msg["text"] == "status: ok" and msg["user"] == "U0BOT" and time.monotonic() - start < 1
    assert set(msg) >= {"ts", "user", "text", "blocks", "thread_ts", "edited"}
    with pytest.raises(TimeoutError, match="status: ok"):
        emulator.wait_for_message(cid, lambda m: "never" in m["text"], timeout=0.2)


def test_cli_runs_demo_workspace() -> None:
    tests_dir = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(tests_dir))
    proc = subprocess.Popen(
        [sys.executable, "-m", "slack_emulator", "--port", "0"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "API URL: http://127.0.0.1:" in line
        url = line.split("API URL: ")[1].strip()
        client = WebClient(base_url=url, token="xoxb-test-token")
        names = {c["name"] for c in client.conversations_list()["channels"]}
        assert {"general", "incidents"} <= names
    finally:
        proc.terminate()
        proc.wait(10)
