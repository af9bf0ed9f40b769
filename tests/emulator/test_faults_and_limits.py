"""Injected faults, random faults, latency and tier rate limits, seen through slack_sdk's retry handlers."""

from __future__ import annotations

import socket
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from slack_emulator import SlackEmulator

from .conftest import BOT_TOKEN


def test_ratelimited_fault_is_429_with_integer_retry_after(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.inject_fault("auth.test", "ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as info:
        client.auth_test()
    resp = info.value.response
    assert resp.status_code == 429 and resp["error"] == "ratelimited"
    assert resp.headers["Retry-After"] == "7"
    assert client.auth_test()["ok"]  # consumed after `times`
    assert [c.http_status for c in emulator.calls_to("auth.test")] == [429, 200]


def test_rate_limit_retry_handler_retries_and_succeeds(emulator: SlackEmulator) -> None:
    client = WebClient(
        base_url=emulator.api_url,
        token=BOT_TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    emulator.inject_fault("conversations.create", "ratelimited", times=1, retry_after=0)
    assert client.conversations_create(name="inc-retry")["ok"]
    assert [c.http_status for c in emulator.calls_to("conversations.create")] == [429, 200]
    assert emulator.channel_by_name("inc-retry") is not None


def test_http_errors_error_code_and_wildcard(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.inject_fault("team.info", "http500")
    emulator.inject_fault("*", "http503")
    emulator.inject_fault("users.info", "error", error="user_not_visible")
    with pytest.raises(SlackApiError) as info:
        client.team_info()
    assert info.value.response.status_code == 500
    with pytest.raises(SlackApiError) as info:
        client.auth_test()
    assert info.value.response.status_code == 503
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="U0BOT")
    assert info.value.response.status_code == 200 and info.value.response["error"] == "user_not_visible"
    assert client.users_info(user="U0BOT")["ok"]
    retrying = WebClient(
        base_url=emulator.api_url,
        token=BOT_TOKEN,
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)],
    )
    emulator.inject_fault("team.info", "http500")
    assert retrying.team_info()["ok"]


def test_drop_closes_connection_and_connection_retry_recovers(emulator: SlackEmulator) -> None:
    no_retry = WebClient(base_url=emulator.api_url, token=BOT_TOKEN, retry_handlers=[])
    emulator.inject_fault("auth.test", "drop")
    with pytest.raises(Exception) as info:
        no_retry.auth_test()
    assert not isinstance(info.value, SlackApiError)
    retrying = WebClient(
        base_url=emulator.api_url,
        token=BOT_TOKEN,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    emulator.inject_fault("auth.test", "drop")
    # The retry handler's backoff is ~1 s; it must succeed on the second attempt.
    assert retrying.auth_test()["ok"]
    assert [c.http_status for c in emulator.calls_to("auth.test")] == [0, 0, 200]


def test_fault_rate_is_seeded_and_can_be_disabled(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.api_url, token=BOT_TOKEN, retry_handlers=[])
    emulator.fault_rate(0.5, kinds=("ratelimited", "http500"), seed=42, methods=["team.info"])
    outcomes = []
    for _ in range(20):
        try:
            client.team_info()
            outcomes.append(200)
        except SlackApiError as exc:
            outcomes.append(exc.response.status_code)
    assert {429, 500, 200} <= set(outcomes)
    assert client.auth_test()["ok"]  # other methods untouched
    emulator.fault_rate(0)
    assert all(client.team_info()["ok"] for _ in range(5))


def test_latency_does_not_block_other_requests(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.api_url, token=BOT_TOKEN)
    emulator.latency = 0.3
    start = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: client.auth_test()["ok"], range(4)))
    elapsed = time.monotonic() - start
    assert all(results) and 0.3 <= elapsed < 1.0  # slept concurrently, not 4 x 0.3 s


def test_tier_buckets_return_429_with_ceil_retry_after(emulator: SlackEmulator) -> None:
    client = WebClient(base_url=emulator.api_url, token=BOT_TOKEN, retry_handlers=[])
    emulator.enable_rate_limits(per_minute_scale=0.1)  # tier 2 -> 2 per minute
    emulator.add_user("U0ALICE", "alice")
    assert client.conversations_create(name="rl-1")["ok"]
    cid = client.conversations_create(name="rl-2")["channel"]["id"]
    with pytest.raises(SlackApiError) as info:
        client.conversations_create(name="rl-3")
    resp = info.value.response
    assert resp.status_code == 429 and resp["error"] == "ratelimited"
    retry_after = int(resp.headers["Retry-After"])
    assert 1 <= retry_after <= 30
    assert client.users_info(user="U0ALICE")["ok"]  # tier 4 bucket is separate
    # chat.postMessage: per channel; 0.1 scale keeps a burst of one message.
    assert client.chat_postMessage(channel=cid, text="one")["ok"]
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=cid, text="two")
    assert info.value.response.status_code == 429
    other = client.api_call("conversations.join", params={"channel": emulator.add_channel("rl-other")})
    assert other["ok"]
    assert client.chat_postMessage(channel=other["channel"]["id"], text="elsewhere")["ok"]
    emulator.disable_rate_limits()
    assert client.conversations_create(name="rl-4")["ok"]


def test_post_message_bucket_and_retry_handler(emulator: SlackEmulator) -> None:
    emulator.enable_rate_limits()  # chat.postMessage: 1/s per channel, burst of 3
    client = WebClient(
        base_url=emulator.api_url,
        token=BOT_TOKEN,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    cid = client.conversations_create(name="rl-burst")["channel"]["id"]
    for i in range(4):
        assert client.chat_postMessage(channel=cid, text=f"m{i}")["ok"]
    statuses = [c.http_status for c in emulator.calls_to("chat.postMessage")]
    assert statuses == [200, 200, 200, 429, 200]
    assert emulator.calls_to("chat.postMessage")[3].response == {"ok": False, "error": "ratelimited"}


def test_a_held_response_is_carried_out_at_once_and_answered_on_release(
    client: WebClient, emulator: SlackEmulator
) -> None:
    channel = client.conversations_create(name="inc-held")["channel"]["id"]
    hold = emulator.hold_response("conversations.archive")
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(client.conversations_archive, channel=channel)
        assert hold.wait_arrived(timeout=10)
        assert emulator.channel(channel).is_archived  # Slack did it ...
        assert not answer.done()  # ... but the caller has not heard yet
        hold.release()
        assert answer.result(timeout=10)["ok"]
    # Only the next call was held.
    assert client.conversations_unarchive(channel=channel)["ok"]


def test_a_held_request_is_carried_out_on_release_and_never_if_its_caller_went_away(
    client: WebClient, emulator: SlackEmulator
) -> None:
    channel = client.conversations_create(name="inc-request-held")["channel"]["id"]
    hold = emulator.hold_request("chat.postMessage", lambda args: args.get("text") == "late")
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(client.chat_postMessage, channel=channel, text="late")
        assert hold.wait_arrived(timeout=10)
        assert client.chat_postMessage(channel=channel, text="other")["ok"]  # only the matching call waits
        assert [m["text"] for m in emulator.messages(channel)] == ["other"]  # not carried out yet
        hold.release()
        assert answer.result(timeout=10)["ok"]
    assert [m["text"] for m in emulator.messages(channel)] == ["other", "late"]

    gone = emulator.hold_request("chat.postMessage")
    host, port = urllib.parse.urlsplit(emulator.api_url).netloc.split(":")
    body = urllib.parse.urlencode({"channel": channel, "text": "never"}).encode()
    with socket.create_connection((host, int(port))) as caller:
        head = (
            f"POST /api/chat.postMessage HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {BOT_TOKEN}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        caller.sendall(head.encode() + body)
        assert gone.wait_arrived(timeout=10)
    assert gone.wait_dropped(timeout=10)  # its caller went away first (a killed process)
    assert [m["text"] for m in emulator.messages(channel)] == ["other", "late"]


@pytest.mark.parametrize("kind", ["http502", "http504"])
def test_gateway_errors_are_http_5xx_with_internal_error(client: WebClient, emulator: SlackEmulator, kind: str) -> None:
    emulator.inject_fault("auth.test", kind)
    with pytest.raises(SlackApiError) as info:
        client.auth_test()
    assert info.value.response.status_code == int(kind[4:])
    assert info.value.response["error"] == "internal_error"
